"""The agent's pages and the managers' dashboard: who gets in, what they see, CSV export, fixed query counts."""

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qa.audit.models import AuditEntry
from qa.performance.models import Acknowledgement, Dispute
from qa.performance.selectors import rules_period
from qa.performance.services import training_rules_run
from qa.reviews.models import MonitoringPlan
from tests.conftest import ingest_sample_call
from tests.factories import AgentFactory, ClientFactory, ManagerFactory, ReviewerFactory, TeamFactory, UserFactory
from tests.qa.performance.helpers import at, call, past_month, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(rubric):
    """A team of three with calls and evaluations this month; Sarah has a login and a critical fail."""
    team = TeamFactory(name="Tier 1")
    MonitoringPlan.objects.create(team=team, evaluations_per_agent=1, period="week")
    sarah = AgentFactory(name="Sarah Jones", external_id="SARAH", team=team, user=UserFactory(username="sarah"))
    bob = AgentFactory(name="=HYPERLINK(\"http://evil\")", external_id="BOB", team=team)
    cara = AgentFactory(name="Cara Diaz", external_id="CARA", team=team)
    now = timezone.now()
    for agent, seconds in ((sarah, 500), (bob, 200), (cara, 300)):
        call(agent=agent, started_at=now - timedelta(minutes=5), talk_seconds=seconds, csat=4)
    submit(rubric, call(agent=sarah, started_at=now - timedelta(minutes=5)), comment="Read the disclosure first.",
           disclosure="no")
    submit(rubric, call(agent=cara, started_at=now - timedelta(minutes=5)))
    training_rules_run()
    return {"team": team, "sarah": sarah, "bob": bob, "cara": cara}


