"""Runbook "緊急事態の分類", "問題診断" and "システムヘルスチェック": ``diagnose`` gathers the
facts (``facts``, ``disk``) and grades them into the runbook's levels (``levels``); ``health``
is the quick scheduled check."""
