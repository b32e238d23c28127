"""Benchmark harness for the escalation-risk scorer: `python -m bench.run` (see bench/README.md)."""
