"""Benchmarks: speed figures beside their naive alternatives; run as modules, never as timed tests."""
