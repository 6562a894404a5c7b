"""schedule: cron lines and systemd units with absolute paths that really run."""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path

from click.testing import CliRunner

from twitter_blocker.cli.run import root
from twitter_blocker.config import resolve_paths
from twitter_blocker.ops.maintenance.schedule import Format, build_schedule, find_executable


def test_cron_lines(tmp_path: Path) -> None:
    paths = resolve_paths(data_dir=tmp_path, env={})
    result = build_schedule(paths, Format.CRON, executable=("/opt/tb/bin/twitter-blocker",))
    lines = [line for line in result.text.splitlines() if not line.startswith("#")]
    assert len(lines) == 2
    backup, health = lines
    assert backup.startswith("0 * * * * /opt/tb/bin/twitter-blocker backup --retention 24h")
    assert health.startswith("*/15 * * * * /opt/tb/bin/twitter-blocker health")
    assert f"--data-dir {tmp_path}" in backup and f"--data-dir {tmp_path}" in health
    assert "--db" not in backup  # defaults are implied by --data-dir


def test_non_default_paths_are_spelled_out_and_percent_escaped(tmp_path: Path) -> None:
    data = tmp_path / "data 100%"
    paths = resolve_paths(
        data_dir=data, db="/srv/x/ledger.db", env={"TWITTER_COOKIES_PATH": "c.json"}
    )
    result = build_schedule(paths, Format.CRON, executable=("/usr/bin/tb",))
    line = result.text.splitlines()[1]
    assert "--db /srv/x/ledger.db" in line
    assert f"--cookies {shlex.quote(str(data / 'c.json'))}".replace("%", r"\%") in line
    assert "%" not in line.replace(r"\%", "")


def test_systemd_units(tmp_path: Path) -> None:
    paths = resolve_paths(data_dir=tmp_path, env={})
    result = build_schedule(paths, Format.SYSTEMD, executable=("/opt/tb/bin/twitter-blocker",))
    units = {u.name: u.text for u in result.units}
    assert set(units) == {
        "twitter-blocker-backup.service",
        "twitter-blocker-backup.timer",
        "twitter-blocker-health.service",
        "twitter-blocker-health.timer",
    }
    assert "OnCalendar=hourly" in units["twitter-blocker-backup.timer"]
    assert "OnCalendar=*:0/15" in units["twitter-blocker-health.timer"]
    service = units["twitter-blocker-backup.service"]
    assert "Type=oneshot" in service
    assert (
        f"ExecStart=/opt/tb/bin/twitter-blocker backup --retention 24h --data-dir {tmp_path}"
        in (service)
    )
    assert f"WorkingDirectory={tmp_path}" in service


def test_the_printed_cron_command_runs(tmp_path: Path) -> None:
    paths = resolve_paths(data_dir=tmp_path, env={})
    executable = find_executable()
    assert Path(executable[0]).is_absolute()
    result = build_schedule(paths, Format.CRON, executable=executable)
    backup_line = result.text.splitlines()[1]
    command = backup_line.split(" ", 5)[5].split(" >> ")[0]
    (tmp_path / "users.json").write_text('["a"]')
    done = subprocess.run(shlex.split(command), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "backup" / "latest" / "users.json").is_file()


def test_cli_schedule(tmp_path: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(root, ["schedule", "--print", "systemd", "--data-dir", str(tmp_path)])
    assert out.exit_code == 0, out.output
    assert "[Timer]" in out.output
    out = runner.invoke(root, ["schedule", "--json", "--data-dir", str(tmp_path)])
    assert out.exit_code == 0
    assert json.loads(out.output)["format"] == "cron"
    out = runner.invoke(root, ["schedule", "--retention", "soon", "--data-dir", str(tmp_path)])
    assert out.exit_code == 2
