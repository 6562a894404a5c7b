"""The issue-4 benchmark: ``make bench`` / ``python -m bench [S1 ... S6] [--quick]``.

Each scenario runs the real CLI as a subprocess against the emulator in another process
over loopback HTTP (X's limits, a shortened window), measures the client alone and writes
``bench/results/<scenario>.json``; ``bench/RESULTS.md`` is regenerated from those files.
"""
