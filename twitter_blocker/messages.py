"""Every user-facing English message, in one place, so a Japanese catalog can follow.

Use ``msg("key", **params)``. Modules add their keys here (grouped by area;
the runbook procedures' in ``messages_ops.py``, spliced into ``EN``) instead of writing
message text inline. A catalog is a plain dict; ``CATALOGS``
maps a language code to one, and ``set_language`` picks it (falls back to English
key by key). The Japanese catalog is ``i18n/ja.py`` (same keys): a key added here
needs its Japanese text there, and ``tests/test_i18n.py`` names every key that lacks one.
"""

from __future__ import annotations

from .messages_ops import OPS

EN: dict[str, str] = {
    # --- cookies -------------------------------------------------------------
    "cookies.missing_file": "cookie file not found",
    "cookies.missing_file.hint": (
        "export your x.com cookies to this file, or point --cookies / TWITTER_COOKIES_PATH at it"
    ),
    "cookies.missing_cookie": "cookie {name!r} is missing",
    "cookies.missing_cookie.hint": (
        "log in at https://x.com, open developer tools > Application > Cookies > https://x.com, "
        "and export auth_token and ct0 (Cookie-Editor's JSON export works)"
    ),
    "cookies.unparseable": "cannot read cookies: {detail}",
    "cookies.unparseable.hint": (
        "use a browser-export JSON array, a JSON object {name: value}, a Netscape cookies.txt "
        "or a raw 'Cookie:' header line"
    ),
    # cookies (inputs/cookies.py)
    "cookies.unreadable": "cannot read the cookie file: {detail}",
    "cookies.empty": "the cookie file is empty",
    "cookies.json_syntax": "invalid JSON at line {line}, column {column}: {detail}",
    "cookies.bad_item": "cookie entry {detail}",
    "cookies.bad_value": "cookie {name!r} must have a string value",
    "cookies.bad_item.hint": (
        'fix that entry (an object with a string "name" and "value") or export the cookies again'
    ),
    "cookies.bad_value.hint": "fix it to a quoted JSON string, or export the cookies again",
    "cookies.not_utf8": "not UTF-8 text (byte {byte})",
    "cookies.not_utf8.hint": "save the file as UTF-8 text, or export the cookies again",
    "cookies.netscape_fields": (
        "a cookies.txt line needs 7 tab-separated fields "
        "(domain, subdomains, path, secure, expiry, name, value), found {count}"
    ),
    "cookies.header_pair": "cookie header part {index} is not name=value",
    "cookies.bad_char": (
        "cookie {name!r} holds a character a Cookie header cannot carry (a ';', a line break "
        "or a non-ASCII character); export the cookies again"
    ),
    # --- targets -------------------------------------------------------------
    "targets.missing_file": "target list not found",
    "targets.missing_file.hint": "create it, or point --users-file / TWITTER_USERS_FILE at it",
    "targets.empty": "the target list has no entries",
    "targets.empty.hint": "add handles or user ids, one per line or as JSON",
    "targets.unparseable": "cannot read the target list: {detail}",
    "targets.invalid": "invalid entry {value!r}: {reason}",
    # targets (inputs/targets.py)
    "targets.unreadable": "cannot read the target list: {detail}",
    "targets.json_syntax": "invalid JSON at line {line}, column {column}: {detail}",
    "targets.json_syntax.hint": (
        "fix the JSON there, or use a plain text file with one handle or id per line"
    ),
    "targets.not_utf8": "not UTF-8 text",
    "targets.not_utf8.hint": "fix the bytes on that line, or save the file as UTF-8 text",
    "targets.wrong_shape": "{detail}",
    "targets.wrong_shape.hint": (
        'use {"format": "screen_name"|"user_id", "users": [...]}, a JSON list, '
        "one handle or id per line, a CSV with an id or screen_name column, or X's block.js"
    ),
    "targets.unknown_format": 'unknown "format" value {value!r}',
    "targets.unknown_format.hint": 'use "screen_name" or "user_id"',
    "targets.csv_no_column": "the CSV header has no id or screen_name column (found: {found})",
    "targets.csv_no_column.hint": (
        "name a column id, user_id, id_str or accountId, and/or screen_name, username or handle"
    ),
    "targets.invalid.more": "invalid entry {value!r}: {reason} (and {more} more invalid)",
    "targets.invalid.hint": "fix them or pass --skip-invalid to leave them out",
    "targets.no_valid": "the target list has no valid entries ({invalid} invalid)",
    "allowlist.missing_file.hint": "create it, or fix the path given to --allowlist",
    # --- run -----------------------------------------------------------------
    "auth.failed": (
        "X rejected the session cookies ({detail}). Log in at https://x.com in your browser, "
        "export auth_token and ct0 again (developer tools > Application > Cookies), "
        "then run `twitter-blocker auth import FILE`"
    ),
    "account.locked": (
        "your X account is temporarily locked (code 326). Unlock it at https://x.com first; "
        "this tool never retries a locked account automatically"
    ),
    "account.suspended": (
        "your X account is suspended (code 64). Resolve it at https://x.com first; "
        "this tool never retries a suspended account automatically"
    ),
    "db.busy": (
        "another run (pid {pid}) holds {db}; wait for it or stop it with `twitter-blocker stop`"
    ),
    "run.interrupted": "stopped before finishing ({why}); run the same command again to resume",
    # --- engine ----------------------------------------------------------------
    "run.session_killed": (
        "X ended the session after {blocks} blocks in this run. {fix}. "
        "To stay under X's hidden limit next time, add --max-blocks-per-hour {cap}"
    ),
    "run.blocks_before": "({blocks} blocks were made in this run before it stopped)",
    "run.ban_signal": (
        "X answered 'rate limit exceeded' {n} times while the window still had budget, "
        "a sign the account is being throttled or flagged; wait a few hours before resuming"
    ),
    "run.no_relationships": (
        "user data from X carries no relationship data and friendships/lookup and "
        "friendships/show gave none either, last with {error}; nothing was blocked blind"
    ),
    "run.cap": "the block cap is reached until {at} (longer than --max-wait)",
    # engine: doubtful answers end in a resumable stop (engine/failures.py)
    "run.outage": (
        "no successful answer from X for {minutes:.0f} minutes, last error {error}; "
        "X or the network is down"
    ),
    "run.too_many_errors": "{n} failed requests in a row, last error {error}",
    "run.no_answer": (
        "X never answered successfully in this run, last error {error}; check the network "
        "and --api-base"
    ),
    "run.contradiction": (
        "{endpoint} answered 'not found' with HTTP {http} code {code} {n} times in a row for "
        "accounts a lookup finds active; X may have retired or refused this path, so nothing "
        "was recorded as not found"
    ),
    "run.forbidden": (
        "blocks/create was refused {n} times in a row with HTTP 403 code {code}: {error}; "
        "check the account at https://x.com"
    ),
    "run.refusing_blocks": (
        "X is refusing blocks (likely a daily cap): blocks/create answered 429 without rate "
        "headers {n} times in a row; resume later"
    ),
    "run.rate_limited": "{op} rate limited; waiting for its reset",
    "run.backing_off": "backing off after {error}",
    "run.guessed_wait": "{op} answered 429 without a reset time; trying again in {seconds:.0f} s",
    "run.allowlist_failed": "could not resolve the allowlist's handles to ids ({error})",
    "run.allowlist_unresolved": (
        "allowlist: @{handle} is not an active account on X; it stays protected by handle only"
    ),
    "run.invalid_skipped": "{where}: skipped invalid entry {value!r} ({reason})",
    "run.duplicate": "{where}: duplicate of an earlier entry ({value!r}), merged",
    "run.more": "... and {n} more {what} in {source}",
    "run.test_user_invalid": "invalid handle or id {value!r}: {reason}",
    "run.other_account": (
        "these cookies are of account {found}, but {db} belongs to account {bound}"
    ),
    "run.other_account.hint": (
        "use that account's cookies, or give this account its own --data-dir or --db"
    ),
    # a bare `twitter-blocker` (cli/preview.py): nothing runs without a flag saying how much
    "preview.title": "no run started: nobody was blocked (blocking needs --all, --max-users N "
    "or --retry). What a run would find here:",
    "preview.cookies_ok": "{path}: account {account}",
    "preview.account_unknown": "id unknown until the first call (no twid cookie)",
    "preview.targets_ok": "{path}: {n} targets",
    "preview.targets_invalid": " ({n} invalid entries, which stop a run unless --skip-invalid)",
    "preview.input_problem": "{detail}",
    "preview.no_database": "{path}: none yet (the first run creates it)",
    "preview.database_unreadable": "{path}: cannot read it ({detail})",
    "preview.database": (
        "{path}: {total} targets recorded, {done} done, {pending} pending, "
        "{retry} waiting for a retry"
    ),
    "preview.database_account": "  it belongs to account {account}",
    "preview.other_account": (
        "  the cookies are of account {account}: a run would be refused (exit 2)"
    ),
    "preview.start": "To start:",
    "preview.cmd_dry_run": "look up and decide everything, block nobody",
    "preview.cmd_test_run": "a real test run: block at most 5 targets",
    "preview.cmd_all": "block the whole list, then retry the failures",
    "preview.cmd_stats": "where things stand",
    # --- ops and incident records: messages_ops.py ---------------------------------
    **OPS,
    # --- x client (twitter_api facade) ------------------------------------------
    "x.bad_api_base": "{value!r} is not an http:// or https:// URL",
    "x.bad_api_base.hint": "use e.g. https://x.com, or the emulator's http://127.0.0.1:PORT",
    "x.login_info_failed": (
        "could not read the logged-in user from X ({detail}); check the network and "
        "--api-base / TWITTER_API_BASE, then try again"
    ),
    # --- endpoints: queryIds, discovery, override file (issue 11) ------------------
    "x.home_logged_out": "x.com/home redirected to the login page (307): the session is not valid",
    "x.home_cloudflare": (
        "x.com/home answered a Cloudflare challenge page instead of the web app, so the current "
        "queryIds could not be read (not retried). Put the current queryId, features and method "
        "of the refused operation in {file} in the data directory (README, 'Endpoints'), then "
        "run the same command again"
    ),
    "x.home_not_app": (
        "x.com/home did not answer the web app (HTTP {status}, {kind}), so the current queryIds "
        "could not be read. Put them in {file} in the data directory (README, 'Endpoints'), then "
        "run the same command again"
    ),
    "x.contract_stale": (
        "X refuses {op} with the queryId, features and method in use ({signal}) and a refresh "
        "from x.com/home found nothing that works. Put the current values for {op} in {file} in "
        "the data directory (README, 'Endpoints'), then run the same command again"
    ),
    "endpoints.bad_json": "not valid JSON ({detail})",
    "endpoints.bad_shape": "expected {expected}",
    "endpoints.unknown_operation": "unknown operation {op!r} (known: {known})",
    "endpoints.hint": (
        'write {"OperationName": {"query_id": "...", "method": "GET", '
        '"features": {"flag": true}, "tid": false}}, or delete the file to use the '
        "built-in values"
    ),
    "endpoints.refreshed": "read x.com/home: {n} operation(s) changed",
    "ops.auth.endpoints_failed": (
        "some operations refuse the queryIds in use: a run will try to refresh them from "
        "x.com/home; see `twitter-blocker endpoints --refresh` and x-endpoints.json (README, "
        "'Endpoints')"
    ),
    # --- store -----------------------------------------------------------------
    "store.cannot_open": "cannot open the database {path}: {detail}",
    "store.not_a_database": (
        "{path} is not a usable SQLite database ({detail}); check it with "
        "`twitter-blocker db check`, recover it with `twitter-blocker db recover` "
        "or restore a backup"
    ),
    "store.no_wal": "cannot switch {path} to WAL mode (got {mode!r}); is it on a network drive?",
    "store.too_new": (
        "{path} has schema version {version}, newer than this tool knows ({known}); "
        "upgrade twitter-blocker or use a backup made by this version"
    ),
    "store.foreign_schema": (
        "{path} holds tables ({tables}) of another tool's database; move it aside "
        "(or point --db at a new file) and import the target list again"
    ),
    # database and data directory checks before any write (store/examine, ops/maintenance/preflight)
    "store.is_directory": "is a directory, not a database; point --db at a database file",
    "store.unreadable": "cannot read the database ({detail}); fix its permissions (chmod u+r)",
    "store.not_sqlite": (
        "not a SQLite database; point --db at this tool's block_history.db (or a new file); "
        "if this was that file, restore a backup (`twitter-blocker restore`) or try "
        "`twitter-blocker db recover`"
    ),
    "store.foreign": (
        "a database of another tool (tables: {tables}), not of twitter-blocker; "
        "nothing was changed. Point --db at block_history.db or at a new file"
    ),
    "store.damaged": (
        "the database is damaged ({detail}); nothing was changed. Salvage it with "
        "`twitter-blocker db recover`, or restore a backup with `twitter-blocker restore`"
    ),
    "perm.dir": (
        "directory is not writable for this user; fix it with `chmod u+w {path}` as its owner, "
        "or use another --data-dir / --db"
    ),
    "perm.file": ("{what} is read-only for this user; fix it with `chmod u+w {path}` as its owner"),
    "perm.missing_dir": "directory does not exist and cannot be created here; create it first",
    "flags.conflict": "{first} and {second} cannot be combined; drop one of them",
    "flags.json_needs_stats": "--json only applies to --stats; add --stats or drop --json",
    # several accounts in one process (--data-dir given several times; engine/accounts.py)
    "flags.one_data_dir": (
        "this command works on one data directory; give --data-dir once (several are taken by "
        "the run, --stats, health, diagnose and ratelimit)"
    ),
    "flags.many_dirs_conflict": (
        "--db and --cookies name one account's files; with several --data-dir each directory "
        "uses its own, so drop --db/--cookies"
    ),
    "accounts.one_only": "{flag} works on one account at a time; give a single --data-dir",
    "accounts.same": (
        "the cookies in {first} and {second} are both of account {account}; one account needs "
        "one data directory, so drop one of them"
    ),
    "accounts.started": "[{account}] {phase}: {total} targets",
    "accounts.title": "{n} accounts",
    "accounts.facts": (
        "shared facts about targets: {proved} learned from X, {reused} lookups saved for the "
        "other accounts"
    ),
    "accounts.no_db": "no database yet",
    "cookies.duplicate": (
        "two different {name!r} cookies for {domain} ({first} and {second}); fix the file so it "
        "holds one, or export the cookies again from one logged-in browser"
    ),
    "store.bad_status": "unknown status {status!r}; expected one of {allowed}",
    "store.no_row": "no block_history row with id {row_id}",
    "store.no_run": "no process_log row with id {run_id}",
    "cache.corrupt": (
        "the cache {path} was damaged ({detail}); moved it to {moved} and started an empty cache"
    ),
    # --- chain sources: collect (cli/collect.py, engine/sources.py) --------------
    "collect.bad_source": "{text!r} is not a source",
    "collect.bad_source.hint": (
        "use followers:@handle, following:@handle, verified-followers:@handle, "
        "retweeters:<post URL or id>, quoters:<post>, repliers:<post>, likers:<post> or "
        "list-members:<list URL or id>"
    ),
    "collect.no_account": "@{handle} cannot be collected: the account is {state}",
    "collect.no_timeline": "X returned no timeline for {source}: no such post, list or account",
    "collect.likers_hidden": (
        "{source}: X shows who liked a post only to its author (likes are private since "
        "June 2024); this is not an empty list"
    ),
    "collect.other_source": (
        "{path} belongs to a collect of {stored}, not {source}; use another -o file"
    ),
    "collect.bad_format": "cannot tell the output format of {path}: use --format json or csv",
    "collect.page": "{source}: page {pages}, {count} collected",
    "collect.wait": "{source}: this operation's window is spent; waiting {seconds:.0f} s",
    "collect.done": "{source}: {count} accounts collected in {pages} pages; end: {reason}",
    "collect.stopped": (
        "{source}: stopped ({reason}); what was collected is kept, run the same command "
        "again to resume"
    ),
    # --- emulator --------------------------------------------------------------
    "emulator.non_loopback": (
        "--host {host!r} is not a loopback address; the emulator serves loopback only "
        "(use 127.0.0.1, ::1 or localhost)"
    ),
    "emulator.bad_option": "{option} {value!r}: {detail}",
    # --- serve (cli/serve.py, dashboard/) -----------------------------------------
    "serve.non_loopback": (
        "--host {host!r} is not a loopback address; the dashboard serves loopback only "
        "(use 127.0.0.1, ::1 or localhost)"
    ),
    "serve.no_data_dir": "--data-dir {path}: no such directory; pass an existing data directory",
    "serve.cannot_bind": "cannot listen on {host} port {port}: {detail}; choose another --port",
    "serve.serving": (
        "dashboard serving on {url} (accounts: {accounts}); read-only, Ctrl+C stops it"
    ),
    # --- block list, unblock, mute (engine/actions.py, engine/undo.py, cli/blocks.py) ----
    "targets.mute_js": "this is X's mute.js archive (accounts you muted), not a block list",
    "targets.mute_js.hint": "to mute them run with --action mute; to block them anyway, "
    "list their ids in another file",
    "undo.no_run": "run {run} is not in this database",
    "undo.one_of": "give exactly one of FILE, --run N or --source NAME",
    "undo.report": (
        "{action}: {done} done, {already} already done earlier, {failed} failed, "
        "{calls} API calls (run {run}, exit {code}: {reason})"
    ),
    "undo.dry_run": "dry run: {n} accounts would get {action} ({already} already done); "
    "nothing was sent or written",
    "undo.follows_lost": (
        "note: an unblock restores the block state only; follows that the block ended "
        "(in both directions) are not restored"
    ),
    "blocks.read_stopped": "the read of your list stopped ({reason}) after {read} accounts; "
    "run the same command again to continue where it stopped",
    "blocks.exported": "{n} accounts written to {path}",
    "blocks.synced": (
        "X shows {on_x} blocks: {adopted} made elsewhere adopted as already_blocked, "
        "{gone} ledger blocks no longer on X marked unblocked_elsewhere (run {run})"
    ),
    "blocks.block_js_needs_ids": "block.js needs user ids: {n} accounts without one were left out",
    "stats.actions": "actions: {block} blocked, {unblock} unblocked, {mute} muted, "
    "{unmute} unmuted; runs undone: {undone}",
    "emulator.bad_switch": "--switch {detail}",
    "emulator.serving": (
        "X emulator serving on {url} (seed {seed}, {population} targets, {viewers} viewers, "
        "{shape} shape, {window}s windows); Ctrl+C stops it"
    ),
    "emulator.fixture_written": "fixture written to {path} ({files})",
}

CATALOGS: dict[str, dict[str, str]] = {"en": EN}
_active: dict[str, str] = EN
_language = "en"


def set_language(code: str) -> None:
    """Speak ``code`` ("en" or "ja"; the Japanese catalog lives in ``i18n/ja.py``)."""
    global _active, _language
    if code == "ja" and "ja" not in CATALOGS:
        from .i18n.ja import MESSAGES

        CATALOGS["ja"] = MESSAGES
    _active = CATALOGS.get(code, EN)
    _language = code if code in CATALOGS else "en"


def language() -> str:
    return _language


# Parameters that carry English prose built elsewhere ("is not an object"): shown in the
# user's language too (``i18n.tr``); names, paths and values are never translated.
_PROSE_PARAMS = frozenset({"detail", "reason", "why", "fix", "action"})


def msg(key: str, /, **params: object) -> str:
    template = _active.get(key) or EN[key]
    if _language != "en" and params:
        from .i18n import tr

        params = {
            name: tr(value) if name in _PROSE_PARAMS and isinstance(value, str) else value
            for name, value in params.items()
        }
    return template.format(**params) if params else template
