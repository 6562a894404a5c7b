"""``execute``: one run of the blocker, from the input files to a ``RunReport``.

Order matters:
1. check the API base, read the cookies and the target list (``InputError`` before
   anything is written; the CLI does this and more in ``ops.preflight``);
2. take the run lock (``DatabaseBusyError`` naming the holder's pid);
3. open the ledger, import the targets, open the cache;
4. if nothing is left to do, end here: no API call at all;
5. run the main pass (or the dry run), then the retry pass (``--auto-retry``/``--retry``);
6. whatever happens, commit, end the ``process_log`` row and release the lock.

Auth failure, a session kill, or the account's own lock/suspension raise
``AuthStopped`` (exit 3) / ``AccountStopped`` (exit 4), each carrying the report.
"""

from __future__ import annotations

import gc
import logging
import random
import shlex
import sys
import threading
from collections import Counter
from dataclasses import replace
from datetime import datetime

from .. import logs
from ..config import Paths
from ..errors import EXIT_OK, EXIT_RESUMABLE, EXIT_UNEXPECTED, EXIT_USAGE, InputError
from ..inputs.cookies import Cookies, load_cookies, write_cookies_json
from ..inputs.endpoints_file import load_overrides
from ..inputs.targets import TargetList, load_targets
from ..messages import msg
from ..proc.runlock import RunLock
from ..store.db import parse_iso
from ..store.history import History
from ..x.client import XClient
from ..x.contract import OVERRIDE_FILE, Override
from ..x.errors import XAccountError, XAuthError, XError
from ..x.models import CallRecord
from ..x.transport import check_api_base
from .account import bind_if_proven, check_account
from .allow import resolve_allowlist
from .cacheview import endpoint_table, open_cache
from .clock import Clock, SystemClock, to_datetime
from .endings import raise_fatal, settle_stop, write_plan
from .facts import FactsView, SharedFacts
from .feeds import count_due, has_work, main_feed, retry_feed
from .ledger import run_counts
from .listnotes import report_list_problems
from .loop import Pass, Stop
from .runtypes import (
    AccountStopped,
    AuthStopped,
    NullProgress,
    PlannedAction,
    ProgressSink,
    RunOptions,
    RunReport,
    UserReport,
)
from .scheduler import Caps, Scheduler
from .undo import note_sources
from .usercheck import inspect_user

__all__ = [
    "AccountStopped",
    "AuthStopped",
    "NullProgress",
    "PlannedAction",
    "ProgressSink",
    "RunOptions",
    "RunReport",
    "UserReport",
    "execute",
    "inspect_user",
]

log = logging.getLogger("twitter_blocker.engine")

DRY_RUN_REPORT = "dry_run_report.json"


def _command(options: RunOptions) -> str:
    argv = sys.argv[1:] if sys.argv and sys.argv[0] else []
    return "twitter-blocker " + (shlex.join(argv) if argv else f"--mode {options.mode}")


def execute(
    paths: Paths,
    api_base: str,
    options: RunOptions,
    *,
    progress: ProgressSink | None = None,
    stop: threading.Event | None = None,
    clock: Clock | None = None,
    inputs: tuple[Cookies, TargetList | None] | None = None,
    facts: SharedFacts | None = None,
) -> RunReport:
    """Run the blocker once. See the module docstring for the order of things.

    ``inputs``: the cookies and target list already read and checked by the caller (the CLI
    reads them before it creates the log file); read here when None. ``facts``: what the
    other accounts of this process proved about targets (``facts.py``; several --data-dir).
    """
    progress = progress or NullProgress()
    stop = stop or threading.Event()
    clock = clock or SystemClock()
    if inputs is None:
        check_api_base(api_base)
        cookies = load_cookies(paths.cookies)
        targets = (
            load_targets(paths.users_file, skip_invalid=options.skip_invalid)
            if options.mode != "retry"
            else None
        )
    else:
        cookies, targets = inputs
    logs.register_secret(cookies.auth_token, cookies.ct0, *(v for _, v in cookies.others))
    if targets is not None:
        report_list_problems(targets, progress)
    overrides = load_overrides(paths.data_dir / OVERRIDE_FILE)
    lock = RunLock(paths.lock_file, db_label=str(paths.db), db=paths.db)
    lock.acquire(_command(options))
    try:
        paths.db.parent.mkdir(parents=True, exist_ok=True)
        with History.open(paths.db) as history:
            if cookies.user_id is not None:  # twid names the account: check before any write
                check_account(history, paths.cookies, cookies.user_id, bind=False)
            if targets is not None:
                stats = history.import_targets(targets.targets)
                note_sources(history.conn, targets)  # for unblock --source (engine/undo.py)
                log.info(
                    "targets: %d in %s (%d new, %d known, %d duplicates, %d invalid)",
                    len(targets.targets),
                    paths.users_file,
                    stats.new,
                    stats.known,
                    len(targets.duplicates),
                    len(targets.invalid),
                )
            if options.reset_retry:
                n = history.reset_attempts()
                log.info("reset the attempt counts of %d rows", n)
            run = _Run(paths, api_base, options, cookies, history, progress, stop, clock)
            run.overrides = overrides
            run.facts = facts
            # What is loaded by now (modules, the target list) outlives the passes: full
            # collections during them skip it (a run allocates a lot, so they come often).
            gc.freeze()
            try:
                report = run.go()
            finally:
                gc.unfreeze()
    finally:
        lock.release()
    if targets is not None:
        report.duplicates, report.invalid = len(targets.duplicates), len(targets.invalid)
    return report


