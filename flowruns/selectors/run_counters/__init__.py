"""Reads answered from the run counters (`flowruns.counters`) when the filter has a shape they
cover, and from `flow_run` otherwise, with the same answer either way."""
