import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_main_py_runs_the_cli() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Usage" in out.stdout


def test_module_entry_point_runs_the_cli() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "twitter_blocker", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "0.1.0" in out.stdout
