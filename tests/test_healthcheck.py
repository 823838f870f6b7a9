"""`mockserver health`: where it looks for the mock (the Dockerfile's test runs it for real)."""

from __future__ import annotations

import atexit
from pathlib import Path

import pytest

from mockserver.healthcheck import NotServing, advertise, base_url, describe
from mockserver.settings import Settings


def test_without_an_address_file_the_configured_host_and_port_are_checked() -> None:
    assert base_url(Settings.load(environ={"MOCKSERVER_PORT": "9001"})) == "http://127.0.0.1:9001"
    assert base_url(Settings(host="::", port=9002)) == "http://[::1]:9002"
    assert base_url(Settings(host="10.0.0.5", port=9003)) == "http://10.0.0.5:9003"


@pytest.mark.parametrize(
    ("listening", "checked"),
    [
        (("0.0.0.0", 9100), "http://127.0.0.1:9100"),  # every interface: loopback from inside
        (("127.0.0.1", 9101), "http://127.0.0.1:9101"),
        (("::", 9102), "http://[::1]:9102"),
        (("::1", 9103), "http://[::1]:9103"),
    ],
)
def test_the_address_serve_writes_is_the_one_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, listening: tuple[str, int], checked: str
) -> None:
    monkeypatch.setattr(atexit, "register", lambda *args: None)
    settings = Settings(port=8080, address_file=str(tmp_path / "run" / "address"))
    advertise(settings, *listening)
    assert base_url(settings) == checked
    assert [p.name for p in (tmp_path / "run").iterdir()] == ["address"], "a partial file is left"


def test_no_address_file_means_not_serving(tmp_path: Path) -> None:
    with pytest.raises(NotServing, match="not serving"):
        base_url(Settings(address_file=str(tmp_path / "address")))
    (tmp_path / "address").write_text("garbage\n")
    with pytest.raises(NotServing, match="no address"):
        base_url(Settings(address_file=str(tmp_path / "address")))


def test_the_address_is_withdrawn_at_exit_unless_a_newer_server_replaced_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at_exit: list[tuple[object, ...]] = []
    monkeypatch.setattr(atexit, "register", lambda *args: at_exit.append(args))
    settings = Settings(address_file=str(tmp_path / "address"))
    advertise(settings, "0.0.0.0", 9200)
    ((withdraw, *args),) = at_exit
    withdraw(*args)  # type: ignore[operator]
    assert not (tmp_path / "address").exists()
    advertise(settings, "0.0.0.0", 9201)
    (tmp_path / "address").write_text("0.0.0.0:9300\n")  # another server started since
    withdraw, *args = at_exit[-1]
    withdraw(*args)  # type: ignore[operator]
    assert (tmp_path / "address").read_text() == "0.0.0.0:9300\n"


def test_the_health_line_says_what_is_degraded() -> None:
    assert describe({"status": "ok", "degraded": []}) == "ok"
    health = {
        "status": "degraded",
        "degraded": [
            {
                "part": "store",
                "error": "OSError: [Errno 28] No space left on device",
                "since": "2026-12-06T10:00:00Z",
                "dropped": 3,
            }
        ],
    }
    assert describe(health) == (
        "degraded: store (OSError: [Errno 28] No space left on device) since 2026-12-06T10:00:00Z"
    )
