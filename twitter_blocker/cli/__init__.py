"""The command line. The only layer that prints, uses rich, or picks exit codes."""

from __future__ import annotations


def main() -> None:
    from .run import root

    root(prog_name="twitter-blocker")
