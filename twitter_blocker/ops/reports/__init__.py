"""Runbook "インシデント報告テンプレート" and "インシデントレポート作成": the incident file and the
post-mortem (``incident``) and the timeline they quote (``timeline``)."""
