"""What a backup folder holds: its manifest (files, sizes, sha256, integrity) and its time."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path

from ...timefmt import parse_utc

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
LATEST = "latest"
LATEST_DB = "block_history_latest.db"
AUTO_PREFIX = "auto_"
AUTO_FORMAT = "%Y%m%d_%H%M"
EMERGENCY_PREFIX = "emergency_backup_"
EMERGENCY_FORMAT = "%Y%m%d_%H%M%S"


class Role(Enum):
    DB = "db"
    COOKIES = "cookies"
    USERS = "users"
    CACHE_DB = "cache_db"


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One file of a backup. ``name`` is relative to the backup folder."""

    role: Role
    name: str
    size: int
    sha256: str
    method: str  # "sqlite-backup" | "copy" | "raw-copy" (database unreadable by SQLite)
    integrity: str | None  # databases: "ok" or the first problem; None for other files


@dataclass(frozen=True, slots=True)
class Manifest:
    created_at: str  # UTC ISO-8601 with Z
    kind: str  # "auto" | "emergency"
    tool_version: str
    sqlite_version: str
    files: tuple[FileEntry, ...]
    missing: tuple[str, ...]  # roles whose source file did not exist

    def to_json(self) -> str:
        data = {
            "format": MANIFEST_FORMAT,
            "created_at": self.created_at,
            "kind": self.kind,
            "tool_version": self.tool_version,
            "sqlite_version": self.sqlite_version,
            "files": [
                {
                    "role": f.role.value,
                    "name": f.name,
                    "size": f.size,
                    "sha256": f.sha256,
                    "method": f.method,
                    "integrity": f.integrity,
                }
                for f in self.files
            ],
            "missing": list(self.missing),
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """Parse a manifest; raises ValueError (or KeyError/TypeError) on anything malformed."""
        data = json.loads(text)
        if data.get("format") != MANIFEST_FORMAT:
            raise ValueError(f"unknown manifest format {data.get('format')!r}")
        files = tuple(
            FileEntry(
                role=Role(f["role"]),
                name=str(f["name"]),
                size=int(f["size"]),
                sha256=str(f["sha256"]),
                method=str(f["method"]),
                integrity=None if f["integrity"] is None else str(f["integrity"]),
            )
            for f in data["files"]
        )
        return cls(
            created_at=str(data["created_at"]),
            kind=str(data["kind"]),
            tool_version=str(data["tool_version"]),
            sqlite_version=str(data["sqlite_version"]),
            files=files,
            missing=tuple(str(m) for m in data["missing"]),
        )

    @property
    def created(self) -> datetime:
        return parse_utc(self.created_at)

    def entry(self, role: Role) -> FileEntry | None:
        return next((f for f in self.files if f.role is role), None)

    @property
    def ok(self) -> bool:
        """Every database copy passed its integrity check."""
        return all(f.integrity in (None, "ok") for f in self.files)


def backup_time(folder: Path) -> datetime | None:
    """When a backup was taken: its manifest's time, else the time in its name, else None."""
    try:
        return Manifest.from_json((folder / MANIFEST).read_text(encoding="utf-8")).created
    except (OSError, ValueError, KeyError, TypeError):
        pass
    for prefix, fmt, width in (
        (AUTO_PREFIX, AUTO_FORMAT, len("YYYYmmdd_HHMM")),
        (EMERGENCY_PREFIX, EMERGENCY_FORMAT, len("YYYYmmdd_HHMMSS")),
    ):
        if folder.name.startswith(prefix):
            try:
                stem = folder.name.removeprefix(prefix)[:width]
                return datetime.strptime(stem, fmt).replace(tzinfo=UTC)
            except ValueError:
                return None
    return None


def verified_good(folder: Path) -> bool:
    """The folder's manifest parses and says every database copy checked ok."""
    try:
        manifest = Manifest.from_json((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return manifest.ok and manifest.entry(Role.DB) is not None
