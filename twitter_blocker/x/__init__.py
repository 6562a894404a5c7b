"""X's web protocol and nothing else: no SQLite, no printing, no policy."""
