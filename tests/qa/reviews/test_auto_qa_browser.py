"""A real browser in the workspace with automatic answers: pre-selected and marked, evidence that seeks the
player, an override, and the agreement recorded on submit."""

import pytest
from django.urls import reverse

from qa.autoqa.models import AutoItem, HumanVerdict
from qa.reviews import scoring
from qa.reviews.auto_services import call_auto_evaluate
from qa.reviews.models import Criterion
from tests.browser import log_in, needs_chromium, new_page, screenshot
from tests.factories import ReviewerFactory
from tests.qa.reviews.test_auto_qa_rubric import ingest_sample_call_for_acme

pytestmark = [pytest.mark.django_db(transaction=True), needs_chromium]


def test_it_preselects_marks_and_seeks_to_the_evidence_in_a_real_browser(browser, live_server, default_rubric):
    call = ingest_sample_call_for_acme("card_payment")
    call_auto_evaluate(call_id=call.pk, use_semantic_model=False)
    ReviewerFactory(username="rita")
    criteria = list(Criterion.objects.filter(section__version__rubric=default_rubric))
    greeting, closing = (next(c for c in criteria if c.key == key) for key in ("greeting", "closing"))
    page, watch = new_page(browser, live_server)

    workspace = reverse("reviews:workspace", args=[call.pk])
    log_in(page, live_server, "rita", next_url=workspace)
    page.wait_for_function("() => window.qaWorkspace && window.qaWorkspace.wavesurfer.getDuration() > 50")

    # The automatic answer is pre-selected and marked as automatic.
    assert page.is_checked(f"input[name='c{greeting.pk}'][value='yes']")
    assert "qa-auto-choice" in page.locator(f"input[name='c{greeting.pk}'][value='yes'] >> xpath=..").get_attribute("class")
    box = page.locator(f"#criterion-{greeting.pk}")
    assert "Automatic: pass" in box.inner_text()
    assert "kept" in box.locator(".qa-auto-state").inner_text()

    # Clicking the closing's evidence seeks the player to the quote, near the end of the call.
    evidence = page.locator(f"#criterion-{closing.pk} .qa-evidence")
    start = float(evidence.get_attribute("data-start"))
    assert start > 30
    assert AutoItem.objects.get(criterion_key="closing").evidence["text"] in evidence.inner_text()
    evidence.click()
    page.wait_for_function("(start) => Math.abs(window.qaWorkspace.audio.currentTime - start) < 0.3", arg=start)

    # The reviewer overrides the greeting: the page says so.
    page.check(f"input[name='c{greeting.pk}'][value='no']")
    assert "overridden" in box.locator(".qa-auto-state").inner_text()

    # Answer what the checks left open, then submit.
    for c in criteria:
        if not page.locator(f"input[name='c{c.pk}']:checked").count():
            values = scoring.allowed_values(c.spec())
            page.check(f"input[name='c{c.pk}'][value='{'yes' if 'yes' in values else values[-1]}']")
    screenshot(page, "workspace-auto-qa")
    page.click("#qa-submit")
    page.wait_for_selector(".messagelist .success")

    verdicts = {v.criterion_key: v for v in HumanVerdict.objects.filter(call=call)}
    assert (verdicts["greeting"].verdict, verdicts["greeting"].agreed) == ("fail", False)
    assert (verdicts["closing"].verdict, verdicts["closing"].agreed) == ("pass", True)
    assert watch.errors == [] and watch.outside == []
