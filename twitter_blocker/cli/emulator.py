"""`twitter-blocker emulator`: serve the loopback X emulator in the foreground."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..emulator import Emulator, EmulatorConfig, Shape, Switches, is_loopback
from ..emulator.config import DEFAULT_LIMITS
from ..errors import InputError
from ..messages import msg
from .errors import handle_errors

_SWITCHES = sorted(f for f in Switches.__dataclass_fields__)


def _pairs(option: str, values: tuple[str, ...]) -> list[tuple[str, str]]:
    out = []
    for value in values:
        name, sep, raw = value.partition("=")
        if not sep or not name:
            raise InputError(
                msg("emulator.bad_option", option=option, value=value, detail="use NAME=VALUE")
            )
        out.append((name.strip(), raw.strip()))
    return out


def _limits(values: tuple[str, ...]) -> dict[str, int | None]:
    limits: dict[str, int | None] = {}
    for name, raw in _pairs("--limit", values):
        if name not in DEFAULT_LIMITS:
            detail = "unknown operation; one of " + ", ".join(sorted(DEFAULT_LIMITS))
            raise InputError(
                msg("emulator.bad_option", option="--limit", value=name, detail=detail)
            )
        try:
            limits[name] = None if raw.lower() in ("none", "off") else int(raw)
        except ValueError:
            detail = "expected a whole number or 'none'"
            raise InputError(
                msg("emulator.bad_option", option="--limit", value=raw, detail=detail)
            ) from None
    return limits


def _switches(values: tuple[str, ...]) -> dict[str, Any]:
    switches: dict[str, Any] = {}
    for name, raw in _pairs("--switch", values):
        if name not in _SWITCHES:
            detail = "unknown switch; one of " + ", ".join(_SWITCHES)
            raise InputError(
                msg("emulator.bad_option", option="--switch", value=name, detail=detail)
            )
        try:
            value: Any = json.loads(raw)
        except ValueError:
            value = raw  # a bare word such as text or json200
        switches[name] = value
    return switches


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Loopback address to bind.")
@click.option("--port", default=8765, show_default=True, type=int, help="Port (0 = any free port).")
@click.option("--seed", default=1, show_default=True, type=int, help="Population seed.")
@click.option("--population", default=1000, show_default=True, type=int, help="Number of targets.")
@click.option("--viewers", default=2, show_default=True, type=int, help="Viewer accounts.")
@click.option(
    "--window-seconds",
    default=900.0,
    show_default=True,
    type=float,
    help="Rate window length (limits stay the same).",
)
@click.option(
    "--shape",
    type=click.Choice([s.value for s in Shape]),
    default=Shape.CURRENT.value,
    show_default=True,
    help="GraphQL user node era.",
)
@click.option(
    "--write-fixture",
    "fixture_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write cookies(_<n>).json, users.json, users_ids.json, truth(_<n>).json here.",
)
@click.option("--not-found-code", type=click.Choice(["50", "34"]), default="50", show_default=True)
@click.option(
    "--batch-limit", default=100, show_default=True, type=int, help="Ids per batch lookup."
)
@click.option("--limit", "limits", multiple=True, metavar="OP=N", help="Override a rate limit.")
@click.option(
    "--switch",
    "switches",
    multiple=True,
    metavar="NAME=VALUE",
    help="Set a switch at start (JSON value), e.g. session_kill_after=500, tid_operations=Viewer.",
)
@click.option(
    "--graph-hub",
    "graph_hubs",
    multiple=True,
    type=click.IntRange(min=0),
    metavar="N",
    help="A large account with N followers in the follower graph (repeatable).",
)
@click.option("--log-level", default="warning", show_default=True)
@handle_errors
def emulator(
    host: str,
    port: int,
    seed: int,
    population: int,
    viewers: int,
    window_seconds: float,
    shape: str,
    fixture_dir: Path | None,
    not_found_code: str,
    batch_limit: int,
    limits: tuple[str, ...],
    switches: tuple[str, ...],
    graph_hubs: tuple[int, ...],
    log_level: str,
) -> None:
    """Serve a faithful loopback emulator of X's web API (docs/EMULATOR.md)."""
    if not is_loopback(host):
        raise InputError(msg("emulator.non_loopback", host=host))
    options: dict[str, Any] = {"not_found_code": int(not_found_code), **_switches(switches)}
    try:
        config = EmulatorConfig(
            seed=seed,
            population=population,
            viewers=viewers,
            window_seconds=window_seconds,
            shape=shape,
            batch_limit=batch_limit,
            limits=_limits(limits),
            graph_hubs=graph_hubs,
            **options,
        )
    except (TypeError, ValueError, KeyError) as exc:
        detail = str(exc)
        raise InputError(
            msg("emulator.bad_option", option="--switch", value=switches, detail=detail)
        ) from None
    emu = Emulator(config)
    if fixture_dir is not None:
        emu.write_fixture(fixture_dir)
        click.echo(msg("emulator.fixture_written", path=fixture_dir, files=fixture_files(viewers)))

    def ready(url: str) -> None:
        click.echo(
            msg(
                "emulator.serving",
                url=url,
                seed=seed,
                population=population,
                viewers=viewers,
                shape=shape,
                window=window_seconds,
            )
        )

    emu.serve_forever(host, port, log_level=log_level, on_ready=ready)


def fixture_files(viewers: int) -> str:
    """The files ``--write-fixture`` writes: one cookie file per viewer, then the lists."""
    cookies = ["cookies.json", *(f"cookies_{n}.json" for n in range(1, viewers))]
    truths = [f"truth_{n}.json" for n in range(1, viewers)]
    return ", ".join([*cookies, "users.json", "users_ids.json", "truth.json", *truths])
