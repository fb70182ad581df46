"""Many training runs at once: the benchmark grid (env x view x memory x algorithm, seeds
vmapped inside each trial) run on Ray, its results table, and the report drawn from it."""
