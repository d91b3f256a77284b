"""The parts of tools/bench, by concern: the processes it watches (processes.py), the projects it
drives (projects.py, with the no-op project in noop/ and the program that reads accounts from a file),
and its two benches: against the engine's floor (floor.py) and against a distant service (distance.py)."""
