"""The runbook's procedures as functions the CLI calls, one subpackage per procedure.

- ``backups``: backup, manifest, restore;
- ``database``: check, integrity (the runbook's own SQL), recover (+ page salvage);
- ``diagnosis``: diagnose, facts, disk, levels, health;
- ``access``: auth (cookies), ratelimit, endpoints;
- ``processes``: stop, recover (phased resume); the run lock itself is ``twitter_blocker.proc``;
- ``reports``: incident and post-mortem, timeline;
- ``maintenance``: init, schedule, cleanup, preflight.
"""
