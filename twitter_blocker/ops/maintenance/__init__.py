"""Runbook "予防策実装" and "大容量ファイル問題": set up the data directory (``init``), the
scheduled jobs (``schedule``), disk cleanup (``cleanup``), and the checks before a run writes
(``preflight``)."""
