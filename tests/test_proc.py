"""Process facts: one definition of "alive", and a zombie is not alive."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from twitter_blocker.proc.pids import pid_alive


def test_a_running_process_is_alive_and_nonsense_pids_are_not() -> None:
    assert pid_alive(os.getpid())
    assert not pid_alive(None)
    assert not pid_alive(0)
    assert not pid_alive(-1)


def test_a_zombie_is_not_alive() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        deadline = time.monotonic() + 10
        # Not reaped: once it has exited the pid exists (kill(pid, 0) succeeds) as a zombie.
        while pid_alive(child.pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(child.pid, 0)  # still a process table entry
        assert not pid_alive(child.pid)
    finally:
        child.wait()
    assert not pid_alive(child.pid)
