"""Tokens that expire (--token-command CMD): the command's standard output is the token.

It runs once at the start, and again once when the target answers 401 to a request that carried
the token it gave; that request is then sent again with the new token. Requests that carry any
other Authorization (the checks that send none, or a wrong one, on purpose) are left alone.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

R = TypeVar("R")
COMMAND_TIMEOUT = 60.0


class TokenCommandFailed(Exception):
    """The token command failed or printed nothing: no token to test with."""


def run_token_command(command: str) -> str:
    try:
        done = subprocess.run(
            command,
            shell=True,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise TokenCommandFailed(f"--token-command took over {COMMAND_TIMEOUT:.0f} s") from None
    token = done.stdout.strip()
    if done.returncode != 0 or not token:
        raise TokenCommandFailed(
            f"--token-command exited {done.returncode} with"
            f" {'no token' if not token else 'a token'} on stdout: {done.stderr.strip()[-500:]}"
        )
    return token


@dataclass
class TokenSource:
    """The current token; `refresh` runs the command again."""

    command: str
    token: str = ""
    issued: list[str] = field(default_factory=list)  # every token the command gave, oldest first
    notices: list[str] = field(default_factory=list)  # what the run tells the user
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if not self.token:
            self.token = run_token_command(self.command)
            self.issued.append(self.token)

    def carried(self, authorization: str | None) -> str | None:
        """The token of ours this Authorization carries, if it carries one."""
        if authorization and authorization.startswith("Bearer "):
            token = authorization[len("Bearer ") :]
            if token in self.issued:
                return token
        return None

    def refreshed_after(self, stale: str, status: int) -> str | None:
        """The token to send again with after a 401 to `stale`: the command is run once per
        expiry, however many requests saw it."""
        with self._lock:
            if self.token == stale:
                self.token = run_token_command(self.command)
                self.issued.append(self.token)
                self.notices.append(
                    f"contract tests: the target answered {status} to the token; ran"
                    f" --token-command again (token {len(self.issued)}) and retried the request"
                )
            return self.token


def send_with_token(
    tokens: TokenSource | None,
    send_once: Callable[[], R],
    authorization: Callable[[], str | None],
    set_authorization: Callable[[str], None],
    status: Callable[[R], int],
    discard: Callable[[R], None],
) -> R:
    """Send with the current token; on a 401 to it, refresh once and send again."""
    carried = tokens.carried(authorization()) if tokens else None
    if tokens is None or carried is None:
        return send_once()
    set_authorization(f"Bearer {tokens.token}")
    sent_with = tokens.token
    response = send_once()
    if status(response) != 401:
        return response
    fresh = tokens.refreshed_after(sent_with, 401)
    if fresh is None or fresh == sent_with:
        return response
    discard(response)
    set_authorization(f"Bearer {fresh}")
    return send_once()
