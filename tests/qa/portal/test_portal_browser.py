"""A client's staff member in a real browser: logs in, lists calls, plays one, jumps from the transcript,
sees the card number masked, reads the summary; nothing is requested from outside the service."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from recordings.models import Recording, RedactionStatus
from recordings.redaction_store import recording_redact
from tests.browser import log_in_shared, needs_chromium, new_page, play_then_jump, screenshot
from tests.factories import AgentFactory, CallFactory, ClientFactory, ReviewerFactory, UserFactory
from tests.qa.portal.conftest import score
from tests.recordings.helpers import transcribed_sample_call
from tests.recordings.redaction_fixtures import SAMPLE_CARD, digit_groups, digits_in

pytestmark = [pytest.mark.django_db(transaction=True), needs_chromium, pytest.mark.slow]


@pytest.fixture
def portal(rubric):
    acme = ClientFactory(slug="acme", name="Acme Telecom", country="US")
    staff = UserFactory(username="carol", first_name="Carol")
    acme.users.add(staff)
    daniel = AgentFactory(external_id="AGT-1093", name="Daniel")
    card = transcribed_sample_call("card_payment", client=acme, agent=daniel, external_id="CALL-20250307-0108")
    assert recording_redact(recording_id=card.recording.pk) == "ready"
    reviewer = ReviewerFactory()
    score(rubric, card, reviewer=reviewer, comment="Clear payment steps; the card was not read back.")
    # Ten weeks of calls without audio around it, some abandoned, for the list and the summary.
    now = timezone.now()
    for week in range(10):
        for n in range(6):
            started = now - timedelta(days=7 * week + n, hours=2)
            if n == 5 and week % 3 == 0:
                CallFactory(client=acme, agent=None, answered=False, status="abandoned", wait_seconds=40 + week,
                            started_at=started, talk_seconds=None, hold_seconds=None, after_call_work_seconds=None)
                continue
            call = CallFactory(client=acme, agent=daniel, status="no_recording", started_at=started, queue="payments",
                               wait_seconds=5 + 4 * n + week, talk_seconds=200 + 20 * n, csat=3 + n % 3,
                               disposition="payment_taken", resolved=n != 2)
            if n == 0:
                score(rubric, call, reviewer=reviewer, closing="no" if week % 2 else "yes")
    CallFactory(external_id="GLOBEX-CALL")  # another client's: never listed
    return card


def test_a_client_user_logs_in_plays_a_call_jumps_from_the_transcript_and_sees_the_card_masked(browser, live_server, portal):
    page, watch = new_page(browser, live_server)

    log_in_shared(page, live_server, "carol", lands_on=reverse("portal:calls", args=["acme"]))

    # The call list: this client's calls only.
    assert "GLOBEX-CALL" not in page.inner_text("main")
    assert page.locator("table.portal-calls tbody tr").count() == 25
    screenshot(page, "portal-calls")

    page.fill("input[name=q]", "card")
    page.click("text=Show calls")
    page.wait_for_url("**q=card**")
    page.click("text=CALL-20250307-0108")
    page.wait_for_url(f"**{reverse('portal:call', args=['acme', portal.pk])}")

    # The player knows the recording's length once the waveform is drawn from the redacted copy.
    page.wait_for_function("() => window.portalPlayer && window.portalPlayer.wavesurfer.getDuration() > 50")
    # It plays; a click on a line well into the call moves the player there, and the line lights up.
    play_then_jump(
        page, player="window.portalPlayer", play_button="#portal-play", line=page.locator(".portal-line").nth(5),
        current_class="is-current",
    )

    # The card number is masked in what the page shows.
    transcript = page.inner_text("#portal-transcript")
    assert "[card number]" in transcript
    assert not any(group in digits_in(transcript) for group in digit_groups(SAMPLE_CARD)), transcript
    assert page.inner_text(".portal-score .value") == "100.0%"
    screenshot(page, "portal-call")

    # What the player streamed is the redacted copy.
    headers = page.request.head(live_server.url + reverse("recordings:call-audio", args=[portal.pk])).headers
    assert headers["x-audio-redacted"] == "true"
    assert Recording.objects.get(pk=portal.recording.pk).redaction_status == RedactionStatus.READY

    # The account summary with its trend charts.
    page.click("text=Summary")
    page.wait_for_url("**/portal/acme/summary/")
    page.wait_for_function("() => window.portalCharts && window.portalCharts.length === 7 && window.portalCharts.every(Boolean)")
    assert page.locator(".figure").count() == 12
    screenshot(page, "portal-summary")

    assert watch.errors == [] and watch.outside == []
