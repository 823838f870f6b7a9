"""A small Python client of the mock's control API, for a team's own tests.

    control = MockControl("http://127.0.0.1:8080", session="checkout-test")
    control.add_rule(operation="createClient", status=503, times=1)
    ...  # drive the app
    control.verify(operation="createClient", body={"name": "Acme"}, times=1, wait=2)

Only the control API (`/__mock`, control.yaml) is used, over httpx; nothing of the mock's stack
is imported, so it works against a mock in another process, container or machine.
"""

from __future__ import annotations

from typing import Any

import httpx

DEFAULT_TOKEN = "mock-control"  # any non-empty token passes a mock started without --token


class MockControl:
    def __init__(
        self,
        base_url: str,
        session: str = "default",
        token: str | None = None,
        timeout: float = 30,
    ) -> None:
        root = base_url.rstrip("/")
        for suffix in ("/__mock", "/api/v1"):
            root = root.removesuffix(suffix)
        self.session = session
        self._http = httpx.Client(
            base_url=f"{root}/__mock/sessions/{session}",
            headers={"Authorization": f"Bearer {token or DEFAULT_TOKEN}"},
            timeout=timeout,
        )

    def verify(
        self,
        *,
        times: int | dict[str, int] | None = None,
        wait: float | None = None,
        **criteria: Any,
    ) -> dict[str, Any]:
        """Assert the session received requests matching `criteria` (operation, method, path,
        status, headers, body) `times` times (an int: exactly; or {"atLeast": n} / {"atMost": n};
        default: at least once), waiting up to `wait` seconds for it to hold. Raises
        AssertionError listing the nearest misses; returns the verification otherwise."""
        result = self.verification(times=times, wait=wait, **criteria)
        if not result["held"]:
            raise AssertionError(describe_failure(result))
        return result

    def verification(
        self,
        *,
        times: int | dict[str, int] | None = None,
        wait: float | None = None,
        **criteria: Any,
    ) -> dict[str, Any]:
        """The verification's answer, whether or not it held."""
        body = {name: value for name, value in criteria.items() if value is not None}
        if "method" in body:
            body["method"] = body["method"].upper()
        if times is not None:
            body["times"] = {"exactly": times} if isinstance(times, int) else times
        if wait is not None:
            body["wait"] = wait
        answer: dict[str, Any] = self._call("POST", "/verify", json=body).json()
        return answer

    def add_rule(self, **rule: Any) -> dict[str, Any]:
        """Add a rule (operation/method/path, status/delay_ms/fault, times, probability, seed)."""
        added: dict[str, Any] = self._call("POST", "/rules", json=rule).json()
        return added

    def remove_rule(self, rule_id: str) -> None:
        self._call("DELETE", f"/rules/{rule_id}")

    def rules(self) -> list[dict[str, Any]]:
        listed: list[dict[str, Any]] = self._call("GET", "/rules").json()["data"]
        return listed

    def requests(self, **filters: Any) -> list[dict[str, Any]]:
        """The session's journal, oldest first (filters: operation, method, status)."""
        params = {name: value for name, value in filters.items() if value is not None}
        listed: list[dict[str, Any]] = self._call("GET", "/requests", params=params).json()["data"]
        return listed

    def reset(self) -> None:
        """A fresh start for the session: the fixtures' data, no rules, an empty journal."""
        self._call("POST", "/reset")
        self._call("DELETE", "/rules")
        self._call("DELETE", "/requests")

    def forget(self) -> None:
        """Delete the session (its data, rules and journal)."""
        # The session's own URL: httpx joins "" to its base URL with a trailing slash.
        self._call("DELETE", str(self._http.base_url).rstrip("/"))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> MockControl:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _call(self, method: str, path: str, **options: Any) -> httpx.Response:
        answer = self._http.request(method, path, **options)
        if answer.is_error:
            raise ControlError(
                f"{method} {answer.request.url} -> {answer.status_code}: {answer.text}"
            )
        return answer


class ControlError(RuntimeError):
    """The control API refused a call (a malformed rule, a wrong token...)."""


def describe_failure(result: dict[str, Any]) -> str:
    """A verification that did not hold, as a test failure should read."""
    lines = [f"Verification failed: {result['message']}"]
    if result["near_misses"]:
        lines.append("Nearest misses:")
    for number, miss in enumerate(result["near_misses"], 1):
        request = miss["request"]
        lines.append(
            f"  {number}. {request['method']} {request['path']} -> {request['status']}"
            f" ({request['operation'] or 'no operation'}, at {request['time']}):"
            f" met {miss['met']} of {len(result['criteria'])}"
        )
        for difference in miss["differences"]:
            detail = difference.get("detail") or (
                f"expected {difference['expected']!r}, got {difference['actual']!r}"
            )
            lines.append(f"       {difference['criterion']}: {detail}")
    return "\n".join(lines)
