"""bench_dashboards runs end to end (tiny and on SQLite here; the README's figures come from PostgreSQL)."""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db(transaction=True)
def test_it_generates_data_and_prints_median_p95_and_queries_per_page():
    out = StringIO()
    call_command("bench_dashboards", "--allow-sqlite", "--in-place", "--calls", "400", "--evaluations", "40", "--agents", "12",
                 "--teams", "2", "--clients", "2", "--weeks", "6", "--repeat", "2", "--rules", stdout=out)

    text = out.getvalue()
    assert "Generated 400 calls, 40 evaluations, 12 agents, 2 teams, 2 clients over 6 weeks" in text
    for page in ("team dashboard (month)", "agent scorecard page", "scorecard API", "team trend, 12 weeks"):
        line = next(line for line in text.splitlines() if line.startswith(page))
        median, p95, queries = line[50:].split()[:3]
        assert float(median) > 0 and float(p95) >= float(median) and int(queries) > 0
    assert "training-need rules over 12 agents" in text


def test_it_refuses_sqlite_unless_asked(tmp_path):
    # In its own process on SQLite, whichever database this test run uses.
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}", "DATA_DIR": str(tmp_path)}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    done = subprocess.run([sys.executable, "manage.py", "bench_dashboards"], cwd=root, env=env, capture_output=True, text=True)
    assert done.returncode != 0 and "PostgreSQL" in done.stderr
