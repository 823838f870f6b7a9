"""Contract tests for the Clients API: Schemathesis property tests plus semantic checks."""
