"""Shared test fixtures. Topic fixtures live in tests/fixtures_*.py plugins listed below."""
