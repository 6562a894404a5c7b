"""The schema of ``block_history.db`` as named, ordered migrations (docs/SCHEMA.md)."""

from __future__ import annotations

from .account import CREATE_META, adopt_from_history
from .actions import M007_ACTIONS
from .db import Migration

M001_INITIAL = Migration(
    1,
    "0001_initial",
    (
        """CREATE TABLE block_history(
  id INTEGER PRIMARY KEY,
  user_id TEXT UNIQUE,
  screen_name TEXT,
  status TEXT NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending','blocked','skipped','failed')),
  user_status TEXT,
  protected INTEGER NOT NULL DEFAULT 0,
  reason TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,
  block_sent_at TEXT,
  last_http_status INTEGER,
  last_error_code INTEGER,
  last_error TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  checked_at TEXT,
  blocked_at TEXT
)""",
        """CREATE TABLE target_keys(
  key TEXT PRIMARY KEY,
  history_id INTEGER NOT NULL REFERENCES block_history(id) ON DELETE CASCADE
) WITHOUT ROWID""",
        """CREATE TABLE attempts(
  id INTEGER PRIMARY KEY,
  at TEXT,
  run_id INTEGER,
  operation TEXT,
  user_id TEXT,
  history_id INTEGER,
  http_status INTEGER,
  code INTEGER,
  message TEXT,
  outcome TEXT,
  elapsed_ms REAL
)""",
        """CREATE TABLE process_log(
  id INTEGER PRIMARY KEY,
  started_at TEXT,
  ended_at TEXT,
  pid INTEGER,
  command TEXT,
  status TEXT,
  exit_code INTEGER,
  end_reason TEXT,
  targets INTEGER,
  blocked INTEGER,
  skipped INTEGER,
  failed INTEGER,
  api_calls INTEGER
)""",
        """CREATE TABLE rate_budgets(
  account TEXT,
  operation TEXT,
  "limit" INTEGER,
  remaining INTEGER,
  reset_epoch REAL,
  updated_epoch REAL,
  PRIMARY KEY(account, operation)
)""",
        """CREATE TABLE pacing_events(
  id INTEGER PRIMARY KEY,
  account TEXT,
  kind TEXT,
  at_epoch REAL,
  detail TEXT
)""",
    ),
)

M002_INDEXES = Migration(
    2,
    "0002_indexes",
    (
        # rows_to_process / counts by status; (status, id) order comes for free.
        "CREATE INDEX idx_block_history_status ON block_history(status)",
        # runbook and --test-user lookups by handle, case-insensitively.
        "CREATE INDEX idx_block_history_screen_name ON block_history(screen_name COLLATE NOCASE)",
        # retry candidates that are due.
        "CREATE INDEX idx_block_history_retry ON block_history(status, next_attempt_at)",
        # all keys of one row (merges, Row.keys).
        "CREATE INDEX idx_target_keys_history ON target_keys(history_id)",
        # the attempts of one run; the latest attempts (ratelimit, incident timelines).
        "CREATE INDEX idx_attempts_run ON attempts(run_id)",
        "CREATE INDEX idx_attempts_at ON attempts(at)",
        # hourly/daily caps: count one kind of event of one account since a time.
        "CREATE INDEX idx_pacing_events ON pacing_events(account, kind, at_epoch)",
    ),
)

M003_ATTEMPT_OUTCOMES = Migration(
    3,
    "0003_attempt_outcomes",
    (
        # "the last rate-limited / auth-failed call" (health, diagnose, ratelimit) without
        # scanning every API call ever made.
        "CREATE INDEX idx_attempts_outcome ON attempts(outcome)",
    ),
)

M004_ACCOUNT_META = Migration(
    4,
    "0004_account_meta",
    # meta: key-value facts about the ledger; account_id is the X account it belongs to.
    (CREATE_META,),
    apply=adopt_from_history,
)

M005_BLOCK_VERIFIED = Migration(
    5,
    "0005_block_verified",
    (
        # when a read-back (UsersByRestIds) saw X keep the block; NULL = not verified (yet)
        "ALTER TABLE block_history ADD COLUMN verified_at TEXT",
    ),
)

MIGRATIONS: tuple[Migration, ...] = (
    M001_INITIAL,
    M002_INDEXES,
    M003_ATTEMPT_OUTCOMES,
    M004_ACCOUNT_META,
    M005_BLOCK_VERIFIED,
    M007_ACTIONS,  # 7, not 6: another branch adds migration 6 (the coordinator renumbers)
)

# Tables of the original tool's database: a file holding them without our
# schema_migrations table is refused instead of being half-reused.
LEGACY_TABLES: tuple[str, ...] = ("block_history", "process_log")
