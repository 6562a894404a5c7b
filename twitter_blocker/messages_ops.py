"""English messages of the runbook procedures (``ops/``) and the incident records and
notifications: part of ``messages.EN`` (spliced in where they stood), so ``msg(key)``, the
Japanese catalog and ``tests/test_i18n.py`` see one catalog.
"""

from __future__ import annotations

OPS: dict[str, str] = {
    # --- ops: backup, restore, db, integrity, cleanup, health, schedule ---------
    "ops.db.missing": "database not found",
    "ops.db.exists": "a file already exists here; `db init` never overwrites (move it aside first)",
    "ops.recover.nothing_readable": "nothing in it could be read as SQLite pages",
    "ops.recover.foreign": (
        "{path}: its schema holds none of this tool's tables (not a block history database); "
        "nothing was recovered: check --db / --data-dir"
    ),
    "ops.recover.other_tables": "tables that are not this tool's were not copied: {tables}",
    "ops.recover.failed": (
        "{path}: nothing readable (no page of it holds SQLite data); "
        "restore a backup instead: `twitter-blocker restore backup/latest`"
    ),
    "ops.recover.not_applied": "recovered copy not swapped in ({why}); the original is untouched",
    "ops.backup.bad_retention": "invalid retention {value!r}",
    "ops.backup.bad_retention.hint": "use a number with a unit: 90m, 24h, 7d",
    "ops.backup.nothing": "nothing to back up: no database, cookies or users file in {data_dir}",
    "ops.restore.no_manifest": "not a backup of this tool (no readable manifest.json)",
    "ops.restore.no_manifest.hint": "pass a backup folder such as backup/latest",
    "ops.restore.tampered": "backup file {name} does not match its manifest ({why}); not restored",
    "ops.restore.damaged": "backup database {name} fails the integrity check ({why}); not restored",
    "ops.restore.after_check": "restored database fails the integrity check: {why}",
    "ops.restore.nothing": "the backup holds none of the files asked for ({roles})",
    "ops.schedule.no_executable": "cannot find the twitter-blocker executable",
    "ops.health.resource": "{percent:.1f}% used (threshold {threshold:g}%)",
    "ops.health.resource_unreadable": "cannot read {name} use: {detail}",
    "ops.health.db_missing": "{path} does not exist yet",
    "ops.health.db_ok": "{name}: quick_check ok",
    "ops.health.db_busy": "busy: {detail}",
    "ops.health.db_damaged": "{name}: {detail}",
    "ops.health.cookies_missing": "{path} is missing",
    "ops.health.cookies_state": "{name} present; {detail}",
    "ops.health.auth_rejected": "X rejected the session ({outcome} at {at}); no good call since",
    "ops.health.auth_last_run": "the last run (#{run}) ended with exit {code}",
    "ops.health.auth_unverified": "not verified yet (no successful call recorded)",
    "ops.health.auth_no_ledger": "not verified yet (no readable database)",
    "ops.health.auth_good": "last good call at {at}",
    "ops.health.run_active": "run active: pid {pid} since {since}",
    "ops.health.stale_lock": (
        "stale lock file {name} (pid {pid} holds no lock; harmless, the next run takes it over)"
    ),
    "ops.health.dead_run": (
        "run #{run} (pid {pid}, started {since}) is recorded as running but no process holds "
        "the lock: it died; the next run resumes its work"
    ),
    "ops.health.idle": "no run active",
    "ops.integrity.db_missing": "database {path} does not exist",
    "ops.integrity.db_damaged": "database check failed: {detail}",
    "ops.integrity.unreadable": "cannot read the ledger: {detail}",
    "ops.integrity.duplicates": "{groups} duplicate (user_id, screen_name) groups, {rows} rows",
    "ops.integrity.in_flight": (
        "{count} pending rows have block_sent_at but no run is active "
        "(a run died mid-block; the next run checks them before blocking again)"
    ),
    "ops.integrity.impossible": (
        "{count} rows with status={status} user_status={user_status} reason={reason}, "
        "a combination the tool never writes"
    ),
    "ops.cleanup.cache_dry": "would purge {count} expired entries and compact",
    "ops.cleanup.cache_done": "{count} expired entries purged, compacted",
    "ops.backup.written": "backup written: {folder}",
    "ops.backup.pruned": "pruned (older than the retention): {folder}",
    "ops.backup.damaged_copy": (
        "a database copy fails its integrity check; the backup is kept for `db recover`"
    ),
    "ops.backup.failed_kept_latest": (
        "failed backup: nothing pruned, the last good backup stays latest ({latest})"
    ),
    "ops.restore.verified": "verified: {folder} (taken {at})",
    "ops.dbcheck.ok": "{path}: ok",
    "ops.dbcheck.damaged": (
        "{path}: damaged; next: `twitter-blocker db recover` (salvage) or "
        "`twitter-blocker restore backup/latest`"
    ),
    "ops.recover.applied": "swapped in; the damaged file is kept as {kept}",
    "ops.recover.review": (
        "not applied: inspect {output}, then run `twitter-blocker db recover --apply`"
    ),
    "ops.db.created": "created {path}",
    "ops.integrity.consistent": "consistent",
    "ops.cleanup.dry_run": "dry run: nothing was changed",
    # --- ops: diagnose, stop, recover, auth, ratelimit, incident -----------------
    "ops.diagnose.healthy": "no problem found",
    "ops.diagnose.level": "incident level: {title} (respond {response}; escalation: {escalation})",
    "ops.diagnose.escalate_now": (
        "escalate now: data loss, a suspected security breach or an unknown recovery path"
    ),
    "ops.stop.not_running": "no run holds {lock}; nothing to stop",
    "ops.stop.stopped": "pid {pid} stopped gracefully after {seconds:.1f}s (SIGTERM)",
    "ops.stop.killed": "pid {pid} ignored SIGTERM for {timeout:.0f}s and was killed (SIGKILL)",
    "ops.stop.refused": "not signalling anything: {detail}",
    "ops.stop.still_running": "pid {pid} still holds the lock after SIGKILL; check it by hand",
    "ops.stop.last_run": (
        "last run #{id}: {status}, exit {exit_code}, reason {reason}; run the same command "
        "again to resume"
    ),
    "ops.recover.phase_ok": "phase {number} passed: {reason}",
    "ops.recover.phase_failed": "phase {number} failed (exit {code}): {reason}",
    "ops.recover.done": "every phase passed; check the results, then run normally:",
    "ops.recover.dry_run": "dry run: the phases looked up and decided, nobody was blocked",
    "ops.auth.ok": "the session is accepted by X: {detail}",
    "ops.auth.not_checked": "the cookie file is complete (no live call made)",
    "ops.auth.failed": "authentication check failed ({verdict}): {detail}",
    "ops.auth.repair": "to repair the cookies:",
    "ops.auth.imported": "wrote {dest} (mode 0600) with {count} cookies",
    "ops.auth.file_mode": (
        "warning: {path} can be read by other users (mode {mode}); run `chmod 600 {path}`"
    ),
    "ops.auth.kept_aside": "the previous file is kept as {path} (mode 0600)",
    "ops.auth.stdin_tty": "paste the cookie export, then press Ctrl-D",
    "ops.ratelimit.none": "no rate-limit state recorded yet",
    "ops.ratelimit.wait": "waiting until {utc} ({local} local, in {seconds:.0f}s) ...",
    "ops.ratelimit.no_wait": "no spent window: nothing to wait for",
    "ops.ratelimit.waited": "the window has reset",
    "ops.ratelimit.interrupted": "wait interrupted",
    "ops.ratelimit.fresh": "fresh (the window reset at {utc}; full limit)",
    "ops.init.created": "created {kind} {path} ({mode})",
    "ops.init.next": (
        "next: cd {dir}, import your cookies with `twitter-blocker auth import FILE`, put the "
        "handles to block into users.json, then `python3 main.py --dry-run --all`"
    ),
    "ops.init.exists": "already exists; init never overwrites",
    "ops.init.hint": "move it aside or choose another directory",
    "ops.init.not_a_dir": "is not a directory",
    "ops.incident.written": "wrote {path}",
    "ops.incident.bad_id": "no incident report {incident_id} in {folder}",
    "ops.incident.bad_id.hint": "use the id printed by `twitter-blocker incident new`",
    "ops.incident.bad_level": "level must be 1, 2 or 3 (or omitted to use the detected level)",
    # --- incident records and notifications (ops/reports/incidents.py, notify.py) ---
    "notify.title.opened": "twitter-blocker: incident #{number} opened (level {level})",
    "notify.title.escalated": "twitter-blocker: incident #{number} escalated (level {level})",
    "notify.title.closed": "twitter-blocker: incident #{number} closed",
    "notify.body.incident": "{symptom}: {detail}\nseen by {source} at {at} UTC in {data_dir}",
    "notify.body.escalated": (
        "{symptom}: {detail}\nopen since {opened} UTC; escalate to the senior developer, "
        "PM and sysadmin ({reason})"
    ),
    "notify.body.closed": "{symptom}: gone ({reason}); open {opened} - {closed} UTC",
    "notify.title.run": "twitter-blocker: run stopped ({reason}, exit {code})",
    "notify.body.run": "{detail}\nresume with: {command}\nin {data_dir}",
    "notify.body.run_fix_first": "{detail}\nfix the cause, then resume with: {command}",
    "notify.failed": "notification to target {target} failed ({detail}); kept to retry later",
    "notify.unsupported": "not a notification URL Apprise can use (scheme {scheme!r})",
    "notify.unsupported.hint": "see https://github.com/caronc/apprise/wiki for URL forms",
    "notify.config_bad": "{detail}",
    "notify.config_bad.hint": 'use [notify] then urls = ["json://host/path", ...]',
    "notify.no_incident": "no incident record #{number}",
    "notify.no_incident.hint": "use a number shown by `twitter-blocker incident list`",
    "notify.closed_by_hand": "closed by hand",
    "notify.list_empty": "no incident recorded",
}