def test_it_lets_an_agent_log_in_and_lands_them_on_their_scorecard(client, team):
    response = client.post(reverse("login"), {"username": "sarah", "password": "pw-for-tests"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("performance:my-scorecard")
    html = response.content.decode()
    assert "My scorecard" in html and "Sarah Jones" in html


def test_it_shows_the_agent_figures_chart_data_evaluations_and_flags(client, team):
    client.force_login(team["sarah"].user)
    html = client.get(reverse("performance:my-scorecard")).content.decode()

    chart = json.loads(re.search(r'<script id="trend-data" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert [s["label"] for s in chart["series"]] == ["QA score (%)", "FCR (%)", "AHT (s)"] and len(chart["labels"]) == 12
    assert "Read the disclosure first." in html and "critical item failed" in html
    assert "Critical item failed" in html  # the open flag
    evaluation = team["sarah"].calls.get(evaluations__isnull=False)
    assert reverse("performance:my-call", args=[evaluation.pk]) in html
    assert 'action="' + reverse("performance:evaluation-dispute", args=[evaluation.evaluations.get().pk]) in html
    assert "<script>" not in html and "style=" not in html and "https://" not in html


def test_it_keeps_the_scorecard_page_to_a_fixed_number_of_queries(client, team, rubric, django_assert_max_num_queries):
    sarah = team["sarah"]
    client.force_login(sarah.user)
    url = reverse("performance:my-scorecard")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for i in range(6):
        submit(rubric, call(agent=sarah, client=ClientFactory(), started_at=timezone.now() - timedelta(minutes=i)),
               closing="no")
    training_rules_run()
    with django_assert_max_num_queries(40), CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_it_shows_the_agent_their_own_call_only_and_lets_them_hear_it(client, samples_dir, rubric):
    sarah = AgentFactory(user=UserFactory(username="sarah"))
    own = ingest_sample_call(samples_dir, agent=sarah)
    submit(rubric, own, comment="Good hold etiquette.")
    other = call(agent=AgentFactory())
    client.force_login(sarah.user)

    html = client.get(reverse("performance:my-call", args=[own.pk])).content.decode()

    assert f'src="{reverse("recordings:call-audio", args=[own.pk])}"' in html
    assert "Good hold etiquette." in html and 'class="line speaker-agent"' in html
    viewed = AuditEntry.objects.get(action="transcript.viewed")
    assert (viewed.actor, viewed.object_id) == (sarah.user, str(own.pk))
    assert client.get(reverse("recordings:call-audio", args=[own.pk])).status_code == 200
    assert client.get(reverse("performance:my-call", args=[other.pk])).status_code == 404
    assert client.get(reverse("recordings:call-audio", args=[other.pk])).status_code == 404  # as if it did not exist


def test_it_acknowledges_and_disputes_from_the_scorecard(client, team, rubric):
    sarah = team["sarah"]
    acknowledged = submit(rubric, call(agent=sarah, started_at=timezone.now()))
    disputed = sarah.calls.get(evaluations__critical_failed=True).evaluations.get()
    client.force_login(sarah.user)
    back = reverse("performance:my-scorecard") + "?from=2026-01-01&to=2026-01-31"

    assert client.get(reverse("performance:evaluation-acknowledge", args=[acknowledged.pk])).status_code == 405
    response = client.post(reverse("performance:evaluation-acknowledge", args=[acknowledged.pk]), {"next": back})
    assert response["Location"] == back
    response = client.post(reverse("performance:evaluation-dispute", args=[disputed.pk]),
                           {"reason": "The disclosure was read at 0:05.", "next": "https://evil.example/"})
    assert response["Location"] == reverse("performance:my-scorecard")  # never off-site

    assert Acknowledgement.objects.get().evaluation == acknowledged
    assert Dispute.objects.get().reason == "The disclosure was read at 0:05."
    cara_evaluation = team["cara"].calls.get(evaluations__isnull=False).evaluations.get()
    assert client.post(reverse("performance:evaluation-dispute", args=[cara_evaluation.pk]), {"reason": "x"}).status_code == 404


def test_it_keeps_scorecards_to_qa_staff_and_the_agent(client, team):
    url = reverse("performance:agent-scorecard", args=[team["cara"].pk])
    client.force_login(ReviewerFactory())
    assert client.get(url).status_code == 200
    client.force_login(team["sarah"].user)
    assert client.get(url).status_code == 404  # another agent's scorecard does not exist for her
    assert client.get(reverse("performance:agent-scorecard", args=[team["sarah"].pk])).status_code == 200
    staff = UserFactory()
    ClientFactory().users.add(staff)
    client.force_login(staff)
    assert client.get(url).status_code == 404
    assert client.get(reverse("performance:my-scorecard")).status_code == 404  # not an agent


def test_it_shows_managers_the_team_sorted_with_flags_highlighted(client, team, django_assert_max_num_queries):
    client.force_login(ManagerFactory())
    url = reverse("performance:dashboard")
    html = client.get(url, {"team": team["team"].pk, "sort": "aht", "dir": "desc"}).content.decode()

    order = [m for m in re.findall(r'data-agent="(\w+)"', html)]
    assert order == ["SARAH", "CARA", "BOB"]
    flagged = re.search(r'<tr class="perf-flagged" data-agent="(\w+)"', html).group(1)
    assert flagged == "SARAH"
    assert reverse("performance:agent-scorecard", args=[team["sarah"].pk]) in html
    assert 'data-chart="agents-data"' in html and 'data-chart="survey-data"' in html
    trend_url = re.search(r'data-chart-url="([^"]+)"', html).group(1).replace("&amp;", "&")
    with django_assert_max_num_queries(20):
        client.get(url, {"team": team["team"].pk})
    with django_assert_max_num_queries(8):
        trend = client.get(trend_url).json()
    assert len(trend["labels"]) == 12 and trend["series"][2]["data"][-1] == pytest.approx(1000 / 3, abs=1)


def test_it_keeps_the_dashboard_queries_fixed_as_the_team_grows(client, team, django_assert_max_num_queries):
    client.force_login(ManagerFactory())
    url = reverse("performance:dashboard")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url, {"team": team["team"].pk})
    for i in range(10):
        call(agent=AgentFactory(team=team["team"]), started_at=timezone.now() - timedelta(minutes=i), talk_seconds=100)
    with CaptureQueriesContext(connection) as large:
        client.get(url, {"team": team["team"].pk})
    assert len(large.captured_queries) == len(small.captured_queries)


def test_it_exports_the_table_as_csv_safe_against_formulas(client, team):
    client.force_login(ReviewerFactory())
    response = client.get(reverse("performance:dashboard"), {"team": team["team"].pk, "export": "csv"})

    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="performance-tier-1-' in response["Content-Disposition"]
    rows = {r["agent_external_id"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    assert rows["BOB"]["agent_name"] == "'=HYPERLINK(\"http://evil\")"
    assert (rows["SARAH"]["aht_seconds"], rows["SARAH"]["critical_fails"]) == ("500.0", "1")
    assert set(rows["SARAH"]["open_flags"].split("; ")) == {"Section average below threshold", "Critical item failed"}
    assert rows["BOB"]["qa_average_score"] == "" and rows["BOB"]["fcr_rate"] == ""  # nothing to count: empty, not 0


def test_it_keeps_the_dashboard_to_qa_staff(client, team):
    client.force_login(team["sarah"].user)
    assert client.get(reverse("performance:dashboard"))["Location"].startswith(reverse("admin:login"))
    client.force_login(ManagerFactory())
    assert client.get(reverse("performance:dashboard"), {"team": "999999"}).status_code == 404
    assert "all teams" in client.get(reverse("performance:dashboard"), {"team": ""}).content.decode()


def test_it_refuses_a_bad_period_on_the_page_and_shows_this_month(client, team):
    client.force_login(team["sarah"].user)
    html = client.get(reverse("performance:my-scorecard"), {"from": "2026-11-30", "to": "2026-11-01"}).content.decode()
    assert "is before" in html
    month = past_month()
    html = client.get(reverse("performance:my-scorecard"), {"from": month.first, "to": month.last}).content.decode()
    assert "No evaluations of calls in this period." in html


def test_it_sums_up_performance_on_the_managers_landing_page(client, team):
    week = rules_period(timezone.now())
    for _ in range(3):
        call(agent=team["bob"], started_at=at(week.first))  # Bob took calls in the rules week, none evaluated
    client.force_login(ManagerFactory())

    html = client.get(reverse("admin:index")).content.decode()

    summary = re.search(r'id="performance-summary">(.*?)</div>', html, re.S).group(1)
    assert re.search(r"<strong>1</strong> of 1 agents under-monitored", summary)
    assert re.search(r"<strong>2</strong> training flags not closed", summary)
    assert re.search(r"<strong>0</strong> disputes to resolve", summary)
