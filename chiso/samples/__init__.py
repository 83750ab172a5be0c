"""Deterministic, realistic sample data for demos, tests and benchmarks."""
