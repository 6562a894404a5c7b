"""``collect``: one chain source to a file (or stdout), resumable through a state file beside
the output (``<output>.collect-state``, SQLite; ``store/collect.py``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..config import Paths
from ..errors import InputError
from ..inputs.cookies import load_cookies
from ..inputs.endpoints_file import load_overrides
from ..messages import msg
from ..store.collect import CollectState, OutputFile
from ..x.contract import OVERRIDE_FILE
from ..x.sources import Source, parse_source
from .cacheview import endpoint_table, open_cache
from .clock import SystemClock
from .scheduler import gated_client
from .sources import Collected, collect

STATE_SUFFIX = ".collect-state"


def source_from(text: str) -> Source:
    found = parse_source(text)
    if found is None:
        raise InputError(msg("collect.bad_source", text=text), hint=msg("collect.bad_source.hint"))
    return found


def output_format(path: Path | None, fmt: str | None) -> str:
    if fmt is not None:
        return fmt
    if path is None:
        return "csv"
    ext = path.suffix.lower()
    if ext in (".json", ".csv"):
        return ext[1:]
    raise InputError(msg("collect.bad_format", path=path))


@dataclass(frozen=True, slots=True)
class CollectRequest:
    source: Source
    output: Path | None
    fmt: str
    limit: int | None
    max_wait: float


def run_collect(
    paths: Paths,
    api_base: str,
    req: CollectRequest,
    *,
    echo: Callable[[str], None],
    write: Callable[[str], None],
) -> Collected:
    """Collect into ``req.output`` (or ``write`` CSV lines); raises ``SourceProblem`` (exit 2)
    or ``CollectStopped`` (exit 75, resumable)."""
    cookies = load_cookies(paths.cookies)  # checked before anything is written
    name = str(req.source)
    state_path = None if req.output is None else Path(str(req.output) + STATE_SUFFIX)
    state = CollectState(state_path, name)
    try:
        if not state.matches:
            raise InputError(
                msg(
                    "collect.other_source", path=req.output, stored=state.stored_source, source=name
                )
            )
        out = None if req.output is None else OutputFile(req.output, req.fmt)
        if out is not None:
            out.rewrite(state.rows())  # the file always equals the state, also after a kill
        elif req.fmt == "csv":
            write("user_id,screen_name,source\n")

        def on_page(added: list[tuple[str, str]]) -> None:
            rows = [(uid, handle, name) for uid, handle in added]
            if out is not None:
                out.append(rows)
            else:
                buf = io.StringIO()
                csv.writer(buf, lineterminator="\n").writerows(rows)
                write(buf.getvalue())
            p = state.progress()
            echo(msg("collect.page", source=name, pages=p.pages, count=p.count))

        overrides = load_overrides(paths.data_dir / OVERRIDE_FILE)
        with (
            open_cache(paths) as cache,
            gated_client(
                cookies,
                api_base=api_base,
                clock=SystemClock(),
                endpoint_table=endpoint_table(cookies, cache, overrides),
            ) as client,
        ):
            return collect(
                client, req.source, state, on_page=on_page, limit=req.limit,
                max_wait=req.max_wait,
                on_wait=lambda s: echo(msg("collect.wait", source=name, seconds=s)),
            )  # fmt: skip
    finally:
        state.close()
