"""Normalisation and sound keys: what a small Whisper model writes, made comparable with what a rule expects."""

import pytest
from rapidfuzz.distance import Indel

from qa.autoqa.matching import name_similarity
from qa.autoqa.text import join_keys, normalise, number_words, sound_key


@pytest.mark.parametrize(
    ("written", "words"),
    [
        ("I refunded 42 dollars.", "i refunded forty two dollars"),
        ("$42", "forty two dollars"),
        ("March 12, 1984.", "march twelve nineteen eighty four"),
        ("fixed by 6pm today", "fixed by six pm today"),
        ("50% off", "fifty percent off"),
        ("3-1-0, 5-5-8.", "three one zero five five eight"),
        ("the 12th and the 21st", "the twelfth and the twenty first"),
        ("in 2005", "in two thousand five"),
        ("code 007", "code zero zero seven"),
        ("What's YOUR name?", "whats your name"),
        ("Müller & Söhne", "muller and sohne"),
        ("12,000 minutes", "twelve thousand minutes"),
        ("1,500 minutes", "fifteen hundred minutes"),
    ],
)
def test_it_normalises_case_punctuation_and_numbers(written, words):
    assert " ".join(normalise(written)) == words


def test_it_spells_large_numbers():
    assert number_words(0) == "zero"
    assert number_words(115) == "one hundred fifteen"
    assert number_words(2_000_019) == "two million nineteen"


def _key(text):
    return join_keys([sound_key(w) for w in normalise(text)])


@pytest.mark.parametrize("heard", ["at me can come", "at me palakom", "i can tell to come", "me taylor come"])
def test_it_brings_what_tiny_en_wrote_for_a_company_close_to_its_name(heard):
    """What tiny.en wrote for 'Acme Telecom' on the sample calls, against words said instead of a name."""
    acme = tuple(normalise("Acme Telecom"))
    assert name_similarity(tuple(normalise(heard)), acme) >= 75
    for other in ("how can i help you", "you today", "customer services", "the support line"):
        assert name_similarity(tuple(normalise(other)), acme) < 65, other


def test_it_hears_a_name_by_its_sound():
    assert Indel.normalized_similarity(_key("james"), _key("game")) >= 0.75
    assert _key("Sarah") == _key("Sara")


def test_it_joins_sound_keys_without_doubling_a_letter_across_words():
    assert join_keys(["kam", "mak"]) == "kamak"
    assert join_keys(["", "a"]) == "a"
