"""The container (issue 14 item 10): the Dockerfile and deploy/compose.yaml are checked on every
run; the image is built and started only when ``TWITTER_BLOCKER_DOCKER_BUILD=1`` is set and a
container engine answers (a build takes minutes and needs the package registry)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml  # PyYAML: installed with apprise, a dependency

from twitter_blocker.config import resolve_paths
from twitter_blocker.ops.maintenance.schedule import Job, jobs

ROOT = Path(__file__).resolve().parents[1]
BUILD_ENV = "TWITTER_BLOCKER_DOCKER_BUILD"


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions (keyword, arguments), continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    joined = text.replace("\\\n", " ")
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            out.append((keyword.upper(), " ".join(rest.split())))
    return out


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    return loaded


def _job(name: str) -> Job:
    """The job ``schedule`` prints for cron and systemd."""
    return next(j for j in jobs(resolve_paths(data_dir="/data/x", env={})) if j.name == name)


def _job_args(name: str) -> tuple[str, ...]:
    """What ``schedule`` runs for a job, without the path flags."""
    args = _job(name).args
    return args[: args.index("--data-dir")]


def test_the_dockerfile_builds_a_slim_non_root_image_with_volumes_and_a_health_check() -> None:
    steps = instructions()
    keywords = [k for k, _ in steps]
    base = dict(steps)["FROM"]
    assert base.startswith("python:3.1") and base.endswith("-slim"), base
    users = [(i, arg) for i, (k, arg) in enumerate(steps) if k == "USER"]
    assert users, "no USER: the container would run as root"
    last_user_at, user = users[-1]
    assert user not in ("root", "0") and not user.startswith("0:")
    last_run_at = max(i for i, k in enumerate(keywords) if k == "RUN")
    assert last_user_at > last_run_at  # the user is switched after the last build step
    assert "useradd" in dict(steps)["RUN"] and f"--uid {10001}" in dict(steps)["RUN"]
    assert '"/data"' in dict(steps)["VOLUME"]
    health = dict(steps)["HEALTHCHECK"]
    assert "twitter-blocker health" in health and "CMD" in health
    assert "--interval=15m" in health  # the runbook's 15-minute health check (schedule's job)
    assert _job("health").cron == "*/15 * * * *"
    assert "exit 1" in health  # health's exit 2 (critical) must reach Docker as 1 (unhealthy)
    assert dict(steps)["ENTRYPOINT"] == '["twitter-blocker"]'
    assert not any(k == "ADD" for k in keywords)  # COPY only: nothing fetched at build time
    ignored = (ROOT / ".dockerignore").read_text().split()
    for secret in ("cookies*.json", "*.db", ".venv", ".git"):
        assert secret in ignored  # cookies and ledgers of the checkout never enter the image


def test_the_compose_example_runs_several_accounts_the_backup_and_the_dashboard() -> None:
    services = compose()["services"]
    blocker = services["blocker"]
    command = blocker["command"]
    assert command[:2] == ["--all", "--auto-retry"]
    dirs = [command[i + 1] for i, a in enumerate(command) if a == "--data-dir"]
    assert len(dirs) >= 2 and all(d.startswith("/data/") for d in dirs)
    for service in services.values():
        assert "/data" in " ".join(service["volumes"])
        assert not service.get("privileged") and service.get("user") in (None, "10001")
    backup = " ".join(services["backup"]["command"])
    assert " ".join(_job_args("backup")) in backup  # `backup --retention 24h`, as schedule says
    assert "sleep 3600" in backup and services["backup"]["healthcheck"]["disable"] is True
    assert _job("backup").cron == "0 * * * *"  # hourly
    dashboard = services["dashboard"]
    assert dashboard["command"][0] == "serve" and "--host" not in dashboard["command"]
    assert [
        dashboard["command"][i + 1] for i, a in enumerate(dashboard["command"]) if a == "--data-dir"
    ] == dirs
    assert dashboard["profiles"] == ["dashboard"] and dashboard["network_mode"] == "host"


def _engine() -> str | None:
    for name in ("docker", "podman"):
        found = shutil.which(name)
        if found is None:
            continue
        probe = subprocess.run([found, "info"], capture_output=True, timeout=30, check=False)
        if probe.returncode == 0:
            return found
    return None


@pytest.mark.slow
def test_the_image_builds_and_checks_its_health(tmp_path: Path) -> None:
    if os.environ.get(BUILD_ENV) != "1":
        pytest.skip(f"set {BUILD_ENV}=1 to build the image (minutes, needs the registry)")
    engine = _engine()
    if engine is None:
        pytest.skip("no container engine answers (docker/podman info failed)")
    tag = "twitter-blocker:test"
    build = subprocess.run(
        [engine, "build", "-t", tag, str(ROOT)], capture_output=True, text=True, timeout=1200
    )
    assert build.returncode == 0, build.stderr[-3000:]
    user = subprocess.run(
        [engine, "run", "--rm", "--entrypoint", "id", tag, "-u"], capture_output=True, text=True
    )
    assert user.returncode == 0 and user.stdout.strip() not in ("", "0"), user
    helped = subprocess.run([engine, "run", "--rm", tag, "serve", "--help"], capture_output=True)
    assert helped.returncode == 0
    inspect = subprocess.run(
        [engine, "inspect", "--format", "{{json .Config.Healthcheck}}", tag],
        capture_output=True,
        text=True,
    )
    assert "twitter-blocker health" in inspect.stdout
