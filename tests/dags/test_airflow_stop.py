"""`make airflow-stop` stops exactly what `make airflow` started, never its caller.

A stand-in for `airflow standalone` (no Airflow needed: what matters is the process tree): a
session leader recorded in `standalone.pid` the way `start_standalone` records it, with a child
in its group and a grandchild that left the group with `setsid` (as a task supervisor may). The
stop runs through the real CLI from a shell whose environment names the same `AIRFLOW_HOME`, next
to a bystander process with that environment too.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from etl.airflow_service import _alive, _stat

TREE = r"""
import os, subprocess, sys, time
# A child in the leader's group, and one that leaves it (setsid), like a task supervisor.
stay = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
leave = subprocess.Popen(
    [sys.executable, "-c", "import os, time; os.setsid(); time.sleep(600)"]
)
with open(sys.argv[1], "w") as out:
    out.write(f"{stay.pid} {leave.pid}")
time.sleep(600)
"""


def _wait_for(path: Path) -> str:
    deadline = time.monotonic() + 30
    while not path.exists() or not path.read_text():
        assert time.monotonic() < deadline, "the stand-in did not start"
        time.sleep(0.1)
    time.sleep(0.3)  # the setsid child has called setsid
    return path.read_text()


def _running(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and _alive(pid, stat[2])


def test_stop_ends_the_started_tree_and_spares_the_caller(tmp_path: Path) -> None:
    home = tmp_path / "x"
    home.mkdir()
    env = {**os.environ, "AIRFLOW_HOME": str(home)}
    children = tmp_path / "children"
    leader = subprocess.Popen(
        [sys.executable, "-c", TREE, str(children)], env=env, start_new_session=True
    )
    bystander = subprocess.Popen(["sleep", "300"], env=env)
    try:
        stay, leave = (int(p) for p in _wait_for(children).split())
        (home / "standalone.pid").write_text(str(leader.pid), encoding="utf-8")
        news_etl = Path(sys.executable).parent / "news-etl"
        caller = subprocess.run(
            ["bash", "-c", f"'{news_etl}' airflow stop; echo caller-survived $?"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert caller.returncode == 0, (caller.returncode, caller.stdout, caller.stderr)
        assert "caller-survived 0" in caller.stdout
        leader.wait(timeout=30)
        deadline = time.monotonic() + 10
        while (_running(stay) or _running(leave)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _running(stay), "the child in the group was left running"
        assert not _running(leave), "the child that left the group with setsid was left running"
        assert bystander.poll() is None, "a process that start did not launch was signalled"
        assert not (home / "standalone.pid").exists()
    finally:
        for proc in (leader, bystander):
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_stop_without_a_started_airflow_signals_nothing(tmp_path: Path) -> None:
    from etl.airflow_service import stop_standalone

    home = tmp_path / "x"
    bystander = subprocess.Popen(["sleep", "300"], env={**os.environ, "AIRFLOW_HOME": str(home)})
    try:
        assert stop_standalone(home) == 0
        time.sleep(0.2)
        assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()
