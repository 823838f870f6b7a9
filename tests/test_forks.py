"""Forked children of a process that holds the store take its lock against each other."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mockserver.store import forks
from mockserver.store.wal import Wal

CHILDREN = 2


def test_of_two_forked_children_exactly_one_holds_the_store_lock(tmp_path: Path) -> None:
    # Without its own descriptor, a child shares the parent's open file description, and an
    # exclusive flock taken through a shared description succeeds in both.
    wal = Wal.open(tmp_path / "clients.json")
    results_read, results_write = os.pipe()
    release_read, release_write = os.pipe()
    children = []
    for _ in range(CHILDREN):
        pid = os.fork()
        if pid == 0:
            os.close(results_read)
            os.close(release_write)
            _try_lock(wal, results_write, release_read)
        children.append(pid)
    os.close(results_write)
    os.close(release_read)
    try:
        outcomes = b"".join(os.read(results_read, 1) for _ in range(CHILDREN))
    finally:
        os.close(release_write)  # the children hold what they got until here
        os.close(results_read)
        codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]
        wal.close()
    assert codes == [0] * CHILDREN
    assert sorted(outcomes) == sorted(b"LB"), f"locked (L) or blocked (B): {outcomes!r}"


def _try_lock(wal: Wal, results: int, release: int) -> None:
    code = 1
    try:
        try:
            with wal._exclusive(wait=False):
                os.write(results, b"L")
                os.read(release, 1)  # returns when the parent closes its end
        except BlockingIOError:
            os.write(results, b"B")
        code = 0
    finally:
        os._exit(code)


class _Owner:
    def __init__(self, files_gone: bool = False) -> None:
        self.files_gone, self.reopened = files_gone, False

    def reopen_after_fork(self) -> None:
        if self.files_gone:
            raise FileNotFoundError("its folder was deleted")
        self.reopened = True


class _InOrder(list[_Owner]):
    def discard(self, owner: _Owner) -> None:
        self.remove(owner)


def test_an_owner_whose_files_are_gone_does_not_keep_the_others_from_their_own_locks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A store left unclosed in a deleted temporary folder cannot reopen its lock in a child;
    the owners after it must still reopen theirs (or they share the parent's lock)."""
    gone, kept = _Owner(files_gone=True), _Owner()
    monkeypatch.setattr(forks, "_owners", _InOrder([gone, kept]))
    forks._reopen_all()  # what runs in every forked child
    assert kept.reopened
    assert list(forks._owners) == [kept]
