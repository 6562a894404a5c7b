"""One disk-use figure (issue 9 item 10): diagnose, stop and health agree with each other and df."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from twitter_blocker.cli.run import root
from twitter_blocker.ops.diagnosis.disk import disk_usage


def _df_percent(path: Path) -> int:
    """``df -P``'s Use% (used / (used + available), rounded up)."""
    out = subprocess.run(["df", "-P", str(path)], capture_output=True, text=True, check=True)
    return int(out.stdout.splitlines()[-1].split()[4].rstrip("%"))


def _run(*args: str) -> str:
    result = CliRunner().invoke(root, list(args))
    return result.output


@pytest.mark.skipif(shutil.which("df") is None, reason="needs df")
def test_diagnose_stop_and_health_show_the_same_disk_figure_as_df(tmp_path: Path) -> None:
    data = str(tmp_path)
    diagnose = json.loads(
        _run("diagnose", "--json", "--data-dir", data, "--api-base", "http://127.0.0.1:9")
    )["disk"]["percent"]
    health = json.loads(_run("health", "--json", "--data-dir", data))
    health_detail = next(c["detail"] for c in health["checks"] if c["name"] == "disk")
    stop = _run("stop", "--data-dir", data)
    figures = {
        "diagnose": float(diagnose),
        "health": float(re.search(r"([\d.]+)% used", health_detail).group(1)),  # type: ignore[union-attr]
        "stop": float(re.search(r"disk ([\d.]+)% used", stop).group(1)),  # type: ignore[union-attr]
    }
    df = _df_percent(tmp_path)
    assert max(figures.values()) - min(figures.values()) <= 0.5, figures  # one figure
    for name, value in figures.items():
        # df rounds up to a whole percent; other writers on the disk may move it a little
        # between the readings, so allow half a point beyond the rounding
        assert df - 1.5 <= value <= df + 0.5, (name, value, df, figures)


def test_disk_usage_is_used_over_what_users_can_have(tmp_path: Path) -> None:
    usage = disk_usage(tmp_path)
    raw = shutil.disk_usage(tmp_path)
    assert usage.percent == round(100.0 * raw.used / (raw.used + raw.free), 1)
    assert (usage.total, usage.used, usage.free) == (raw.total, raw.used, raw.free)
