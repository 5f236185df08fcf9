"""Automatic checks on the scorecard (page and API) and the team dashboard: hand-computed coverage beside the
human QA score and apart from it, scoped like the other figures, in a fixed number of queries."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import AgentFactory, ClientFactory, ManagerFactory, ReviewerFactory, TeamFactory, UserFactory
from tests.qa.autoqa.helpers import auto_store
from tests.qa.performance.helpers import api_as, at, call, past_month, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(rubric):
    """Sarah and Bob in Tier 1, last-but-one month. Sarah: four transcribed Acme calls (three checked) and one
    Globex call (checked); Bob: two Acme calls, every check passed. A reviewer scored one of Sarah's calls 100%."""
    acme, globex = ClientFactory(slug="acme"), ClientFactory(slug="globex")
    team = TeamFactory(name="Tier 1")
    sarah = AgentFactory(name="Sarah Jones", external_id="SARAH", team=team, user=UserFactory(username="sarah"))
    bob = AgentFactory(name="Bob Smith", external_id="BOB", team=team)
    period = past_month()
    day = at(period.first + timedelta(days=3))

    def checked(agent, client, **answers):
        c = call(agent=agent, client=client, started_at=day)
        auto_store(rubric, c, **answers)
        return c

    scored = checked(sarah, acme, greeting="pass", closing="fail")
    checked(sarah, acme, greeting="pass", closing="pass")
    checked(sarah, acme, greeting="fail", closing="unknown")
    call(agent=sarah, client=acme, started_at=day)  # transcribed, not checked yet
    checked(sarah, globex, greeting="fail", closing="fail")
    checked(bob, acme, greeting="pass", closing="pass")
    checked(bob, acme, greeting="pass", closing="pass")
    submit(rubric, scored)  # the human QA score: 100, whatever the checks said
    acme_staff = UserFactory(username="acme-staff")
    acme.users.add(acme_staff)
    return {"sarah": sarah, "bob": bob, "team": team, "period": period, "acme_staff": acme_staff}


def scorecard(user, agent, period) -> dict:
    response = api_as(user).get(f"/api/agents/{agent.pk}/scorecard/", {"from": period.first, "to": period.last})
    assert response.status_code == 200, response.content
    return response.json()


def item(key, passed, failed, unknown) -> dict:
    judged = passed + failed
    return {
        "criterion_key": key, "passed": passed, "failed": failed, "unknown": unknown, "judged": judged,
        "pass_rate": passed / judged if judged else None, "fail_rate": failed / judged if judged else None,
    }


def test_the_api_gives_the_agents_automatic_coverage_apart_from_the_qa_score(world):
    body = scorecard(ReviewerFactory(), world["sarah"], world["period"])

    assert body["qa"]["average_score"] == 100.0 and body["qa"]["evaluations"] == 1  # the QA score stays human
    assert body["auto_qa"] == {
        "transcribed_calls": 5, "calls_checked": 4, "checked_share": 0.8,
        "pass_rate": 3 / 7,  # greeting 2 of 4, closing 1 of 3 (one unknown left out)
        "items": [item("greeting", 2, 2, 0), item("closing", 1, 2, 1)],
    }


def test_client_staff_read_the_automatic_coverage_of_their_clients_calls_only(world):
    body = scorecard(world["acme_staff"], world["sarah"], world["period"])

    assert body["auto_qa"] == {
        "transcribed_calls": 4, "calls_checked": 3, "checked_share": 0.75, "pass_rate": 3 / 5,
        "items": [item("greeting", 2, 1, 0), item("closing", 1, 1, 1)],
    }


def test_the_scorecard_page_shows_the_automatic_checks_in_their_own_block_beside_the_team(client, world):
    client.force_login(ReviewerFactory())
    period = world["period"]
    url = reverse("performance:agent-scorecard", args=[world["sarah"].pk])

    html = client.get(url, {"from": period.first, "to": period.last}).content.decode()

    block = html[html.index('<section aria-labelledby="auto-title" id="auto-qa">'):]
    block = block[:block.index("</section>")]
    assert "Automatic checks (every transcribed call)" in block and "not the QA score" in block
    assert re.search(r"<strong>80%</strong> of the transcribed calls checked \(4 of 5\) · team 86%", block)  # team: 6 of 7
    assert "automatic pass rate <strong>43%</strong> (team 64%)" in block  # 3 of 7; team 7 of 11
    greeting = re.search(r'<tr data-check="greeting">(.*?)</tr>', block).group(1)
    assert re.findall(r"<td>(.*?)</td>", greeting) == ["Greeting", "50%", "2", "2", "0", "67%"]  # team 4 of 6
    closing = re.search(r'<tr data-check="closing">(.*?)</tr>', block).group(1)
    assert re.findall(r"<td>(.*?)</td>", closing) == ["Closing", "33%", "1", "2", "1", "60%"]  # team 3 of 5
    qa_card = re.search(r'id="figure-qa">(.*?)</article>', html, re.S).group(1)
    assert "100.0%" in qa_card  # the QA score card: reviewers' evaluation only


