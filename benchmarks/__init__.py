"""Benchmarks: our engine against micrograd and hand-written float code (`make bench`)."""
