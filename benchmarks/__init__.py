"""Measurements kept out of the test run: memory probes and side-by-side timings."""
