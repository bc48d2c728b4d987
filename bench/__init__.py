"""Benchmark scripts; run them as modules from the repository root: `python -m bench.bench_web ...`."""
