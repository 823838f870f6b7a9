"""Descriptors a forked worker must open for itself.

An flock belongs to the open file description, and a fork shares descriptions: two workers
forked from one loaded process would both hold an "exclusive" lock at once. Whatever locks a
file registers here and opens its own descriptor in every child.
"""

from __future__ import annotations

import os
import weakref
from typing import Protocol


class OwnsLocks(Protocol):
    def reopen_after_fork(self) -> None: ...


_owners: weakref.WeakSet[OwnsLocks] = weakref.WeakSet()


def reopen_in_children(owner: OwnsLocks) -> None:
    _owners.add(owner)


def _reopen_all() -> None:
    for owner in list(_owners):
        try:
            owner.reopen_after_fork()
        except FileNotFoundError:
            # Its files were deleted under it (a store in a temporary folder, never closed):
            # nothing in this child can use it, and the others must still get their own locks.
            _owners.discard(owner)


os.register_at_fork(after_in_child=_reopen_all)
