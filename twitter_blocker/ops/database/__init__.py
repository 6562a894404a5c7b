"""Runbook "データベース破損" and "データ整合性確認": the staged check (``check``), the runbook's
own verbatim SQL checks (``integrity``), the ledger facts ops shows (``facts``), and recovery
(``recover``, which salvages rows page by page with ``pagereader`` and ``pagesalvage``)."""
