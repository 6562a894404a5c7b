"""SQLite storage and nothing else: no HTTP, no printing.

``history.History``   the ledger in ``block_history.db`` (targets, attempts, runs, stats)
``budgets.Budgets``   rate windows and pacing events, same file and connection
``cache.Cache``       lookup cache in ``cache/cache.db``
``db``                connect (pragmas), transaction (savepoints), migrate
``models``            Status, UserStatus, Reason, Row, Stats, ...

Import them from their modules; this package runs nothing at import. docs/SCHEMA.md
describes the tables.
"""
