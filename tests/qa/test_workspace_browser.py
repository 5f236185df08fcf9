"""A real browser in the reviewer workspace: play, jump from the transcript, score, submit.

Headless Chromium from Debian's `chromium` package, driven by Playwright.
"""

import os
import shutil

import pytest
from django.db import connections
from django.urls import reverse

from qa.models import Evaluation
from qa.selectors import version_criteria
from qa.services import evaluation_score
from tests.factories import ReviewerFactory

# Playwright's sync API runs an event loop in this thread; the ORM calls here are
# still plain synchronous test code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--autoplay-policy=no-user-gesture-required", "--mute-audio",
]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"{CHROMIUM} is missing: install Debian's 'chromium' package"),
]


@pytest.fixture
def browser(live_server):
    # Depends on live_server so the browser closes first: its open audio stream
    # would otherwise keep a server thread (and its database connection) alive.
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
        # Inside Playwright's context the ORM got connections of its own; close them
        # so the test database can be dropped.
        connections.close_all()


def test_it_plays_jumps_scores_and_submits_in_a_real_browser(browser, live_server, default_rubric, sample_call):
    reviewer = ReviewerFactory(username="rita")
    version = default_rubric.versions.get()
    criteria = version_criteria(version=version)
    page = browser.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    audio_url = reverse("recordings:call-audio", args=[sample_call.pk])
    audio_requests = []
    page.on("request", lambda r: audio_requests.append((r.resource_type, r.headers.get("range"))) if audio_url in r.url else None)

    workspace = reverse("admin:qa_workspace", args=[sample_call.pk])
    page.goto(f"{live_server.url}{reverse('admin:login')}?next={workspace}")
    page.fill("#id_username", "rita")
    page.fill("#id_password", "pw-for-tests")
    page.click("input[type=submit]")
    page.wait_for_url(f"**{workspace}")

    # The waveform is drawn from the authorised audio stream and the player knows the duration.
    page.wait_for_function("window.qaWorkspace && window.qaWorkspace.wavesurfer.getDuration() > 50")
    page.wait_for_selector("#qa-waveform >> css=div", state="attached")

    # The waveform came from server-side peaks: the player only streams byte ranges,
    # nothing downloads the whole file to draw it.
    assert audio_requests and all(kind == "media" for kind, _ in audio_requests), audio_requests

    # Play: time moves forward.
    page.click("#qa-play")
    page.wait_for_function("window.qaWorkspace.audio.currentTime > 0.5")
    page.click("#qa-play")  # pause
    assert page.evaluate("window.qaWorkspace.audio.paused")

    # Click a transcript line well into the call: the player jumps there and the line lights up.
    line = page.locator(".qa-line").nth(6)
    start = float(line.get_attribute("data-start"))
    assert start > 10
    line.click()
    page.wait_for_function(f"Math.abs(window.qaWorkspace.audio.currentTime - {start}) < 0.3")
    assert "qa-current" in line.get_attribute("class")

    # Pin the whole-call comment to the current time.
    page.fill("#id_comment", "Verified identity before taking the card.")
    page.click("button.qa-pin[data-target='id_comment_at']")
    pinned = float(page.input_value("#id_comment_at"))
    assert abs(pinned - start) < 0.5

    # Answer the form: everything good, but listening only 4 of 5 and no "anything else?".
    chosen = {}
    for criterion in criteria:
        value = {"scale_1_5": "5", "points": str(criterion.max_points or 0)}.get(criterion.answer_type, "yes")
        if criterion.answer_type == "scale_1_5" and "Listened" in criterion.question:
            value = "4"
        if "anything else" in criterion.question.lower():
            value = "no"
        if criterion.answer_type == "yes_no_na" and "hold" in criterion.question.lower():
            value = "na"
        chosen[criterion.pk] = value
        page.check(f"input[name='c{criterion.pk}'][value='{value}']")
    page.click("#qa-submit")
    page.wait_for_selector(".messagelist .success")
    assert "locked" in page.inner_text(".messagelist")

    expected = evaluation_score(version=version, values=chosen).percent
    evaluation = Evaluation.objects.get(call=sample_call)
    assert evaluation.status == Evaluation.Status.SUBMITTED
    assert evaluation.reviewer == reviewer
    assert evaluation.score == expected
    assert 0 < expected < 100
    assert abs(evaluation.comment_at_seconds - start) < 0.5
    assert page.inner_text("#qa-score") == f"{expected}%"
    assert errors == []
