"""SQLite storage and nothing else: no HTTP, no printing."""
