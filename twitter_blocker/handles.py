"""The comparison form of an X handle, below every layer (the X client and inputs both use it;
``inputs/normalize.py`` re-exports it beside the rest of the handle rules)."""

from __future__ import annotations


def fold_handle(handle: str) -> str:
    """Surrounding spaces and leading ``@`` dropped, lower-cased (handles compare
    case-insensitively)."""
    return handle.strip().lstrip("@").strip().lower()
