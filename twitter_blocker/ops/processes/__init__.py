"""Runbook "緊急停止" and "段階的復旧": stop the one run holding the lock (``stop``) and resume in
phases (``recover``). The run lock and process facts live in ``twitter_blocker.proc``."""
