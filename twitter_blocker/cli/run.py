"""The root command: the runbook's flags (``--all --auto-retry`` ...) run the blocker.

``twitter-blocker`` / ``python3 -m twitter_blocker`` / ``python3 main.py`` all land
here. With a subcommand (``backup``, ``health``, ...) the root only dispatches.
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING, Any

import click

from ..config import Paths
from ..errors import InputError
from ..messages import msg
from .errors import handle_errors
from .i18n import choose, localize
from .lazy import LazyGroup
from .notify_opts import after_run, notify_option, notify_urls
from .options import api_base_option, many_data_dirs, path_options

if TYPE_CHECKING:
    from ..engine.runtypes import RunOptions

TEST_RUN_DEFAULT = 5


def _install_signal_handlers(stop: threading.Event) -> None:
    """First SIGINT/SIGTERM: finish the in-flight request, commit, exit 75. Second: now."""

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        click.echo(
            "\nstopping after the current request (press Ctrl-C again to stop now)", err=True
        )

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


class _OneLineUsageError(click.UsageError):
    """A usage error shown as one ``error:`` line, like every other bad input (exit 2)."""

    def show(self, file: IO[Any] | None = None) -> None:
        where = f" (see '{self.ctx.command_path} --help')" if self.ctx is not None else ""
        click.echo(f"error: {self.format_message()}{where}", err=True)


def _one_line(exc: click.UsageError) -> click.UsageError:
    if isinstance(exc, _OneLineUsageError | click.exceptions.NoArgsIsHelpError):
        return exc  # a group called without its subcommand still shows its help
    return _OneLineUsageError(exc.format_message(), exc.ctx)


class RootGroup(LazyGroup):
    """The root group: bad flags of the root or of any subcommand print one line, exit 2."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        if parent is None:  # the language of this invocation, before any parsing
            choose(args)
            localize(self)
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            raise _one_line(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise _one_line(exc) from None


# Flags that make the root command a run; --stats and --test-user are read-only reports.
_RUN_FLAGS = (
    ("all_targets", "--all"),
    ("retry", "--retry"),
    ("dry_run", "--dry-run"),
    ("max_users", "--max-users"),
    ("auto_retry", "--auto-retry"),
    ("reset_retry", "--reset-retry"),
)


def _check_conflicts(flags: dict[str, Any]) -> None:
    """Conflicting flags are an error naming both, never a silent choice of one."""
    given = [name for key, name in _RUN_FLAGS if flags[key] not in (None, False)]
    for key, name in (("test_user", "--test-user"), ("stats", "--stats")):
        if flags[key] and given:
            raise InputError(msg("flags.conflict", first=name, second=given[0]))
        if flags[key]:
            given.append(name)
    if flags["retry"] and flags["dry_run"]:
        raise InputError(msg("flags.conflict", first="--retry", second="--dry-run"))
    if flags["as_json"] and not flags["stats"]:
        raise InputError(msg("flags.json_needs_stats"))


@click.group(
    cls=RootGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="twitter-blocker", prog_name="twitter-blocker")
@click.option("--all", "all_targets", is_flag=True, help="Process the whole target list.")
@click.option(
    "--max-users",
    type=click.IntRange(min=1),
    default=None,
    help="Without --all: a real test run of at most N targets (a bare command blocks nobody).",
)
@click.option(
    "--delay",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="Minimum seconds between block calls.",
)
@click.option("--auto-retry", is_flag=True, help="Run the retry pass after the main pass.")
@click.option("--retry", is_flag=True, help="Run the retry pass alone (it really blocks).")
@click.option(
    "--reset-retry", is_flag=True, help="Reset attempt counts; nobody leaves the retry queue."
)
@click.option("--stats", is_flag=True, help="Show totals, retry candidates, errors, last run.")
@click.option(
    "--dry-run", is_flag=True, help="Look up and decide everything, block nobody; save a report."
)
@click.option("--test-user", metavar="NAME", help="Read-only: status, relations and blocking.")
@click.option(
    "--allowlist",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Never block anyone in this list (any target-list format).",
)
@click.option("--block-following", is_flag=True, help="Also block accounts you follow.")
@click.option("--block-followers", is_flag=True, help="Also block accounts that follow you.")
@click.option(
    "--max-wait",
    type=click.FloatRange(min=0),
    default=None,
    metavar="SECONDS",
    help="Longest single wait for a rate-limit reset; longer waits stop the run (75).",
)
@click.option(
    "--recheck-permanent",
    type=click.FloatRange(min=0),
    default=None,
    metavar="DAYS",
    help="Look up suspended/not-found targets again after DAYS (suspensions get lifted).",
)
@click.option(
    "--max-blocks-per-hour",
    type=click.IntRange(min=1),
    default=None,
    help="Cap on block calls per rolling hour (persisted across restarts).",
)
@click.option(
    "--max-blocks-per-day",
    type=click.IntRange(min=1),
    default=None,
    help="Cap on block calls per rolling 24 hours (persisted across restarts).",
)
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Skip invalid entries of the target list instead of stopping (they are listed).",
)
@click.option(
    "--action",
    type=click.Choice(["block", "mute"]),
    default="block",
    show_default=True,
    help="What a run does to the targets: block them, or mute them instead.",
)
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="SOURCE",
    help="Also collect and block a chain source (followers:@h, retweeters:POST, ...; repeatable).",
)
@click.option("--include-source", is_flag=True, help="With --source: block the source account too.")
@click.option("--skip-verified", is_flag=True, help="With --source: never block verified accounts.")
@click.option("--json", "as_json", is_flag=True, help="With --stats: print JSON.")
@click.option("--debug", is_flag=True, help="Verbose logging (DEBUG) to the console and log file.")
@click.option("--debug-errors", is_flag=True, help="Print every failed API attempt as it happens.")
@notify_option
@path_options
@many_data_dirs
@api_base_option
@click.pass_context
@handle_errors
def root(
    ctx: click.Context, /, paths: Paths, api_base: str, more_paths: tuple[Paths, ...], **flags: Any
) -> None:
    """Bulk-block accounts on X safely, resumably and inside X's rate limits.

    \b
    Quick use (from the data directory holding cookies.json and users.json):
      twitter-blocker                     what a run would find; starts nothing
      twitter-blocker --dry-run --all     see what would happen, block nobody
      twitter-blocker --all --auto-retry  block the whole list, then retry failures
      twitter-blocker --stats             where things stand
    Exit codes: 0 done, 1 unexpected error, 2 bad input or usage, 3 authentication
    failed, 4 account locked or suspended, 5 another run holds the database,
    75 stopped before finishing (run again to resume).
    """
    if ctx.invoked_subcommand is not None:
        return
    sys.exit(_run(paths, api_base, flags, more_paths))


