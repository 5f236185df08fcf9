"""Word error rate with numbers scored as PII."""

import pytest

from recordings.wer import PII, WordErrors, normalise, word_errors


def test_it_scores_a_number_said_in_words_or_digits_as_the_same_pii_token():
    assert normalise("It's seven seven two, four one nine.") == ["it's", PII]
    assert word_errors("It's seven seven two, four one nine.", "It's 772-419.") == WordErrors(0, 2)
    assert word_errors("March twelfth, nineteen eighty four.", "March 12, 1984.") == WordErrors(0, 2)


def test_it_counts_a_lost_number_as_one_error_not_one_per_digit():
    assert word_errors("Four, five, three, nine. One, four, eight, eight.", "") == WordErrors(1, 1)


def test_it_keeps_oh_a_word_unless_it_stands_among_numbers():
    assert normalise("Oh, okay.") == ["oh", "okay"]
    assert normalise("Oh eight, twenty seven.") == [PII]


def test_it_knows_german_numbers():
    assert normalise("Sieben drei eins, vier zwei acht. Danke", "de") == [PII, "danke"]


def test_it_counts_substitutions_insertions_and_deletions():
    errors = word_errors("thank you for calling acme telecom", "thank you for calling at me telecom today")

    assert errors.errors == 3
    assert errors.rate == pytest.approx(3 / 6)
    assert (errors + WordErrors(1, 4)).rate == pytest.approx(4 / 10)
