"""Auto-QA in the pages: the workspace pre-fills automatic answers, the managers' page of checks."""

import re

import pytest
from django.urls import reverse

from qa.autoqa.models import AutoItem, RecomputeJob
from qa.reviews.auto_services import call_auto_evaluate
from qa.reviews.models import AutoCheck, CalibrationSession, Criterion
from tests.factories import ManagerFactory, ReviewerFactory
from tests.qa.reviews.test_auto_qa_rubric import ingest_sample_call_for_acme, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def checked_call(default_rubric):
    """card_payment with its script as transcript, checked: greeting passes, empathy fails, no hold."""
    call = ingest_sample_call_for_acme("card_payment")
    call_auto_evaluate(call_id=call.pk, use_semantic_model=False)
    return call


def criterion(key):
    return Criterion.objects.get(key=key, section__version__status="published")


def checked_value(html, pk):
    match = re.search(rf'<input type="radio" name="c{pk}" value="(\w+)"[^>]*checked', html)
    return match.group(1) if match else None


def test_it_preselects_the_automatic_answers_and_shows_their_evidence(client, checked_call):
    client.force_login(ReviewerFactory())

    html = client.get(reverse("reviews:workspace", args=[checked_call.pk])).content.decode()

    assert checked_value(html, criterion("greeting").pk) == "yes"
    assert checked_value(html, criterion("empathy").pk) == "1"  # a fail pre-selects the lowest mark
    assert checked_value(html, criterion("hold_etiquette").pk) == "na"  # no hold: the item does not apply
    assert checked_value(html, criterion("identity_verification").pk) is None  # unclear: no guess
    greeting = AutoItem.objects.get(criterion_key="greeting")
    assert "Automatic: pass" in html and "pre-selected" in html
    assert f'data-start="{greeting.evidence["start"]:f}"' in html
    assert greeting.evidence["text"].split(",")[0] in html
    assert 'id="qa-auto-answers"' in html and "workspace-auto.js" in html
    assert "style=" not in html.split('id="content-main"')[1] and "<script>" not in html


def test_it_keeps_the_reviewers_own_answers_over_the_automatic_ones(client, checked_call, default_rubric):
    reviewer = ReviewerFactory()
    client.force_login(reviewer)
    greeting = criterion("greeting")
    client.post(reverse("reviews:workspace", args=[checked_call.pk]), {f"c{greeting.pk}": "no", "action": "save"})

    html = client.get(reverse("reviews:workspace", args=[checked_call.pk])).content.decode()

    assert checked_value(html, greeting.pk) == "no"
    assert checked_value(html, criterion("closing").pk) == "yes"  # unanswered in the draft: pre-filled


def test_it_shows_no_automatic_answers_in_blind_calibration(client, checked_call, default_rubric):
    manager, reviewer = ManagerFactory(), ReviewerFactory()
    session = CalibrationSession.objects.create(
        title="Blind", call=checked_call, version=default_rubric.versions.get(), created_by=manager
    )
    session.reviewers.set([reviewer, manager])
    client.force_login(reviewer)

    html = client.get(reverse("reviews:workspace", args=[checked_call.pk]), {"calibration": session.pk}).content.decode()

    assert "Automatic:" not in html and checked_value(html, criterion("greeting").pk) is None


def test_it_loads_the_workspace_with_automatic_answers_in_a_fixed_number_of_queries(client, checked_call, django_assert_max_num_queries):
    client.force_login(ReviewerFactory())
    with django_assert_max_num_queries(26):
        assert client.get(reverse("reviews:workspace", args=[checked_call.pk])).status_code == 200


# --- The managers' page ---------------------------------------------------------------------------


def test_it_shows_managers_each_checks_agreement(client, checked_call, default_rubric):
    submit(checked_call, default_rubric.versions.get(), ReviewerFactory(), empathy="2", closing="no")
    client.force_login(ManagerFactory())

    response = client.get(reverse("reviews:auto-checks"))

    assert response.status_code == 200
    html = response.content.decode()
    for key in ("greeting", "empathy", "closing", "dead_air"):
        assert f'id="check-{key}"' in html
    empathy = html.split('id="check-empathy"')[1].split("</tr>")[0]
    assert re.search(r'class="qa-precision">100% <small>\(1/1\)', empathy)
    closing = html.split('id="check-closing"')[1].split("</tr>")[0]
    assert re.search(r'class="qa-recall">0% <small>\(0/1\)', closing)  # the reviewer failed it, the check passed it


def test_it_leads_managers_from_the_admin_to_the_page(client, default_rubric):
    client.force_login(ManagerFactory())
    assert client.get(reverse("admin:reviews_autocheck_changelist")).url == reverse("reviews:auto-checks")
    assert reverse("admin:reviews_autocheck_changelist") in client.get(reverse("admin:index")).content.decode()


