"""bench_dashboards runs end to end (tiny and on SQLite here; the README's figures come from PostgreSQL)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


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


def test_it_refuses_sqlite_unless_asked(settings):
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("on PostgreSQL the benchmark runs")
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("bench_dashboards", stdout=StringIO())
