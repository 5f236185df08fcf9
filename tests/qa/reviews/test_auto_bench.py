"""Auto-QA's lines in bench_transcription (the figures themselves come from running the command)."""

from io import StringIO

import pytest

from qa.autoqa.models import AutoEvaluation
from qa.reviews.models import Rubric
from recordings.management.commands.bench_transcription import Command
from tests.qa.reviews.test_auto_qa_rubric import ingest_sample_call_for_acme

pytestmark = pytest.mark.django_db


def test_it_prints_auto_qas_time_per_call_and_its_share_of_the_pipeline():
    calls = [ingest_sample_call_for_acme(name) for name in ("card_payment", "rude_agent")]
    command = Command(stdout=StringIO())

    command._extras(calls, [10.0, 8.0])  # as the command calls it, with its pipeline seconds per call

    out = command.stdout.getvalue()
    assert Rubric.objects.filter(is_default=True).count() == 1  # the empty benchmark database got the shipped rubric
    assert AutoEvaluation.objects.count() == 2
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line.startswith(("sample-", "TOTAL"))}
    assert set(rows) == {"sample-card_payment", "sample-rude_agent", "TOTAL"}
    assert rows["sample-card_payment"][1] == "10.00" and float(rows["sample-card_payment"][2]) > 0
    assert "of the pipeline's 9.00 s per call (target < 5%)" in out
    assert "embedding model load (once per worker process, not per call)" in out
    share = float(out.split("auto_qa_over_pipeline=")[1].split()[0])
    assert 0 < share < 1