class _Run:
    def __init__(
        self,
        paths: Paths,
        api_base: str,
        options: RunOptions,
        cookies: Cookies,
        history: History,
        progress: ProgressSink,
        stop: threading.Event,
        clock: Clock,
    ) -> None:
        self.paths = paths
        self.api_base = api_base
        self.o = options
        self.cookies = cookies
        self.history = history
        self.progress = progress
        self.stop = stop
        self.clock = clock
        self.rng = random.Random(options.seed)
        self.api_calls: Counter[str] = Counter()
        self.report = RunReport()
        self._pass: Pass | None = None
        self.overrides: dict[str, Override] = {}  # x-endpoints.json
        self.facts: SharedFacts | None = None

    # --- what is there to do -------------------------------------------------------------
    def _now_dt(self) -> datetime:
        return to_datetime(self.clock.now())

    # --- the run -------------------------------------------------------------------------
    def go(self) -> RunReport:
        if not has_work(self.history, self.o, self._now_dt()):
            run_id = self.history.start_run(_command(self.o), 0)
            self.report.run_ids.append(run_id)
            self.history.end_run(
                run_id, status="done", exit_code=EXIT_OK, end_reason="done", counts=self._counts()
            )
            self.progress.start(self.o.mode, 0)
            log.info("nothing to do: every target is in a final state")
            if self.o.mode == "dry_run":
                self._write_plan()
            return self.report
        pending = self.history.counts().get("pending", 0)
        total = pending if self.o.limit is None else min(pending, self.o.limit)
        run_id = self.history.start_run(_command(self.o), total)
        self.report.run_ids.append(run_id)
        status, code, reason = "failed", EXIT_UNEXPECTED, "error"
        stopped: Stop | None = None
        cache = open_cache(self.paths)
        client = XClient(
            self.cookies,
            api_base=self.api_base,
            observer=self._observe,
            batch_size=self.o.batch_size,
            endpoint_table=endpoint_table(self.cookies, cache, self.overrides),
            on_ct0=self._keep_ct0,
        )
        try:
            viewer_id = self.cookies.user_id or self._viewer(client)
            self.o = resolve_allowlist(self.o, client, self.progress, cache, viewer_id)
            scheduler = Scheduler(
                self.history.budgets,
                viewer_id,
                self.clock,
                delay=self.o.delay,
                caps=Caps(self.o.max_blocks_per_hour, self.o.max_blocks_per_day),
                rng=self.rng,
                on_budget=lambda op, info: self.progress.budget(
                    op, info.remaining, info.limit, info.reset
                ),
            )
            client.gate = scheduler.check  # the one "may this operation send now?"
            self._pass = Pass(
                options=self.o,
                client=client,
                history=self.history,
                cache=cache if self.facts is None else FactsView(self.facts, cache),
                scheduler=scheduler,
                clock=self.clock,
                progress=self.progress,
                stop=self.stop,
                viewer_id=viewer_id,
                run_id=run_id,
                error_log=logs.ErrorLog(self.paths.error_log),
                rng=self.rng,
            )
            self._pass.lookups.facts, self._pass.lookups.stop = self.facts, self.stop
            try:
                self._passes(self._pass, total)
                status, code, reason = "done", EXIT_OK, "done"
            except Stop as exc:
                stopped = exc
                status, code, reason = settle_stop(
                    exc, self.report, blocks=self._blocks(), scheduler=scheduler
                )
        except Stop as exc:  # the viewer lookup failed before any pass
            stopped = exc
            status, code, reason = settle_stop(exc, self.report, blocks=0, scheduler=None)
        except InputError:  # another account's cookies, found by the viewer lookup
            status, code, reason = "failed", EXIT_USAGE, "other_account"
            raise
        except KeyboardInterrupt:
            status, code, reason = "interrupted", EXIT_RESUMABLE, "interrupted"
            raise
        finally:
            client.endpoints.flush()
            client.close()
            cache.close()
            self._close(run_id, status, code, reason)
            log.info(
                "run %d ended: %s (exit %d), counts %s, calls %s",
                run_id,
                reason,
                code,
                self.report.counts,
                self.report.api_calls,
            )
        if self.o.mode == "dry_run":
            self._write_plan()
        if stopped is not None:
            raise_fatal(stopped, self.report)
        return self.report

    def _close(self, run_id: int, status: str, code: int, reason: str) -> None:
        """Commit what is buffered and end the process_log row. Runs on every way out; if
        the database itself is failing, the original error must not be masked."""
        if self._pass is not None:
            self.report.counts = dict(self._pass.counts)
            self.report.plan = self._pass.plan
        self.report.api_calls = dict(self.api_calls)
        self.report.end_reason, self.report.exit_code = reason, code
        try:
            if self._pass is not None:
                self._pass.flush()
                bind_if_proven(self.history, self._pass.viewer_id, self._pass.ledger.last.values())
            self.history.end_run(
                run_id, status=status, exit_code=code, end_reason=reason, counts=self._counts()
            )
        except Exception:
            if status != "failed":
                raise
            log.exception("could not record the end of run %d", run_id)

    def _keep_ct0(self, value: str) -> None:
        """X set a new ct0 (403/353): keep it in the cookie file (atomic, 0600)."""
        logs.register_secret(value)
        self.cookies = replace(self.cookies, ct0=value)
        write_cookies_json(self.cookies, self.paths.cookies)
        log.info("X set a new ct0 cookie; saved it into %s", self.paths.cookies)

    def _observe(self, record: CallRecord) -> None:
        self.api_calls[record.operation] += 1
        if self._pass is not None:
            self._pass.observe(record)

    def _viewer(self, client: XClient) -> str:
        try:
            user = client.viewer()
        except XAuthError as exc:
            raise Stop("auth", exc) from exc
        except XAccountError as exc:
            raise Stop("account", exc) from exc
        except XError as exc:
            raise Stop("no_answer", exc, detail=msg("run.no_answer", error=str(exc))) from exc
        # Without twid the account was unknown until now: refuse another's before any lookup.
        check_account(self.history, self.paths.cookies, user.user_id, user.screen_name)
        return user.user_id

    def _passes(self, p: Pass, total: int) -> None:
        if self.o.mode in ("main", "dry_run"):
            p.run(self.o.mode, main_feed(self.history, self.o, self.clock), total)
            if self.o.sources:
                self._source_pass(p)
        if self.o.mode == "retry" or (self.o.mode == "main" and self.o.auto_retry):
            self._retry_rounds(p)
        p.failures.check_answered()  # failures and not one answer from X: not "done"

    def _source_pass(self, p: Pass) -> None:
        from .sourcefeed import source_pass

        source_pass(p, self.o, self.history, self.paths.data_dir)

    def _retry_rounds(self, p: Pass) -> None:
        """Due candidates, round after round, waiting for the next due one in between."""
        budget = [self.o.limit if self.o.limit is not None else sys.maxsize]
        while budget[0] > 0:
            now_dt = self._now_dt()
            if self.history.retry_candidates(now_dt, self.o.max_attempts, 1):
                total = min(budget[0], count_due(self.history, self.o, now_dt))
                before = sum(p.counts.values())
                p.run("retry", retry_feed(self.history, self.o, now_dt, budget), total)
                if sum(p.counts.values()) == before:  # pragma: no cover - defensive
                    log.warning("a retry round settled nothing; stopping the retry pass")
                    return
                continue
            nxt = self.history.next_retry_at(self.o.max_attempts)
            if nxt is None:
                return
            p.wait_until(parse_iso(nxt).timestamp(), "retry backoff")

    def _blocks(self) -> int:
        return self._pass.counts.get("blocked", 0) if self._pass is not None else 0

    def _counts(self) -> dict[str, int]:
        last = self._pass.ledger.last if self._pass is not None else {}
        counts = run_counts(last, dry=self.o.mode == "dry_run")
        return {**counts, "api_calls": sum(self.api_calls.values())}

    def _write_plan(self) -> None:
        write_plan(self.paths.data_dir / DRY_RUN_REPORT, self.report, self.clock.now())
