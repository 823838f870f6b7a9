"""Faults as a client sees them: a connection reset, or an answer that never comes.

uvicorn hands the app no socket. Its `receive` is a bound method of the request cycle, which holds
the transport (see http/INTERNALS.md); the journal middleware, first to see `receive`, keeps it.
SO_LINGER 0 makes the close an RST, so the client gets a reset rather than a tidy EOF.
"""

from __future__ import annotations

import asyncio
import socket
import struct
from typing import Any

from starlette.types import Receive

MAX_HANG_SECONDS = 120.0  # a hung request is reset after this, so none is held for ever


class ConnectionDropped(ConnectionResetError):
    """Raised where no transport can be reset (an in-process test client)."""


def transport_of(receive: Receive) -> Any:
    cycle = getattr(receive, "__self__", None)
    return getattr(cycle, "transport", None)


async def reset(transport: Any) -> None:
    if transport is None:
        raise ConnectionDropped("the connection was dropped by a mock rule")
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
    # Let the protocol see the connection lost, so uvicorn does not try to answer on it.
    for _ in range(3):
        await asyncio.sleep(0)


async def hang(receive: Receive, transport: Any, limit: float = MAX_HANG_SECONDS) -> None:
    """Wait until the client gives up (closes the connection), at most `limit` seconds."""
    try:
        async with asyncio.timeout(limit):
            while (await receive())["type"] != "http.disconnect":
                pass
    except TimeoutError:
        await reset(transport)
