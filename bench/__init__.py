"""Benchmarks at city scale and their deterministic data generator (see bench/README.md)."""
