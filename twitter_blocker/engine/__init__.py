"""Decisions and the run loop."""
