"""Semantic checks: promises of the contract that a schema cannot state.

Each check is a small function that takes a `ClientsApi`, makes its own requests and raises
`ContractViolation` with a message naming the broken promise and the request that shows it.
Checks that write only touch records they create, found again through a unique marker, so they
are safe on a shared deployment; checks in `readonly` never write.
"""
