"""Quality and speed benchmarks, run by `make bench` (never by the tests)."""
