"""A real django-q2 cluster in subprocesses, on a database of its own.

pytest-django's SQLite test database lives in memory, where no other process can
see it, so the cluster tests migrate a fresh database (a file, or a new PostgreSQL
database when DATABASE_URL points at PostgreSQL) and talk to it through manage.py.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import dj_database_url

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable

SEED = """
import json
from django.utils import timezone
from recordings.models import Agent, Client
from recordings.services import call_ingest
client = Client.objects.create(name="Cluster test", slug="cluster-test")
agent = Agent.objects.create(name="Agent", external_id="cluster-agent")
call = call_ingest(client=client, agent=agent, external_id="cluster-call", started_at=timezone.now(), audio={audio!r}).call
print(json.dumps({{"call_id": call.pk}}))
"""

STATE = """
import json
from recordings.models import Call, Segment, Transcript
call = Call.objects.get(pk={call_id})
print(json.dumps({{
    "status": call.status,
    "failure_reason": call.failure_reason,
    "attempts": call.transcription_attempts,
    "transcripts": Transcript.objects.filter(call=call).count(),
    "segments": Segment.objects.filter(transcript__call=call).count(),
    "analytics": hasattr(call, "analytics"),
}}))
"""



class ClusterDatabase:
    def __init__(self, tmp_path: Path, **env: str):
        self.tmp_path = tmp_path
        self.pg_name = ""
        source = os.environ.get("DATABASE_URL", "")
        if source.startswith("postgres"):
            self.pg_name = f"callqa_cluster_{uuid.uuid4().hex[:10]}"
            self.admin_url = source
            self.url = _with_db(source, self.pg_name)
            self._pg(f'CREATE DATABASE "{self.pg_name}"')
        else:
            self.url = f"sqlite:///{tmp_path / 'cluster.sqlite3'}"
        self.env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "AUDIO_ROOT": str(tmp_path / "cluster-audio"),
            "TRANSCRIBE_ON_INGEST": "True",
            # Each test gets its own queue, so clusters of other runs never take its tasks.
            "Q_NAME": f"callqa-test-{uuid.uuid4().hex[:8]}",
            "Q_SYNC": "False",
            "PYTHONUNBUFFERED": "1",
            "LOG_LEVEL": "INFO",  # the kill test reads the worker's pid from the log
            **env,
        }
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        self.cluster: subprocess.Popen | None = None
        self.log_path = tmp_path / "qcluster.log"
        self.manage("migrate", "--noinput", "-v", "0")

    def _pg(self, sql: str, url: str = "", params: tuple = ()) -> list:
        import psycopg

        db = dj_database_url.parse(url or self.admin_url)
        with psycopg.connect(
            host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"], password=db["PASSWORD"] or None,
            dbname=db["NAME"], autocommit=True,
        ) as conn:
            cursor = conn.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def queued_tasks(self) -> int:
        """Tasks waiting in this cluster's broker: the Redis list, or the ORM broker's table."""
        if self.env.get("REDIS_URL"):
            import redis

            return redis.Redis.from_url(self.env["REDIS_URL"]).llen(f"django_q:{self.env['Q_NAME']}:q")
        return int(self._query("SELECT count(*) FROM django_q_ormq"))

    def status(self, call_id: int) -> str:
        return self._query("SELECT status FROM recordings_call WHERE id = %s", (call_id,))

    def _query(self, sql: str, params: tuple = ()):
        """One value, read straight from the database (cheaper than a manage.py process)."""
        if self.pg_name:
            return self._pg(sql, self.url, params)[0][0]
        import sqlite3

        with sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=30) as conn:
            return conn.execute(sql.replace("%s", "?"), params).fetchone()[0]

    def manage(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if done.returncode != 0:
            raise AssertionError(f"manage.py {args[0]} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def shell(self, code: str) -> str:
        return self.manage("shell", "-c", code).strip().splitlines()[-1]

    def ingest(self, audio: Path) -> int:
        return json.loads(self.shell(SEED.format(audio=str(audio))))["call_id"]

    def state(self, call_id: int) -> dict:
        return json.loads(self.shell(STATE.format(call_id=call_id)))

    def start_cluster(self) -> subprocess.Popen:
        log = open(self.log_path, "ab")
        self.cluster = subprocess.Popen(
            [PYTHON, "manage.py", "qcluster"], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self.cluster

    def stop_cluster(self) -> None:
        if self.cluster and self.cluster.poll() is None:
            os.killpg(self.cluster.pid, signal.SIGKILL)
            self.cluster.wait(timeout=30)
        self.cluster = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for_log(self, pattern: str, timeout: float) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.log())
            if found:
                return found
            if self.cluster and self.cluster.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"no {pattern!r} in the cluster's log within {timeout}s:\n{self.log()[-3000:]}")

    def wait_for_status(self, call_id: int, statuses: set[str], timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        status = ""
        while time.monotonic() < deadline:
            status = self.status(call_id)
            if status in statuses:
                return self.state(call_id)
            time.sleep(0.5)
        raise AssertionError(f"call {call_id} still {status} after {timeout}s; cluster log:\n{self.log()[-3000:]}")

    def close(self) -> None:
        self.stop_cluster()
        if self.pg_name:
            self._pg(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')


def _with_db(url: str, name: str) -> str:
    head, sep, query = url.partition("?")
    base = head.rsplit("/", 1)[0]
    return f"{base}/{name}{sep}{query}"
