"""What the mock could not write to disk: every part that writes a file (the store, the request
journal, the rules, the usage counts) reports its failures to one `Degraded` of its process, so
`/__mock/health` says what is degraded and since when, and the log says it once."""

from mockserver.faults.degraded import EXTENSION_KEY, Degraded, Fault

__all__ = ["EXTENSION_KEY", "Degraded", "Fault"]
