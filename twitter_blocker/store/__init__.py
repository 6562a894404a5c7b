"""SQLite storage and nothing else: no HTTP, no printing.

``History`` (the ledger in ``block_history.db``), ``Budgets`` (rate windows and
pacing events, same file), ``Cache`` (lookup cache in ``cache/cache.db``).
Import them from their modules; this package runs nothing at import.
"""
