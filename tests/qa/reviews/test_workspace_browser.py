"""A real browser in the reviewer workspace: play, jump from the transcript, score, submit."""

import pytest
from django.urls import reverse

from qa.reviews.models import Evaluation
from qa.reviews.services import evaluation_score
from tests.browser import log_in, needs_chromium, new_page, play_then_jump, screenshot
from tests.factories import ReviewerFactory

pytestmark = [pytest.mark.django_db(transaction=True), needs_chromium]


def test_it_plays_jumps_scores_and_submits_in_a_real_browser(browser, live_server, rubric, sample_call):
    reviewer = ReviewerFactory(username="rita")
    page, watch = new_page(browser, live_server)
    audio_url = reverse("recordings:call-audio", args=[sample_call.pk])
    audio_requests = []
    page.on("request", lambda r: audio_requests.append((r.resource_type, r.headers.get("range"))) if audio_url in r.url else None)

    workspace = reverse("reviews:workspace", args=[sample_call.pk])
    log_in(page, live_server, "rita", next_url=workspace)

    # The waveform is drawn from the authorised audio stream and the player knows the duration.
    page.wait_for_function("() => window.qaWorkspace && window.qaWorkspace.wavesurfer.getDuration() > 50")
    page.wait_for_selector("#qa-waveform >> css=div", state="attached")

    # The waveform came from server-side peaks: the player only streams byte ranges,
    # nothing downloads the whole file to draw it.
    assert audio_requests and all(kind == "media" for kind, _ in audio_requests), audio_requests

    # Play: time moves forward. Click a transcript line well into the call: the player jumps there.
    start = play_then_jump(
        page, player="window.qaWorkspace", play_button="#qa-play", line=page.locator(".qa-line").nth(6),
        current_class="qa-current",
    )

    # Pin the whole-call comment to the current time.
    page.fill("#id_comment", "Verified identity before taking the card.")
    page.click("button.qa-pin[data-target='id_comment_at']")
    pinned = float(page.input_value("#id_comment_at"))
    assert abs(pinned - start) < 0.5

    # Answer the form: everything good, but listening only 4 of 5, no "anything else?" and no hold.
    chosen = rubric.by_pk(rubric.best_answers(listening="4", anything_else="no", hold="na"))
    for pk, value in chosen.items():
        page.check(f"input[name='c{pk}'][value='{value}']")
    screenshot(page, "workspace")
    page.click("#qa-submit")
    page.wait_for_selector(".messagelist .success")
    assert "locked" in page.inner_text(".messagelist")

    expected = evaluation_score(version=rubric.version, values=chosen).percent
    evaluation = Evaluation.objects.get(call=sample_call)
    assert evaluation.status == Evaluation.Status.SUBMITTED
    assert evaluation.reviewer == reviewer
    assert evaluation.score == expected
    assert 0 < expected < 100
    assert abs(evaluation.comment_at_seconds - start) < 0.5
    assert page.inner_text("#qa-score") == f"{expected}%"
    assert watch.errors == [] and watch.outside == []
