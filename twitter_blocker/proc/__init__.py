"""Process facts and the run lock, below both the engine and ``ops``.

- ``pids``: the one answer to "is this pid alive?" (a zombie is not) and "who holds a
  flock on this file?" (``/proc/locks``);
- ``runlock``: the run lock, one run per database; the engine takes it, ``ops`` reads it;
- ``facts``: what ``diagnose``/``health`` show about the holder and look-alike processes.

Nothing here imports the store, the engine, ``ops`` or the CLI.
"""
