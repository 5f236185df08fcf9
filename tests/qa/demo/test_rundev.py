"""`make run`'s runner: Ctrl-C stops the web server and the task worker within seconds, busy or not."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def dev_env(tmp_path):
    env = {
        **os.environ, "DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "", "PYTHONUNBUFFERED": "1", "LOG_LEVEL": "WARNING",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    return env


def start(env, port: int) -> tuple[subprocess.Popen, list[int]]:
    runner = subprocess.Popen(
        [sys.executable, "manage.py", "rundev", f"127.0.0.1:{port}"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    first = runner.stdout.readline()
    pids = [int(pid) for pid in re.findall(r"pid (\d+)", first)]
    assert len(pids) == 2, first
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=2)
            break
        except OSError:
            assert time.monotonic() < deadline, "the web server did not come up"
            time.sleep(0.3)
    return runner, pids


def stop_and_time(runner: subprocess.Popen, pids: list[int]) -> float:
    started = time.monotonic()
    runner.send_signal(signal.SIGINT)
    runner.wait(timeout=30)
    while any(group_alive(pid) for pid in pids):
        assert time.monotonic() - started < 30, "children still running"
        time.sleep(0.1)
    return time.monotonic() - started


@pytest.mark.slow
def test_it_stops_the_server_and_the_worker_within_seconds_of_ctrl_c(dev_env):
    runner, pids = start(dev_env, free_port())
    assert all(group_alive(pid) for pid in pids)

    assert stop_and_time(runner, pids) < 8


@pytest.mark.slow
def test_it_stops_a_worker_busy_with_a_long_task(dev_env):
    # A task that would run for a minute: the worker must not hold `make run` hostage.
    queue = (
        "import django; django.setup(); from django_q.tasks import async_task; "
        "async_task('time.sleep', 60)"
    )
    subprocess.run([sys.executable, "-c", queue], cwd=ROOT, env={**dev_env, "DJANGO_SETTINGS_MODULE": "qa.settings"}, check=True)
    runner, pids = start(dev_env, free_port())
    time.sleep(3)  # the worker picks the task up

    assert stop_and_time(runner, pids) < 10