def test_the_agent_is_told_there_were_no_transcribed_calls_rather_than_0_percent(client, world):
    client.force_login(world["sarah"].user)

    html = client.get(reverse("performance:my-scorecard"), {"from": "2020-01-01", "to": "2020-01-31"}).content.decode()

    assert "Automatic checks (every transcribed call)" in html
    assert "No transcribed calls in this period" in html and 'id="auto-table"' not in html


def test_the_dashboard_shows_auto_checked_share_and_automatic_pass_rate_columns_and_the_teams(client, world):
    client.force_login(ManagerFactory())
    period = world["period"]
    query = {"team": world["team"].pk, "from": period.first, "to": period.last}

    html = client.get(reverse("performance:dashboard"), {**query, "sort": "auto_pass", "dir": "desc"}).content.decode()

    headers = re.findall(r'<th scope="col"[^>]*><a [^>]*>([^<▲▼]+)', html)
    assert [h.strip() for h in headers][-2:] == ["Auto-checked", "Auto pass rate"]
    assert re.findall(r'data-agent="(\w+)"', html) == ["BOB", "SARAH"]  # 100% then 43%
    sarah = re.search(r'data-agent="SARAH">(.*?)</tr>', html, re.S).group(1)
    assert "80% <small>(4 of 5)</small>" in sarah and ">43%</td>" in sarah
    team_line = re.search(r'id="perf-auto-team">(.*?)</p>', html, re.S).group(1)
    assert "not the QA score" in team_line
    assert "86% of 7 transcribed calls checked · automatic pass rate 64%" in team_line

    rows = {r["agent_external_id"]: r for r in csv.DictReader(io.StringIO(
        client.get(reverse("performance:dashboard"), {**query, "export": "csv"}).content.decode()))}
    assert (rows["SARAH"]["auto_transcribed_calls"], rows["SARAH"]["auto_checked_calls"]) == ("5", "4")
    assert (rows["SARAH"]["auto_pass_rate"], rows["BOB"]["auto_pass_rate"]) == ("0.4286", "1.0000")


def test_the_dashboard_says_when_a_team_has_no_transcribed_calls(client, world):
    client.force_login(ManagerFactory())
    html = client.get(reverse("performance:dashboard"), {"team": world["team"].pk, "from": "2020-01-01", "to": "2020-01-31"})
    text = html.content.decode()
    assert "no transcribed calls in this period" in re.search(r'id="perf-auto-team">(.*?)</p>', text, re.S).group(1)
    sarah = re.search(r'data-agent="SARAH">(.*?)</tr>', text, re.S).group(1)
    assert 'title="No transcribed calls in this period">—</td>' in sarah


def test_the_automatic_figures_keep_each_page_to_a_fixed_number_of_queries(client, world, rubric, django_assert_max_num_queries):
    """More agents, calls and checks: the dashboard, the scorecard page and the API cost what they did."""
    manager, period = ManagerFactory(), world["period"]
    client.force_login(manager)
    api = api_as(manager)
    query = {"from": period.first, "to": period.last}
    pages = [
        lambda: client.get(reverse("performance:dashboard"), {"team": world["team"].pk, **query}),
        lambda: client.get(reverse("performance:agent-scorecard", args=[world["sarah"].pk]), query),
        lambda: api.get(f"/api/agents/{world['sarah'].pk}/scorecard/", query),
    ]
    before = []
    for page in pages:
        page()  # roles read once, then cached
        with CaptureQueriesContext(connection) as queries:
            assert page().status_code == 200
        before.append(len(queries.captured_queries))
    for i in range(6):
        agent = AgentFactory(team=world["team"])
        for who in (agent, world["sarah"]):
            c = call(agent=who, client=ClientFactory(), started_at=at(period.first + timedelta(days=i)))
            auto_store(rubric, c, greeting="fail", closing="pass", hold="n/a", empathy="unknown")
    after = []
    for page in pages:
        with CaptureQueriesContext(connection) as queries:
            assert page().status_code == 200
        after.append(len(queries.captured_queries))
    assert after == before, (before, after)
    with django_assert_max_num_queries(12):  # the scorecard API: two more than before automatic checks
        pages[2]()
