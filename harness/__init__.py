"""swe-team driven from outside — example repository, CLI, terminal, fleet, services — for tests and benchmarks."""
