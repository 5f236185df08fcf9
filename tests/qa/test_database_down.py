"""With the database down, the API answers JSON 503 with Retry-After and the pages a friendly 503."""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.qa.demo.test_rundev import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server_without_database(tmp_path):
    port = free_port()
    env = {
        **os.environ, "DATA_DIR": str(tmp_path), "DEBUG": "false", "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "127.0.0.1", "HTTPS": "false", "STATIC_MANIFEST": "false",
        # A PostgreSQL address where nothing listens: every query fails to connect.
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{free_port()}/callqa", "LOG_LEVEL": "CRITICAL",
    }
    # gunicorn, as in production (runserver would refuse to start without its database).
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "qa.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{base}/static/favicon.svg", timeout=1)
        except urllib.error.HTTPError:
            break  # it answers
        except OSError:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
            continue
        break
    yield base
    server.terminate()
    server.wait(timeout=10)


def fetch(url: str, headers: dict | None = None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.slow
def test_it_answers_the_api_with_json_503_and_retry_after(server_without_database):
    status, headers, body = fetch(f"{server_without_database}/api/calls/", {"Authorization": "Token abc"})
    assert status == 503
    assert headers["Retry-After"] == "30"
    assert "database is unavailable" in json.loads(body)["detail"]


@pytest.mark.slow
def test_it_answers_pages_with_a_friendly_503(server_without_database):
    # A logged-in visitor: reading the session needs the database.
    status, headers, body = fetch(f"{server_without_database}/admin/", {"Cookie": "sessionid=abcdefghijklmnopqrstuvwxyz012345"})
    assert status == 503 and headers["Retry-After"] == "30"
    assert "Back in a moment" in body.decode()
