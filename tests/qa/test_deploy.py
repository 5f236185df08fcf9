"""Production settings: secure by default with DEBUG=false, a real SECRET_KEY and ALLOWED_HOSTS."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def check_deploy(**env) -> str:
    ignored = ("DEBUG", "HTTPS", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    environment = {k: v for k, v in os.environ.items() if k not in ignored}
    environment.update(env)
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=environment, capture_output=True, text=True,
    )
    return done.stdout + done.stderr


def test_it_reports_nothing_with_production_settings_and_nothing_else():
    output = check_deploy(DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="qa.example.com")
    assert "System check identified no issues" in output, output


def test_it_warns_when_a_site_chooses_plain_http():
    output = check_deploy(DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="qa.example.com", HTTPS="false")
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in output


@pytest.mark.django_db
def test_it_answers_the_health_check_and_the_favicon(client):
    assert client.get(reverse("healthz")).json() == {"status": "ok"}
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 302 and favicon["Location"].endswith("favicon.svg")
