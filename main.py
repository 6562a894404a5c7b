#!/usr/bin/env python3
"""Runs the twitter-blocker CLI (the runbook calls ``python3 main.py --all --auto-retry``)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from twitter_blocker.cli import main

if __name__ == "__main__":
    main()
