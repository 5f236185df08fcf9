"""A real browser: an agent logs in at the shared login page, sees the trend chart drawn and files a dispute;
a manager opens the team dashboard, sees its charts and exports CSV."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from qa.performance.models import Dispute
from qa.performance.services import training_rules_run
from tests.browser import log_in, needs_chromium, new_page, screenshot
from tests.factories import AgentFactory, ClientFactory, ManagerFactory, TeamFactory, UserFactory
from tests.qa.performance.helpers import call, submit

pytestmark = [pytest.mark.django_db(transaction=True), needs_chromium]

CANVAS_INK = """(selector) => {
    const canvas = document.querySelector(selector);
    const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let ink = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) ink++;
    return ink;
}"""


def log_in_at_site(page, live_server, username: str, password: str = "pw-for-tests") -> None:
    """Through the shared login page for people outside the admin, as they would."""
    page.goto(f"{live_server.url}{reverse('login')}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


@pytest.fixture
def team(rubric):
    team, acme = TeamFactory(name="Tier 1"), ClientFactory(name="Acme Telecom", slug="acme-telecom")
    sarah = AgentFactory(name="Sarah Jones", external_id="AGT-1042", team=team, user=UserFactory(username="sarah", first_name="Sarah"))
    ben = AgentFactory(name="Ben Okafor", external_id="AGT-1077", team=team)
    now = timezone.now()
    for weeks_ago in range(6):
        for agent, talk in ((sarah, 280 + 15 * weeks_ago), (ben, 420)):
            started = now - timedelta(weeks=weeks_ago, hours=1)
            call(agent=agent, client=acme, started_at=started, talk_seconds=talk, resolved=weeks_ago % 3 != 0,
                 csat=4 + weeks_ago % 2, nps=9 - weeks_ago % 4, ces=6)
            submit(rubric, call(agent=agent, client=acme, started_at=started, talk_seconds=talk),
                   comment="Clear and friendly.", closing="no" if weeks_ago % 2 else "yes")
    submit(rubric, call(agent=sarah, client=acme, started_at=now - timedelta(hours=2)), comment="No recording disclosure.",
           disclosure="no")
    training_rules_run()
    return {"team": team, "sarah": sarah, "ben": ben}


def test_an_agent_logs_in_sees_the_chart_and_files_a_dispute(browser, live_server, team):
    page, watch = new_page(browser, live_server)

    log_in_at_site(page, live_server, "sarah")
    page.wait_for_url(f"**{reverse('performance:my-scorecard')}")
    page.wait_for_selector("#trend-chart[data-drawn='true']")
    assert page.evaluate(CANVAS_INK, "#trend-chart") > 500  # lines and axes were drawn
    assert "Critical item failed" in page.inner_text("#flags-title + ul")
    screenshot(page, "scorecard")

    failed = team["sarah"].calls.get(evaluations__critical_failed=True).evaluations.get()
    article = page.locator(f"#evaluation-{failed.pk}")
    article.locator("summary", has_text="Dispute").click()
    article.locator("textarea[name=reason]").fill("I read the disclosure at 0:04; please listen again.")
    article.locator("button", has_text="Send the dispute").click()
    page.wait_for_selector(".message-success")

    assert "sent to the QA managers" in page.inner_text(".messages")
    assert "Dispute: Open" in page.inner_text(f"#evaluation-{failed.pk}")
    assert Dispute.objects.get().reason == "I read the disclosure at 0:04; please listen again."
    assert watch.errors == [] and watch.outside == []


def test_a_manager_sees_the_dashboard_charts_and_exports_csv(browser, live_server, team):
    ManagerFactory(username="maria")
    page, watch = new_page(browser, live_server)
    dashboard = reverse("performance:dashboard")

    log_in(page, live_server, "maria", next_url=dashboard)
    for chart in ("#agents-chart", "#survey-chart", "#team-trend-chart"):
        page.wait_for_selector(f"{chart}[data-drawn='true']")
        assert page.evaluate(CANVAS_INK, chart) > 500, chart
    assert page.locator("tr.perf-flagged").count() >= 1
    page.click("th a:has-text('AHT')")  # sort by AHT, longest first
    page.wait_for_url("**sort=aht**")
    assert page.locator("#perf-table tbody tr").first.get_attribute("data-agent") == team["ben"].external_id
    screenshot(page, "dashboard")

    with page.expect_download() as download:
        page.click("#perf-csv")
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert {r["agent_name"] for r in rows} == {"Sarah Jones", "Ben Okafor"}

    page.click(f"a:has-text('{team['sarah'].name}')")  # drill down
    page.wait_for_selector("#trend-chart[data-drawn='true']")
    assert watch.errors == [] and watch.outside == []
