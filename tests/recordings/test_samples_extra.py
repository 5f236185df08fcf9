"""The extra sample calls (recordings/samples/extra/): cards with long digit runs, and a German call."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest

from tests.recordings.test_samples import SAMPLES_DIR, make_samples

EXTRA_DIR = SAMPLES_DIR / make_samples.EXTRA_DIR


def truths() -> list[dict]:
    return [json.loads((EXTRA_DIR / f"{call['name']}.json").read_text()) for call in make_samples.EXTRA_CALLS]


def test_it_ships_each_extra_call_with_its_ground_truth():
    for truth in truths():
        assert (EXTRA_DIR / truth["file"]).is_file()
        assert truth["analytics"] == make_samples.analytics_from_turns(truth["turns"])
        assert truth["language"] in {"en", "de"}


def test_it_reads_out_luhn_valid_cards_with_twelve_zeros_and_fifteen_ones():
    assert make_samples.ZERO_RUN_CARD.count("0") == 12 and make_samples.luhn_ok(make_samples.ZERO_RUN_CARD)
    assert make_samples.ONE_RUN_CARD.count("1") == 15 and make_samples.luhn_ok(make_samples.ONE_RUN_CARD)
    normal, fast = (t for t in truths() if t["name"].startswith("card_digit_runs"))
    assert normal["voices"]["customer"]["words_per_minute_setting"] < fast["voices"]["customer"]["words_per_minute_setting"]
    for truth in (normal, fast):
        texts = [t["text"] for t in truth["turns"] if t["speaker"] == "customer"]
        assert make_samples.digits_in_groups(make_samples.ZERO_RUN_CARD) in texts
        assert make_samples.digits_in_groups(make_samples.ONE_RUN_CARD) in texts
        card_at = texts.index(make_samples.digits_in_groups(make_samples.ZERO_RUN_CARD))
        assert len(texts) - card_at >= 4  # turns after the card, which a loop would swallow


def test_it_regenerates_the_extra_calls_byte_identical(tmp_path):
    missing = [tool for tool in ("espeak-ng", "sox") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"espeak-ng or sox not installed (missing: {', '.join(missing)}); cannot regenerate the samples")
    if make_samples.tool_versions() != make_samples.GENERATED_WITH:
        pytest.skip(f"samples were generated with {make_samples.GENERATED_WITH}, found {make_samples.tool_versions()}")
    names = [call["name"] for call in make_samples.EXTRA_CALLS]

    assert make_samples.main(["--output-dir", str(tmp_path), "--only", *names]) == 0

    for name in names:
        for suffix in (".flac", ".json"):
            regenerated = tmp_path / make_samples.EXTRA_DIR / f"{name}{suffix}"
            committed = EXTRA_DIR / f"{name}{suffix}"
            assert hashlib.sha256(regenerated.read_bytes()).hexdigest() == hashlib.sha256(committed.read_bytes()).hexdigest()
