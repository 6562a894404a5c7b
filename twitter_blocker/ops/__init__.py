"""The runbook's procedures as functions the CLI calls."""
