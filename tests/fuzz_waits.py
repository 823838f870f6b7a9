"""For the Schemathesis tests of the control API: a valid `wait` (the journal feed's long poll,
a verification's wait) only waits, so it is kept to 50 ms and 25-40 examples do not take
minutes; an invalid one is left as generated, to be refused."""

from __future__ import annotations

from schemathesis import Case

SHORT_WAIT_S = 0.05


def shorten_waits(case: Case) -> None:
    # The feed's `wait` is a query parameter (at most 25 s), a verification's in the body (10 s).
    for values, longest in ((case.query, 25), (case.body, 10)):
        wait = values.get("wait") if isinstance(values, dict) else None
        is_number = isinstance(wait, int | float) and not isinstance(wait, bool)
        if is_number and 0 < wait <= longest:
            values["wait"] = min(wait, SHORT_WAIT_S)
