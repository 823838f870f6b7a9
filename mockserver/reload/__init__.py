"""`serve --watch`: a new version of the mock on every edit of its files, its data kept.

files.py: which files make a version (the contract and what it `$ref`s, the fixtures, the
control document) and the contract with those references inlined; version.py: a version built
and checked completely before it is served; swap.py: the ASGI app uvicorn calls, which hands
each request to the version current when it arrived; watcher.py: watchfiles, one watcher in
each serving process; status.py: what `/__mock/health` says about it.
"""
