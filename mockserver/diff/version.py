"""Version discipline: a breaking change needs a major bump of info.version, a bump a change."""

from __future__ import annotations

import semver

from mockserver.diff.model import Change, Severity


def version_problems(before: str | None, after: str | None, changes: list[Change]) -> list[str]:
    try:
        old, new = _parse(before), _parse(after)
    except ValueError as error:
        return [str(error)]
    breaking = [c for c in changes if c.severity is Severity.BREAKING]
    if new < old:
        return [f"info.version went down: {old} → {new}"]
    if breaking and not _major_bump(old, new):
        wanted = old.bump_major() if old.major else f"{old.bump_major()} (or {old.bump_minor()})"
        return [
            f"{len(breaking)} breaking change(s) without a major version bump: "
            f"info.version {old} → {new}, expected at least {wanted}"
        ]
    if new != old and not changes:
        return [f"info.version changed ({old} → {new}) but the contract did not"]
    return []


def acknowledged(before: str | None, after: str | None) -> bool:
    """A major bump announces the breaking changes: --fail-on then lets them through."""
    try:
        return _major_bump(_parse(before), _parse(after))
    except ValueError:
        return False


def _parse(version: str | None) -> semver.Version:
    if version is None:
        raise ValueError("info.version is missing")
    try:
        return semver.Version.parse(version.removeprefix("v"))
    except ValueError:
        message = f"info.version {version!r} is not a semantic version (MAJOR.MINOR.PATCH)"
        raise ValueError(message) from None


def _major_bump(old: semver.Version, new: semver.Version) -> bool:
    """Under 1.0.0 anything may change (semver item 4): a minor bump counts as the major one."""
    if old.major == 0 and new.major == 0:
        return new.minor > old.minor
    return new.major > old.major
