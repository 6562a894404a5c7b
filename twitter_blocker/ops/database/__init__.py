"""Runbook "データベース破損" and "データ整合性確認": the staged check (``check``), the runbook's
own verbatim SQL checks (``integrity``), and recovery (``recover``, which salvages rows page by
page with ``pagereader`` and ``pagesalvage``). The ledger's rows as ops reads them come from
``twitter_blocker.store.readmodel``."""