# Flags that say what to do; without any of them nothing runs (a bare command blocks nobody).
ACTION_FLAGS = (
    "all_targets",
    "max_users",
    "retry",
    "auto_retry",
    "dry_run",
    "stats",
    "test_user",
    "reset_retry",
)


def _run(
    paths: Paths, api_base: str, flags: dict[str, Any], more_paths: tuple[Paths, ...] = ()
) -> int:
    from .. import logs
    from ..ops.maintenance import preflight

    # Everything is checked before the first file (the log included) is created or changed.
    _check_conflicts(flags)
    if not any(flags[name] for name in ACTION_FLAGS):
        from .preview import show_preview

        return max(show_preview(p) for p in (paths, *more_paths))
    if more_paths:
        from .multirun import run_many

        return run_many([paths, *more_paths], api_base, flags)
    if flags["stats"]:
        preflight.check_writable(paths, lock=False)
        preflight.check_database(paths)
        logs.setup_logging(paths, debug=flags["debug"], console=flags["debug"])
        from .stats import show_stats

        return show_stats(paths, as_json=flags["as_json"])
    if flags["test_user"]:
        checked = preflight.read_run_inputs(
            paths, api_base, read_targets=False, skip_invalid=False, allowlist=flags["allowlist"]
        )
        preflight.check_writable(paths, database=False, lock=False)
        preflight.check_database(paths)
        logs.setup_logging(paths, debug=flags["debug"], console=flags["debug"])
        from ..engine.runtypes import RunOptions
        from .usercheck import show_user

        policy = RunOptions(  # the run's policy: the same flags decide
            allowlist=checked.allowlist,
            skip_following=not flags["block_following"],
            skip_followers=not flags["block_followers"],
        )
        return show_user(paths, api_base, flags["test_user"], policy)
    from ..engine.runner import execute
    from ..engine.runtypes import AccountStopped, AuthStopped

    if flags["reset_retry"] and not (flags["retry"] or flags["all_targets"] or flags["max_users"]):
        preflight.check_before_writing(paths)
        logs.setup_logging(paths, debug=flags["debug"], console=flags["debug"])
        from .stats import reset_retry

        return reset_retry(paths)
    urls = notify_urls(paths, flags["notify"])
    from ..engine.collecting import source_from

    sources = tuple(text.strip() for text in flags["sources"] if source_from(text))
    inputs = preflight.read_run_inputs(
        paths,
        api_base,
        read_targets=not flags["retry"] and (not sources or paths.users_file.exists()),
        skip_invalid=flags["skip_invalid"],
        allowlist=flags["allowlist"],
    )
    from .unblock import check_action, run_mute

    if inputs.targets is not None:
        check_action(flags["action"], inputs.targets.format, inputs.targets.source)
    preflight.check_before_writing(paths)
    logs.setup_logging(paths, debug=flags["debug"], console=flags["debug"])
    if flags["action"] == "mute" and not flags["retry"]:
        return run_mute(paths, api_base, inputs, flags)
    options = run_options(flags, inputs.allowlist, sources)
    from .progress import make_progress
    from .report import print_report

    stop = threading.Event()
    _install_signal_handlers(stop)
    progress = make_progress(debug_errors=flags["debug_errors"], delay=flags["delay"])
    try:
        report = execute(
            paths,
            api_base,
            options,
            progress=progress,
            stop=stop,
            inputs=(inputs.cookies, inputs.targets),
        )
    except (AuthStopped, AccountStopped) as exc:
        progress.close()
        print_report(exc.report, options, fatal=True)
        after_run(paths, exc.report, urls)  # incidents and notifications; never raises
        raise
    progress.close()
    print_report(report, options)
    after_run(paths, report, urls)
    return int(report.exit_code)


