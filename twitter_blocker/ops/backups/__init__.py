"""Runbook "緊急バックアップ" and "バックアップからの復旧": take a verified backup (``backup``)
with its manifest (``manifest``); check one, then restore it (``restore``)."""
