"""Helpers for the hostile-input, crash, concurrency and security tests.

`wire` sends exact bytes (http.client, which neither normalises paths nor merges headers),
`store_view` reads the whole store and judges responses, and `corpus` holds the hostile cases.
"""
