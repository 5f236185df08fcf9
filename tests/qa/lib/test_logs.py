"""A refused request is logged once, in one line: no traceback, no second copy."""

import io
import logging

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def console():
    """What the configured console handler writes (the handler itself, with its filters)."""
    (handler,) = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler) and h.filters]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_it_logs_a_403_once_without_a_traceback(client, rubric, sample_call, console):
    # The console is listened to from the request on (making the sample call logs its redacted copy).
    client.force_login(UserFactory(is_staff=True))

    assert client.get(reverse("reviews:workspace", args=[sample_call.pk])).status_code == 403

    lines = [line for line in console.getvalue().splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "Forbidden" in lines[0] and "Traceback" not in console.getvalue()


def test_it_still_logs_the_traceback_of_a_real_error(console):
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("django.request").error("Internal Server Error: /x/", exc_info=True)

    assert "Traceback" in console.getvalue() and console.getvalue().count("Internal Server Error") == 1
