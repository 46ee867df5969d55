"""elNudge benchmarks: run on demand with `bench/run`, never part of the test suite."""