def test_it_switches_a_check_from_the_page(client, checked_call):
    client.force_login(ManagerFactory())
    empathy = AutoCheck.objects.get(key="empathy")

    response = client.post(reverse("reviews:auto-checks"), {"action": "switch", "criterion": empathy.pk, "enabled": "0"}, follow=True)

    assert "is off" in response.content.decode()
    assert not Criterion.objects.get(pk=empathy.pk).auto_check_enabled
    assert not AutoItem.objects.filter(criterion_key="empathy").exists()


@pytest.mark.parametrize("bad", ["", "abc", "99999999999999999999999", "424242"])
def test_it_answers_404_for_a_bad_check_id(client, default_rubric, bad):
    client.force_login(ManagerFactory())
    assert client.post(reverse("reviews:auto-checks"), {"action": "switch", "criterion": bad, "enabled": "0"}).status_code == 404


def test_it_starts_a_recompute_and_shows_its_progress(client, checked_call, django_capture_on_commit_callbacks):
    client.force_login(ManagerFactory())
    day = checked_call.started_at.date().isoformat()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reviews:auto-checks"), {"action": "recompute", "date_from": day, "date_to": day}, follow=True)

    assert "Recomputing 1 call(s) in the background." in response.content.decode()
    assert RecomputeJob.objects.get().status == RecomputeJob.Status.QUEUED  # the worker has not taken it yet
    html = response.content.decode()
    assert '<meta http-equiv="refresh" content="3">' in html  # while the job runs
    assert '<progress max="1" value="0">' in html and "0 / 1 (0%)" in html


def test_it_names_a_bad_range(client, default_rubric):
    client.force_login(ManagerFactory())
    response = client.post(reverse("reviews:auto-checks"), {"action": "recompute", "date_from": "2026-03-10", "date_to": "2026-03-01"})
    assert response.status_code == 200
    assert "is before the first" in response.content.decode()
    assert not RecomputeJob.objects.exists()


def test_it_keeps_reviewers_off_the_managers_page(client, default_rubric):
    client.force_login(ReviewerFactory())
    assert client.get(reverse("reviews:auto-checks")).status_code == 403


# --- Editing checks with their questions in the admin ---------------------------------------------


def test_it_edits_a_questions_key_and_check_in_the_admin_and_names_a_bad_check(client, rubric):
    import json

    from tests.qa.reviews.test_workspace import section_form

    client.force_login(ManagerFactory())
    section = rubric.criteria["greeting"].section
    url = reverse("admin:reviews_section_change", args=[section.pk])
    good = {"rule": {"type": "phrase", "phrases": ["thank you for calling {company}"], "first_seconds": 15}}

    response = client.post(url, section_form(section, **{"criteria-0-key": "greeting", "criteria-0-auto_check": json.dumps(good),
                                                          "criteria-0-auto_check_enabled": "on"}))
    assert response.status_code == 302
    saved = Criterion.objects.get(pk=rubric.criteria["greeting"].pk)
    assert (saved.key, saved.auto_check, saved.auto_check_enabled) == ("greeting", good, True)

    bad = {"rule": {"type": "phrase", "phrases": ["hello"], "threshold": 30}}
    response = client.post(url, section_form(section, **{"criteria-0-key": "greeting", "criteria-0-auto_check": json.dumps(bad)}))
    assert response.status_code == 200
    assert "Invalid check: greeting.rule.threshold: must be a similarity between 50 and 100, got 30" in response.content.decode()

    taken = section_form(section, **{"criteria-0-key": "greeting", "criteria-1-key": "greeting"})
    assert "Another question of this rubric version has the key &#x27;greeting&#x27;" in client.post(url, taken).content.decode()
    twice = section_form(section, **{"criteria-0-key": "hello", "criteria-1-key": "hello"})
    assert "Two questions have the key &#x27;hello&#x27;" in client.post(url, twice).content.decode()
    assert Criterion.objects.get(pk=rubric.criteria["greeting"].pk).auto_check == good


def test_it_lists_automatic_evaluations_for_reviewers_in_the_admin(client, checked_call):
    client.force_login(ReviewerFactory())
    listing = client.get(reverse("admin:autoqa_autoevaluation_changelist"))
    assert listing.status_code == 200 and "3 / 1 / 3" in listing.content.decode()  # pass / fail / unknown
    page = client.get(reverse("admin:autoqa_autoevaluation_change", args=[checked_call.auto_evaluation.pk]))
    assert page.status_code == 200 and "Thank you for calling Acme Telecom" in page.content.decode()
