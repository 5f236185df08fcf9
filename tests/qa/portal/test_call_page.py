"""The portal's call page: the player on the redacted copy, the redacted transcript, the evaluation summary."""

import re

import pytest
from django.urls import reverse

from recordings.models import Recording, RedactionStatus
from tests.factories import CallFactory, ManagerFactory, ReviewerFactory
from tests.qa.portal.conftest import score
from tests.recordings.redaction_fixtures import SAMPLE_CARD, digit_groups

pytestmark = pytest.mark.django_db


def page_of(client, call, slug=None):
    response = client.get(reverse("portal:call", args=[slug or call.client.slug, call.pk]))
    assert response.status_code == 200
    return response


def transcript_texts(html: str) -> list[str]:
    return re.findall(r'<span class="line-text">(.*?)</span>', html)


def card_groups_in(text: str) -> list[str]:
    # The card's digits or words in a row, as the ground-truth script writes them ("Four, five, three, nine").
    words = "zero one two three four five six seven eight nine".split()
    spelled = [r"\W{0,3}".join(words[int(d)] for d in group) for group in digit_groups(SAMPLE_CARD)]
    found = [m.group(0) for pattern in spelled for m in re.finditer(pattern, text, re.IGNORECASE)]
    return found + [group for group in digit_groups(SAMPLE_CARD) if group in re.sub(r"\D", "", text)]


@pytest.fixture
def card_call(acme, sample_call):
    """The card_payment sample (its script as the transcript, redacted, with its redacted audio) for Acme."""
    sample_call.client = acme
    sample_call.save()
    Recording.objects.filter(call=sample_call).update(client=acme)
    return sample_call


def test_it_plays_the_redacted_copy_and_shows_the_redacted_transcript_with_speakers(client, acme_staff, card_call):
    client.force_login(acme_staff)

    html = page_of(client, card_call).content.decode()

    assert 'id="portal-audio"' in html and 'id="portal-waveform"' in html
    assert f'data-audio-url="{reverse("recordings:call-audio", args=[card_call.pk])}"' in html
    assert 'href="' + reverse("recordings:call-audio", args=[card_call.pk]) + '?download=1"' in html
    assert "Download (redacted)" in html
    lines = transcript_texts(html)
    assert len(lines) == card_call.transcript.segments.count()
    assert "[card number]." in lines
    assert card_groups_in(" ".join(lines)) == []
    assert card_groups_in(card_call.transcript.text)  # the original has it: the check above would see it
    assert re.search(r'<span class="line-speaker">Customer</span>', html)
    assert re.search(r'<li class="portal-line speaker-agent" data-start="0\.600000" data-end="7\.649000"', html)
    assert "<script>" not in html and "style=" not in html  # nothing inline: a strict CSP stays possible


def test_a_manager_reads_the_original(client, card_call):
    client.force_login(ManagerFactory())
    html = page_of(client, card_call).content.decode()
    assert card_groups_in(" ".join(transcript_texts(html)))
    assert "Download (redacted)" not in html


def test_there_is_no_player_until_the_redacted_copy_is_ready(client, acme_staff, card_call):
    Recording.objects.filter(call=card_call).update(redaction_status=RedactionStatus.PENDING)
    client.force_login(acme_staff)

    html = page_of(client, card_call).content.decode()

    assert 'id="portal-audio"' not in html
    assert "being prepared for listening" in html


def test_an_abandoned_call_says_how_long_the_customer_waited(client, acme, acme_staff):
    call = CallFactory(client=acme, agent=None, answered=False, status="abandoned", wait_seconds=75,
                       talk_seconds=None, hold_seconds=None, after_call_work_seconds=None)
    client.force_login(acme_staff)
    html = page_of(client, call).content.decode()
    assert "hung up after 1:15 waiting" in html
    assert "Not reviewed yet." in html


def test_it_shows_the_evaluation_summary_and_only_what_the_client_allows(client, acme, acme_staff, rubric, card_call):
    reviewer = ReviewerFactory(first_name="Rita", last_name="Reviewer")
    score(rubric, card_call, reviewer=reviewer, comment="Good call, clear payment steps.", closing="no",
          comments={"closing": "Did not offer further help."})
    client.force_login(acme_staff)

    summary = page_of(client, card_call).context["evaluation"]
    html = page_of(client, card_call).content.decode()

    assert float(summary.score) == pytest.approx(96.67, abs=0.01)
    assert [s.title for s in summary.sections] == [s.section.title for s in rubric.criteria.values() if s.position == 0]
    assert "96.7%" in html and "Good call, clear payment steps." in html
    assert summary.criterion_comments is None and summary.reviewer_name is None
    assert "Did not offer further help." not in html and "Rita" not in html

    acme.portal_shows_criterion_comments = acme.portal_shows_reviewer_names = True
    acme.save()
    html = page_of(client, card_call).content.decode()
    assert "Did not offer further help." in html and "by Rita Reviewer" in html


def test_a_draft_is_not_shown(client, acme, acme_staff, rubric):
    from qa.reviews import services

    call = CallFactory(client=acme, status="transcribed")
    services.evaluation_save_draft(call=call, reviewer=ReviewerFactory(), answers={}, comment="half done")
    client.force_login(acme_staff)
    html = page_of(client, call).content.decode()
    assert "half done" not in html and "Not reviewed yet." in html
