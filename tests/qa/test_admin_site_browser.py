"""The admin as a new user meets it, in a real browser: branding, landing page, call list, API docs."""

import pytest
from django.urls import reverse

from tests.browser import log_in, needs_chromium, new_page, screenshot
from tests.factories import AgentFactory, CallFactory, ClientFactory, ManagerFactory

pytestmark = [pytest.mark.django_db(transaction=True), needs_chromium]


def test_it_fits_the_call_list_in_a_1400_pixel_window(browser, live_server, rubric, sample_call):
    # Realistically long names, the kind that push columns off screen.
    client = ClientFactory(name="Northwind Regional Telecommunications")
    agent = AgentFactory(name="Alexandria Montgomery-Whitfield", external_id="AGT-20931")
    for _ in range(5):
        CallFactory(client=client, agent=agent, csat=4, status="transcribed", external_id=f"TEL-2026-11-{_:06d}")
    ManagerFactory(username="max")
    page, watch = new_page(browser, live_server, width=1400)
    log_in(page, live_server, "max", next_url=reverse("admin:recordings_call_changelist"))

    headers = page.locator("#result_list thead th").all_inner_texts()
    assert any("CSAT" in h for h in headers) and any("QA" in h for h in headers)
    # Nothing hides behind a horizontal scroll: the table fits its box, and the last column is on screen.
    fits = page.evaluate(
        "() => { const t = document.querySelector('#result_list');"
        " const box = t.closest('.results') || t.parentElement;"
        " return [t.scrollWidth, box.clientWidth, t.getBoundingClientRect().right, window.innerWidth]; }"
    )
    table_width, box_width, right, window_width = fits
    assert table_width <= box_width and right <= window_width, fits
    assert page.locator("#result_list a.button", has_text="Review").first.is_visible()
    screenshot(page, "call-list")
    assert watch.errors == [] and watch.outside == []


def test_it_brands_the_admin_and_lands_managers_on_their_summary(browser, live_server, rubric, sample_call):
    ManagerFactory(username="max")
    page, watch = new_page(browser, live_server)
    page.goto(f"{live_server.url}/admin/login/")
    assert "Call-centre QA" in page.title() and "Django" not in page.content()
    log_in(page, live_server, "max")
    assert page.locator("#manager-summary").is_visible()
    assert "Django administration" not in page.content()
    favicon = page.request.get(f"{live_server.url}/favicon.ico")
    assert favicon.ok and "svg" in favicon.headers["content-type"]
    screenshot(page, "manager-landing")
    assert watch.errors == [] and watch.outside == []


@pytest.mark.parametrize("docs", ["api:docs", "api:redoc"])
def test_it_serves_the_api_docs_without_requesting_anything_outside(browser, live_server, docs):
    ManagerFactory(username="max")
    page, watch = new_page(browser, live_server)
    log_in(page, live_server, "max")
    page.goto(f"{live_server.url}{reverse(docs)}")
    page.wait_for_selector("text=/api/calls/", timeout=20_000)
    page.wait_for_load_state("networkidle")
    assert watch.outside == []
