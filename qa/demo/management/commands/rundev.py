"""`make run`'s last step: the web server and a task worker, stopped together within seconds.

Each child runs in its own session, so a signal reaches it only through this command:
on Ctrl-C or SIGTERM both get SIGTERM, whatever is still running a few seconds later
(a worker busy with a long transcription) is killed, and a second Ctrl-C kills at once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand

GRACE_SECONDS = 4.0


class Command(BaseCommand):
    help = "Run the development web server and a django-q2 worker together; Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport: str, **options):
        manage = [sys.executable, sys.argv[0] if sys.argv[0].endswith("manage.py") else "manage.py"]
        children = [
            subprocess.Popen([*manage, "qcluster"], start_new_session=True),
            subprocess.Popen([*manage, "runserver", "--noreload", addrport], start_new_session=True),
        ]
        self.stdout.write(f"Task worker pid {children[0].pid}, web server pid {children[1].pid}; Ctrl-C stops both.")
        self.stdout.flush()
        stop_requests = []
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda number, frame: stop_requests.append(number))
        try:
            while not stop_requests and all(child.poll() is None for child in children):
                time.sleep(0.2)
        finally:
            self._stop(children, stop_requests)

    def _stop(self, children: list[subprocess.Popen], stop_requests: list) -> None:
        for child in children:
            _signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        asked = len(stop_requests)
        while time.monotonic() < deadline and len(stop_requests) <= max(asked, 1):
            if all(child.poll() is not None for child in children) and not any(_group_alive(c) for c in children):
                break
            time.sleep(0.1)
        for child in children:  # still there after the grace period, or a second Ctrl-C came
            _signal_group(child, signal.SIGKILL)
            child.wait()
        self.stdout.write("Stopped the web server and the task worker.")


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(child.pid, signum)  # the child and every process it started
    except ProcessLookupError:
        pass


def _group_alive(child: subprocess.Popen) -> bool:
    try:
        os.killpg(child.pid, 0)
    except ProcessLookupError:
        return False
    return True
