"""The README's backup and restore, performed: pg_dump, restore into a fresh database, copy the audio,
and the restored service serves the call's page and its audio."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG = ["-h", "127.0.0.1", "-U", "postgres"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump is missing (Debian package postgresql-client)"),
]

SEED = """
from django.contrib.auth import get_user_model
from django.utils import timezone
from recordings.services import agent_upsert, call_ingest, client_upsert
client, _ = client_upsert(slug="acme", name="Acme")
agent, _ = agent_upsert(external_id="AGT-1", name="Sam")
call = call_ingest(client=client, agent=agent, external_id="CALL-BACKUP", started_at=timezone.now(),
                   audio="recordings/samples/outage_hold.flac").call
get_user_model().objects.create_superuser("root", "root@example.com", "a-long-password-1")
print(call.pk)
"""

READ_BACK = """
import json
from django.contrib.auth import get_user_model
from django.test import Client
from recordings.models import Call
call = Call.objects.get(external_id="CALL-BACKUP")
browser = Client(HTTP_HOST="localhost")
browser.force_login(get_user_model().objects.get(username="root"))
page = browser.get(f"/admin/recordings/call/{call.pk}/change/")
audio = browser.get(f"/recordings/calls/{call.pk}/audio/")
print(json.dumps({"page": page.status_code, "has_id": "CALL-BACKUP" in page.content.decode(),
                  "audio": audio.status_code, "audio_bytes": len(b"".join(audio.streaming_content))}))
"""


def run(args, env, **kwargs) -> str:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def pg_available() -> bool:
    return subprocess.run(["pg_isready", *PG], capture_output=True).returncode == 0


def test_it_restores_a_dump_and_the_audio_into_a_working_service(tmp_path):
    if not pg_available():
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    source, target = f"callqa_backup_src_{os.getpid()}", f"callqa_backup_dst_{os.getpid()}"
    for name in (source, target):
        subprocess.run(["dropdb", *PG, "--if-exists", name], check=True)
        subprocess.run(["createdb", *PG, name], check=True)
    try:
        base = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
        before = {**base, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{source}", "DATA_DIR": str(tmp_path / "before"),
                  "TRANSCRIBE_ON_INGEST": "false", "LOG_LEVEL": "WARNING"}
        run([sys.executable, "manage.py", "migrate", "-v0"], before)
        call_id = run([sys.executable, "manage.py", "shell", "-c", SEED], before).strip().splitlines()[-1]

        # The backup: a custom-format dump and a copy of the audio folder.
        dump = tmp_path / "callqa.dump"
        run(["pg_dump", *PG, "-Fc", "-f", str(dump), source], base)
        shutil.copytree(tmp_path / "before" / "audio", tmp_path / "after-audio")

        # The restore, into a fresh database and a fresh data folder.
        run(["pg_restore", *PG, "--no-owner", "-d", target, str(dump)], base)
        after = {**before, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{target}", "DATA_DIR": str(tmp_path / "after"),
                 "AUDIO_ROOT": str(tmp_path / "after-audio")}
        result = json.loads(run([sys.executable, "manage.py", "shell", "-c", READ_BACK], after).strip().splitlines()[-1])

        assert call_id.isdigit()
        assert result == {"page": 200, "has_id": True, "audio": 200,
                          "audio_bytes": (ROOT / "recordings/samples/outage_hold.flac").stat().st_size}
    finally:
        for name in (source, target):
            subprocess.run(["dropdb", *PG, "--if-exists", name])
