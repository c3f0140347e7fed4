"""Training, evaluation cards and metrics: run by `yuqing train` / `yuqing evaluate` and
the benchmarks, never by the analysis stage."""
