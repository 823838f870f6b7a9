"""Scenarios: the unhappy paths a frontend is tested on, per session (issue 14).

`Prefer: code=` and rules answer with a declared response of the contract, delay, drop or hang a
request; the request journal records what each session's frontend sent. `middleware.py` wires
them into the request path; `Scenarios` holds the state the control API works on.
"""
