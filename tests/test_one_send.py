"""An answer leaves in one send (mockserver/http/protocol.py): what one turn of the event loop
writes to a connection is joined; a close sends it first, a reset (abort) drops it."""

from __future__ import annotations

import asyncio
from typing import Any

from mockserver.http.protocol import OneSendTransport


class Recorded:
    """A transport that records what is done to it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.closing = False

    def write(self, data: bytes) -> None:
        self.calls.append(("write", data))

    def close(self) -> None:
        self.calls.append(("close", None))
        self.closing = True

    def abort(self) -> None:
        self.calls.append(("abort", None))
        self.closing = True

    def is_closing(self) -> bool:
        return self.closing

    def get_extra_info(self, name: str) -> str:
        return f"info:{name}"


def test_the_writes_of_one_turn_go_out_as_one_send_when_it_ends() -> None:
    async def main() -> list[tuple[str, Any]]:
        recorded = Recorded()
        transport = OneSendTransport(recorded, asyncio.get_running_loop())  # type: ignore[arg-type]
        transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
        transport.write(b'{"id":"1"}')
        assert recorded.calls == []  # not yet: the turn goes on
        await asyncio.sleep(0)
        transport.write(b"next")
        await asyncio.sleep(0)
        return recorded.calls

    assert asyncio.run(main()) == [
        ("write", b'HTTP/1.1 200 OK\r\n\r\n{"id":"1"}'),
        ("write", b"next"),
    ]


async def written(then: str) -> list[tuple[str, Any]]:
    """What reaches the transport when an answer is written, then `then` happens."""
    recorded = Recorded()
    transport = OneSendTransport(recorded, asyncio.get_running_loop())  # type: ignore[arg-type]
    transport.write(b"answer")
    if then == "close":
        transport.close()
    elif then == "abort":
        transport.abort()
    elif then == "peer gone":
        recorded.closing = True
    await asyncio.sleep(0)
    return recorded.calls


def test_a_close_sends_what_was_written_first() -> None:
    assert asyncio.run(written("close")) == [("write", b"answer"), ("close", None)]


def test_a_reset_drops_what_was_written() -> None:
    assert asyncio.run(written("abort")) == [("abort", None)]


def test_nothing_is_written_to_a_connection_the_peer_closed_meanwhile() -> None:
    assert asyncio.run(written("peer gone")) == []


def test_everything_else_is_the_transports_own() -> None:
    transport = OneSendTransport(Recorded(), asyncio.new_event_loop())  # type: ignore[arg-type]
    assert transport.get_extra_info("peername") == "info:peername"
