"""Redaction of transcripts: real Whisper output of the shipped sample and of spoken numbers, and Whisper-like text."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recordings.redaction import (
    MaskedSpan,
    RedactionInputError,
    RedactionKind,
    TranscriptSegment,
    luhn_valid,
    transcript_redact,
)
from tests.recordings.conftest import sample_truth
from tests.recordings.redaction_fixtures import (
    SAMPLE_CARD,
    digit_groups,
    digits_in,
    sample_segments,
    spoken,
    whisper_segment,
)

CARD = "4539148803436467"  # passes Luhn
AMEX = "378282246310005"
WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def redact(*segments, region: str = "GB"):
    return transcript_redact(list(segments), region=region)


def texts(result) -> list[str]:
    return [s.text for s in result.segments]


def only_span(result) -> MaskedSpan:
    assert len(result.spans) == 1, result.spans
    return result.spans[0]


def assert_no_card_digits(result, card: str = CARD) -> None:
    text = result.text
    assert not any(group in digits_in(text) for group in digit_groups(card)), text
    assert not any(group in text.replace(" ", "") for group in digit_groups(card)), text


def spoken_digits(number: str, *, every: int = 0) -> str:
    words = [WORDS[int(d)] for d in number]
    if every:
        return ", ".join(" ".join(words[i : i + every]) for i in range(0, len(words), every))
    return " ".join(words)


# ---------------------------------------------------------------------------------------------
# The shipped card_payment call, as Whisper tiny.en really transcribes it
# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_it_masks_the_card_number_whisper_heard_in_the_card_payment_sample():
    segments = sample_segments("card_payment")
    heard = "\n".join(s.utterance.text for s in segments)
    assert "4, 5, 3, 9, 1, 4, 8, 8" in heard  # the model really wrote the digits (and misheard the last one)

    result = transcript_redact(segments, region="US")

    assert_no_card_digits(result, SAMPLE_CARD)
    card = [s for s in result.spans if s.kind is RedactionKind.CARD_NUMBER]
    assert len(card) == 1
    # The turn in which the customer reads the card, with the audio padding, lies inside what is silenced.
    turn = next(t for t in sample_truth("card_payment")["turns"] if t["text"].startswith("Four, five"))
    silenced = [(s - 0.25, e + 0.25) for s, e in card[0].audio_intervals]
    assert any(s <= turn["start"] and turn["end"] <= e for s, e in silenced), (silenced, turn)
    # Nothing else the agent or customer said is masked.
    agent = [s.text for s in result.segments if s.speaker == "agent"]
    assert agent == [s.utterance.text for s in segments if s.speaker == "agent"]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["billing_double_charge", "cancel_subscription_interruption", "outage_hold"])
def test_it_masks_nothing_in_the_sample_calls_without_card_numbers(name):
    # billing_double_charge has a six-digit account number and a date of birth: neither is a card.
    segments = sample_segments(name)
    result = transcript_redact(segments, region="GB")
    assert result.spans == ()
    assert texts(result) == [s.utterance.text for s in segments]


# ---------------------------------------------------------------------------------------------
# Spoken numbers through the real engine (espeak-ng speech, Whisper tiny.en)
# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    "parts",
    [
        pytest.param((f"My card number is {spoken_digits(CARD)}.",), id="digit-by-digit"),
        pytest.param((f"It's {spoken_digits(CARD, every=4)}.",), id="in-groups-of-four"),
        pytest.param(
            (
                "The card is forty five thirty nine, fourteen eighty eight, oh three four three, sixty four sixty seven.",
            ),
            id="in-pairs",
        ),
        pytest.param(
            ("four five three nine, one four eight eight, hello three four three, six four six seven.",),
            id="misheard-word-in-the-middle",
        ),
        pytest.param(
            ("Four five three nine.", "One four eight eight.", "Zero three four three.", "Six four six seven."),
            id="split-over-segments",
        ),
    ],
)
def test_it_masks_a_card_read_out_in_what_whisper_really_writes(parts):
    segments = spoken(parts, pause=2.5 if len(parts) > 1 else 0.4)
    heard = " ".join(s.utterance.text for s in segments)
    assert len(digits_in(heard)) >= 12, heard  # Whisper did write the number down

    result = transcript_redact(segments, region="GB")

    assert_no_card_digits(result)
    assert {s.kind for s in result.spans} == {RedactionKind.CARD_NUMBER}, (heard, result.spans)
    if len(parts) > 1:
        assert len(segments) > 1, heard  # the pauses did split it
        assert len(only_span(result).parts) == len(segments)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "kind", "leak"),
    [
        ("My email is john dot smith at example dot com.", RedactionKind.EMAIL, "example"),
        (
            "You can reach me on oh two oh, seven nine four six, double oh double oh.",
            RedactionKind.PHONE_NUMBER,
            "7946",
        ),
        ("My national insurance number is Q Q one two three four five six C.", RedactionKind.NATIONAL_ID, "3456"),
        (
            "My social security number is one two three, four five, six seven eight nine.",
            RedactionKind.NATIONAL_ID,
            "6789",
        ),
    ],
)
def test_it_masks_spoken_e_mails_phones_and_ids_in_what_whisper_really_writes(text, kind, leak):
    segments = spoken((text,), voice="en-gb")
    result = transcript_redact(segments, region="GB")
    assert [s.kind for s in result.spans] == [kind], (segments, result.spans)
    assert leak not in result.text.replace(" ", "").replace("-", ""), result.text


# ---------------------------------------------------------------------------------------------
# Card numbers in Whisper-like text
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "words",
    [
        pytest.param(" My card number is 4539 1488 0343 6467.", id="digits-in-groups"),
        pytest.param(" My card number is 4539148803436467.", id="one-block"),
        pytest.param(" My card number is 4539-1488-0343-6467.", id="hyphenated-groups"),
        pytest.param(
            [" My", " card", " number", " is", " 4", *[f"-{d}" for d in CARD[1:-1]], f"-{CARD[-1]}."],
            id="whisper-hyphens",
        ),
        pytest.param(" My card number is " + ", ".join(CARD) + ".", id="digits-with-commas"),
        pytest.param(" My card number is " + spoken_digits(CARD, every=4) + ".", id="words"),
        pytest.param(" My card number is 4539 one four eight eight 0343 six four six seven.", id="mixed"),
        pytest.param(
            " My card number is for five three nine won for ate ate oh three for three six for six seven.",
            id="homophones",
        ),
        pytest.param(
            " My card number is four five three nine one four double eight zero three four three six four six seven.",
            id="double",
        ),
        pytest.param(
            " My card number is forty five thirty nine fourteen eighty eight oh three forty three sixty four "
            "sixty seven.",
            id="pairs",
        ),
        pytest.param(
            " My card number is four-five-three-nine one-four-eight-eight zero-three-four-three six-four-six-seven.",
            id="hyphenated-words",
        ),
        pytest.param(" My card number is 4,539,148,803,436,467.", id="thousands-separators"),
    ],
)
def test_it_masks_a_card_number_however_whisper_writes_it(words):
    result = redact(whisper_segment("customer", 10.0, words))
    span = only_span(result)
    assert span.kind is RedactionKind.CARD_NUMBER
    assert span.rule == "luhn"
    assert texts(result) == ["My card number is [card number]."]
    assert_no_card_digits(result)


def test_it_masks_the_card_words_with_their_own_timings():
    segment = whisper_segment("customer", 10.0, " Sure, it's 4539 1488 0343 6467, thanks.")
    span = only_span(redact(segment))
    assert [(ref.segment, ref.word) for ref in span.words] == [(0, 2), (0, 3), (0, 4), (0, 5)]
    assert (span.start, span.end) == (10.8, 12.4)
    assert span.speaker == "customer"
    # The silenced audio reaches the neighbouring words, which touch the number.
    assert span.audio_intervals == ((10.8, 12.4),)


def test_it_leaves_a_homophone_beside_a_card_out_when_the_card_is_whole_without_it():
    result = redact(whisper_segment("customer", 0.0, " I'm calling for 4539 1488 0343 6467 to pay."))
    assert texts(result) == ["I'm calling for [card number] to pay."]


def test_it_masks_an_american_express_number():
    result = redact(whisper_segment("customer", 0.0, " It's 3782 822463 10005."))
    assert texts(result) == ["It's [card number]."]


def test_it_masks_a_card_split_over_segments_of_one_speaker_around_the_agent():
    segments = [
        whisper_segment("customer", 10.0, " 4539 1488,"),
        whisper_segment("agent", 11.2, " Mhm."),
        whisper_segment("customer", 12.0, " 0343"),
        whisper_segment("agent", 12.6, " Yes."),
        whisper_segment("customer", 13.2, " 6467."),
    ]
    result = redact(*segments)
    span = only_span(result)
    assert span.kind is RedactionKind.CARD_NUMBER and span.rule == "luhn"
    assert texts(result) == ["[card number],", "Mhm.", "[card number]", "Yes.", "[card number]."]
    assert [p.segment for p in span.parts] == [0, 2, 4]
    assert (span.start, span.end) == (10.0, 13.6)
    # Each part is silenced on its own; the agent's words between them are not part of the span.
    assert len(span.audio_intervals) == 3


def test_it_masks_a_card_whose_groups_are_far_apart_in_the_call_only_up_to_a_long_pause():
    segments = [whisper_segment("customer", 10.0, " 4539 1488"), whisper_segment("customer", 40.0, " 0343 6467")]
    assert redact(*segments).spans == ()


def test_it_masks_a_long_run_that_fails_luhn_because_one_digit_was_misheard():
    wrong = CARD[:-1] + "1"
    assert not luhn_valid(wrong)
    result = redact(whisper_segment("customer", 5.0, " " + " ".join(wrong) + "."))
    span = only_span(result)
    assert (span.kind, span.rule) == (RedactionKind.CARD_NUMBER, "long_digit_run")
    assert_no_card_digits(result)


def test_it_masks_a_card_whose_last_digit_whisper_wrote_as_ten_like_in_the_sample():
    result = redact(whisper_segment("customer", 25.0, " 4, 5, 3, 9, 1, 4, 8, 8, 0, 3, 4, 3, 6, 4, 6, 10,"))
    assert texts(result) == ["[card number],"]


def test_it_masks_runs_joined_by_one_unreadable_word_with_that_word():
    words = [" 4", "-5", "-3", "-9,", " 1", "-4", "-8", "-8.", " Hello,", " 3", "-4", "-3,", " 6", "-4", "-6", "-7."]
    result = redact(whisper_segment("customer", 3.0, words))
    span = only_span(result)
    assert (span.kind, span.rule) == (RedactionKind.CARD_NUMBER, "digit_run_with_unreadable_word")
    assert texts(result) == ["[card number]."]
    assert len(span.words) == len(words)


def test_it_masks_an_unconfirmed_card_with_the_word_right_after_it():
    # "seven" heard as "heaven": 15 digits, no Luhn match; the word may be the last digit and is silenced too.
    result = redact(whisper_segment("customer", 3.0, " It's 4539 1488 0343 646 heaven. Thanks."))
    span = only_span(result)
    assert span.rule == "long_digit_run"
    assert texts(result) == ["It's [card number]. Thanks."]


def test_it_masks_a_decoder_loop_of_digits():
    result = redact(whisper_segment("customer", 0.0, [" 4", *["-1"] * 80], step=0.05))
    assert texts(result) == ["[card number]"]


def test_it_masks_the_card_the_agent_reads_back():
    segments = [
        whisper_segment("customer", 0.0, " 4539 1488 0343 6467."),
        whisper_segment(
            "agent",
            3.0,
            " So that's four five three nine, one four eight eight, oh three four three, six four six seven?",
        ),
    ]
    result = redact(*segments)
    assert texts(result) == ["[card number].", "So that's [card number]?"]
    assert [s.speaker for s in result.spans] == ["customer", "agent"]


@settings(max_examples=60, deadline=None)
@given(
    number=st.lists(st.integers(0, 9), min_size=12, max_size=18).map(lambda ds: "".join(map(str, ds))),
    style=st.sampled_from(["digits", "groups", "words", "word-groups", "hyphens", "mixed"]),
)
def test_it_masks_every_card_number_in_any_style(number, style):
    check = next(str(d) for d in range(10) if luhn_valid(number + str(d)))
    card = number + check
    if style == "digits":
        words = " " + " ".join(card)
    elif style == "groups":
        words = " " + " ".join(card[i : i + 4] for i in range(0, len(card), 4))
    elif style == "words":
        words = " " + spoken_digits(card)
    elif style == "word-groups":
        words = " " + spoken_digits(card, every=4)
    elif style == "hyphens":
        words = [f" {card[0]}", *[f"-{d}" for d in card[1:]]]
    else:
        words = " " + " ".join(WORDS[int(d)] if i % 2 else d for i, d in enumerate(card))
    result = redact(whisper_segment("customer", 1.0, words), whisper_segment("agent", 20.0, " Thank you."))
    assert [s.kind for s in result.spans] == [RedactionKind.CARD_NUMBER]
    assert result.segments[0].text == "[card number]"
    assert result.segments[1].text == "Thank you."


# ---------------------------------------------------------------------------------------------
# E-mail addresses, phone numbers, national ids
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (" It's john.smith@example.com.", "It's [e-mail]."),
        (" My email is john dot smith at example dot com.", "My email is [e-mail]."),
        (" It's sarah jones at outlook dot co dot uk, thanks.", "It's [e-mail], thanks."),
        (" Send it to j o h n underscore s at example dot org.", "Send it to [e-mail]."),
        (" It's john.smith+bills@example.co.uk.", "It's [e-mail]."),
        (" It's john plus bills at example dot com.", "It's [e-mail]."),
        (" My email is john.miss.example.com.", "My email is [e-mail]."),  # Whisper dropped the "at"
        (" John Under's course myth at gmail.com.", "[e-mail]."),
    ],
)
def test_it_masks_e_mail_addresses_written_and_spoken(words, expected):
    result = redact(whisper_segment("customer", 0.0, words))
    assert only_span(result).kind is RedactionKind.EMAIL
    assert texts(result) == [expected]


@pytest.mark.parametrize(
    ("region", "words", "expected"),
    [
        ("GB", " You can reach me on 020 7946 0000.", "You can reach me on [phone number]."),
        ("GB", " My mobile is 07911 123456.", "My mobile is [phone number]."),
        ("GB", " Call me on oh two oh, seven nine four six, double oh double oh.", "Call me on [phone number]."),
        ("GB", " It's plus four four seven nine one one one two three four five six.", "It's [phone number]."),
        ("US", " My number is (415) 555-2671.", "My number is [phone number]."),
        ("US", " My number is four one five, five five five, two six seven one.", "My number is [phone number]."),
        ("US", " It's +1 415 555 2671.", "It's [phone number]."),
        ("US", " It's 202-555-0143, thanks.", "It's [phone number], thanks."),
    ],
)
def test_it_masks_phone_numbers_for_the_region(region, words, expected):
    result = redact(whisper_segment("customer", 0.0, words), region=region)
    assert only_span(result).kind is RedactionKind.PHONE_NUMBER
    assert texts(result) == [expected]


def test_it_reads_phone_numbers_with_the_calls_region():
    # A London number in national form is nothing in the US (and too short to be taken for a card).
    segment = whisper_segment("customer", 0.0, " It's 020 7946 0000.")
    assert redact(segment, region="GB").spans != ()
    assert redact(segment, region="US").spans == ()


@pytest.mark.parametrize(
    ("region", "words", "expected"),
    [
        ("GB", " My SSN is 123-45-6789.", "My SSN is [national id]."),
        ("US", " It's 078 05 1120.", "It's [national id]."),
        ("US", " It's zero seven eight, zero five, one one two zero.", "It's [national id]."),
        (
            "GB",
            " My social security number is 1, 2, 3, 4, 5, 6, 7, 8, 8, 9.",  # Whisper doubled the 8
            "My social security number is [national id].",
        ),
        ("GB", " My national insurance number is QQ 12 34 56 C.", "My national insurance number is [national id]."),
        ("GB", " It's QQ123456C.", "It's [national id]."),
        ("GB", [" It's", " QQ", "-1", "-2", "-3", "-4", "-5", "-6C."], "It's [national id]."),
        ("GB", " It's Q Q one two three four five six C.", "It's [national id]."),
        ("GB", " It's cue cue one two three four five six see.", "It's [national id]."),
        (
            "GB",
            " My national insurance number is jane bee 12 34 56 see.",
            "My national insurance number is [national id].",
        ),
    ],
)
def test_it_masks_social_security_and_national_insurance_numbers(region, words, expected):
    result = redact(whisper_segment("customer", 0.0, words), region=region)
    assert only_span(result).kind is RedactionKind.NATIONAL_ID
    assert texts(result) == [expected]


def test_it_masks_a_national_insurance_number_asked_for_by_the_agent():
    segments = [
        whisper_segment("agent", 0.0, " Can I take your national insurance number?"),
        whisper_segment("customer", 3.0, " Yes, it's AB 12 34 56 D."),
    ]
    assert texts(redact(*segments))[1] == "Yes, it's [national id]."


# ---------------------------------------------------------------------------------------------
# What must not be masked
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("region", ["GB", "US"])
@pytest.mark.parametrize(
    "words",
    [
        " That's twenty five pounds.",
        " I paid 25 pounds on the 2nd of March at 10:30.",
        " It's one thousand two hundred and fifty pounds.",
        " My date of birth is July second, nineteen ninety.",
        " March 12, 1984.",
        " Your order number is 4 5 6 7 8 9.",
        " The order number is 45678912.",
        " The account number is seven, seven, two, four, one, nine.",
        " It expires oh eight twenty seven and the code is seven three one.",
        " I'll call back at ten thirty, or half past two.",
        " I'd like to pay for two items, too.",
        " Oh, for sure, I want to go to the shop at 4 and get 2 for 10.",
        " From 2019 to 2023 I paid 42 dollars a month.",
        " I'm at home, I'll be at work at nine.",
        " You can see it on www.example.com.",
        " Flight BA 123 lands at 6.",
    ],
)
def test_it_leaves_amounts_dates_times_and_short_numbers_alone(words, region):
    result = redact(whisper_segment("customer", 0.0, words), region=region)
    assert result.spans == (), result.spans
    assert texts(result) == [words.strip()]


def test_it_leaves_the_customers_account_number_and_date_of_birth_as_whisper_wrote_them():
    # billing_double_charge: a six-digit account number, then the date of birth three seconds later.
    segments = [
        whisper_segment("customer", 19.1, " It's seven, seven, two, four, one, nine,"),
        whisper_segment("agent", 22.1, " And your date of birth, please."),
        whisper_segment("customer", 25.1, " March 12, 1984."),
    ]
    assert redact(*segments, region="US").spans == ()


# ---------------------------------------------------------------------------------------------
# The result, its storage, bad input
# ---------------------------------------------------------------------------------------------


def test_it_gives_redacted_words_in_the_shape_of_segment_words():
    segment = whisper_segment("customer", 10.0, " Sure, it's 4539 1488 0343 6467, thanks.")
    redacted = redact(segment).segments[0]
    assert redacted.masked_words == (2, 3, 4, 5)
    assert [list(w) for w in redacted.words] == [
        [10.0, 10.4, " Sure,", 0.9],
        [10.4, 10.8, " it's", 0.9],
        [10.8, 12.4, " [card number],", 1.0],
        [12.4, 12.8, " thanks.", 0.9],
    ]
    assert "".join(w[2] for w in redacted.words).strip() == redacted.text


def test_it_keeps_segments_without_anything_to_mask_as_they_were():
    segment = whisper_segment("agent", 0.0, " Thank you for calling.")
    result = redact(segment)
    assert result.segments[0].text == "Thank you for calling."
    assert [list(w) for w in result.segments[0].words] == segment["words"]
    assert not result.segments[0].changed


def test_it_redacts_a_segment_without_word_timings_from_its_text():
    segment = {"speaker": "customer", "start": 4.0, "end": 9.0, "text": "My card is 4539 1488 0343 6467.", "words": []}
    result = redact(segment)
    span = only_span(result)
    assert texts(result) == ["My card is [card number]."]
    assert (span.start, span.end) == (4.0, 9.0)  # the whole segment: there is nothing finer to go by
    assert result.segments[0].words == ()


def test_it_redacts_from_the_text_when_the_words_do_not_spell_it():
    segment = whisper_segment("customer", 4.0, " My card is 4539 1488 0343 6467.")
    segment["text"] = "Card: 4539 1488 0343 6467"
    result = redact(segment)
    assert texts(result) == ["Card: [card number]"]
    # The original words would give the number away: one word carries the redacted text instead.
    assert [w[2] for w in result.segments[0].words] == ["Card: [card number]"]


def test_it_stores_spans_as_json_and_reads_them_back():
    result = redact(
        whisper_segment("customer", 10.0, " 4539 1488"),
        whisper_segment("customer", 11.5, " 0343 6467, and john@example.com."),
    )
    stored = json.loads(json.dumps(result.spans_as_json()))
    assert [MaskedSpan.from_dict(d) for d in stored] == list(result.spans)
    assert [d["label"] for d in stored] == ["[card number]", "[e-mail]"]
    assert result.audio_intervals == tuple(sorted(i for s in result.spans for i in s.audio_intervals))


def test_it_takes_segment_rows_and_engine_utterances_alike():
    row = whisper_segment("customer", 0.0, " It's 4539 1488 0343 6467.")
    as_object = type("Row", (), dict(row))()
    assert redact(as_object) == redact(row) == redact(TranscriptSegment.coerce(row))


@pytest.mark.parametrize(
    ("segment", "region", "message"),
    [
        ({"speaker": "", "start": 0, "end": 1, "text": "x", "words": []}, "GB", "segment 0: speaker"),
        ({"speaker": "agent", "start": 2, "end": 1, "text": "x", "words": []}, "GB", "ends (1.0) before it starts"),
        ({"speaker": "agent", "start": "soon", "end": 1, "text": "x", "words": []}, "GB", "segment 0 start"),
        ({"speaker": "agent", "start": 0, "end": 1, "text": None, "words": []}, "GB", "text must be a string"),
        (
            {"speaker": "agent", "start": 0, "end": 1, "text": "x", "words": [[0, 1, "x"]]},
            "GB",
            "segment 0 word 0 must be [start, end, word, probability]",
        ),
        ({"speaker": "agent", "start": 0, "end": 1, "text": "x", "words": []}, "UK", "the United Kingdom is GB"),
        ({"speaker": "agent", "start": 0, "end": 1, "text": "x", "words": []}, "", "default phone region"),
    ],
)
def test_it_names_the_problem_with_bad_input(segment, region, message):
    with pytest.raises(RedactionInputError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        transcript_redact([segment], region=region)


def test_it_accepts_a_lowercase_region():
    result = redact(whisper_segment("customer", 0.0, " My number is (415) 555-2671."), region="us")
    assert only_span(result).kind is RedactionKind.PHONE_NUMBER


@pytest.mark.parametrize(
    ("number", "valid"),
    [(CARD, True), (AMEX, True), ("4111111111111111", True), ("4111111111111112", False), ("12a4", False)],
)
def test_it_checks_luhn(number, valid):
    assert luhn_valid(number) is valid
