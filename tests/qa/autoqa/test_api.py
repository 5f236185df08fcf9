"""`GET /api/calls/{id}/` carries the call's automatic evaluation as `auto_qa`, in the issue's shape."""

import pytest
from rest_framework.test import APIClient

from qa.reviews.auto_services import AutoOutcome, call_auto_evaluate
from recordings.models import Call
from tests.factories import ReviewerFactory
from tests.qa.autoqa.helpers import expected_answers, transcribed_sample_for_acme

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    client = APIClient()
    client.force_authenticate(ReviewerFactory())
    return client


@pytest.mark.slow
def test_it_shows_auto_qa_as_null_until_computed_then_in_the_issues_shape(api, default_rubric):
    call = transcribed_sample_for_acme("billing_double_charge")

    assert api.get(f"/api/calls/{call.pk}/").json()["auto_qa"] is None

    assert call_auto_evaluate(call_id=call.pk) == AutoOutcome.STORED
    body = api.get(f"/api/calls/{call.pk}/").json()

    auto_qa = body["auto_qa"]
    assert set(auto_qa) == {"rubric_version", "items"}
    assert auto_qa["rubric_version"] == default_rubric.versions.get().pk
    assert {item["criterion_key"]: item["answer"] for item in auto_qa["items"]} == expected_answers("billing_double_charge")
    for item in auto_qa["items"]:
        assert set(item) == {"criterion_key", "answer", "confidence", "evidence"}
        assert 0 <= item["confidence"] <= 1
        if item["answer"] == "unknown":
            assert item["confidence"] == 0
    greeting = next(item for item in auto_qa["items"] if item["criterion_key"] == "greeting")
    assert set(greeting["evidence"]) == {"speaker", "text", "start", "end"}
    assert greeting["evidence"]["speaker"] == "agent"
    assert 0 <= greeting["evidence"]["start"] < greeting["evidence"]["end"] <= 15
    hold = next(item for item in auto_qa["items"] if item["criterion_key"] == "hold_etiquette")
    assert hold == {"criterion_key": "hold_etiquette", "answer": "unknown", "confidence": 0.0, "evidence": None}
    assert body["transcript"]["segments"]  # recordings' own fields are all still there

    Call.objects.filter(pk=call.pk).update(status=Call.Status.QUEUED)  # being transcribed again
    assert api.get(f"/api/calls/{call.pk}/").json()["auto_qa"] is None


def test_it_answers_404_for_a_call_out_of_sight(api, default_rubric):
    assert api.get("/api/calls/987654/").status_code == 404


def test_it_documents_auto_qa_in_the_openapi_schema(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    components = schema["components"]["schemas"]
    detail_ref = schema["paths"]["/api/calls/{call_id}/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    detail = components[detail_ref.rsplit("/", 1)[-1]]
    auto_qa = detail["properties"]["auto_qa"]
    assert auto_qa.get("nullable") is True or {"type": "null"} in auto_qa.get("oneOf", [])
    auto_qa_ref = (auto_qa.get("allOf") or auto_qa.get("oneOf"))[0]["$ref"]
    shape = components[auto_qa_ref.rsplit("/", 1)[-1]]
    assert set(shape["properties"]) == {"rubric_version", "items"}
    item = components[shape["properties"]["items"]["items"]["$ref"].rsplit("/", 1)[-1]]
    assert set(item["properties"]) == {"criterion_key", "answer", "confidence", "evidence"}
