"""S5's measured child: load, normalise, deduplicate and plan one target file.

``python -m bench.plan TARGETS DB`` loads the file with ``inputs.targets.load_targets``,
imports it into a fresh ``block_history.db`` (``store.History.import_targets``), counts the
queue and fetches its first page the way a run starts (``rows_to_process``); prints the counts
as JSON. (A run then pages through the queue as it works; that is not planning.)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

PAGE = 10_000


def plan(targets_path: Path, db_path: Path) -> dict[str, int]:
    from twitter_blocker.inputs.targets import load_targets
    from twitter_blocker.store.history import History

    target_list = load_targets(targets_path)
    history = History.open(db_path)
    imported = history.import_targets(target_list.targets)
    first_page = history.rows_to_process(PAGE)
    pending = history.counts().get("pending", 0)
    history.close()
    return {
        "targets": len(target_list.targets),
        "duplicates": len(target_list.duplicates),
        "invalid": len(target_list.invalid),
        "imported_new": imported.new,
        "imported_known": imported.known,
        "pending": pending,
        "first_page": len(first_page),
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m bench.plan TARGETS DB", file=sys.stderr)
        return 2
    print(json.dumps(plan(Path(argv[0]), Path(argv[1]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