def run_options(
    flags: dict[str, Any], allowlist: frozenset[str], sources: tuple[str, ...]
) -> RunOptions:
    """The run's options from the root command's flags."""
    from ..engine.runtypes import RunOptions

    # --max-users caps any mode; --all and --retry (every retry candidate) have no cap of
    # their own; --dry-run or --auto-retry alone take the test run's TEST_RUN_DEFAULT targets.
    limit: int | None = flags["max_users"]
    if limit is None and not (flags["all_targets"] or flags["retry"]):
        limit = TEST_RUN_DEFAULT
    return RunOptions(
        mode="retry" if flags["retry"] else "dry_run" if flags["dry_run"] else "main",
        limit=limit,
        auto_retry=flags["auto_retry"],
        delay=flags["delay"],
        max_wait=flags["max_wait"],
        skip_following=not flags["block_following"],
        skip_followers=not flags["block_followers"],
        allowlist=allowlist,
        recheck_permanent_days=flags["recheck_permanent"],
        reset_retry=flags["reset_retry"],
        max_blocks_per_hour=flags["max_blocks_per_hour"],
        max_blocks_per_day=flags["max_blocks_per_day"],
        skip_invalid=flags["skip_invalid"],
        sources=sources,
        include_source=flags["include_source"],
        skip_verified=flags["skip_verified"],
    )
