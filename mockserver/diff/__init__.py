"""Contract evolution: every change between two versions of an OpenAPI document, with a severity.

`mockserver diff BASE HEAD`; the command line lives in `cli.py` and imports the rest only when it
runs. Nothing here imports the mock's stack (Flask, Connexion, TinyDB) or the proxy's.
"""
