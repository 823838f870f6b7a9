"""Benchmarks: our mock against json-server and Prism, scaling, start-up (`python -m bench.run`)."""
