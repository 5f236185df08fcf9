"""Loop detection on decoded text: pure functions."""

from recordings import loops


def test_it_reads_a_card_number_of_fifteen_ones_as_speech():
    text = "Four, one, one, one. One, one, one, one. One, one, one, one. One, one, one, one."

    assert loops.loop_reason(text, speech_seconds=6.0) == ""


def test_it_counts_each_digit_written_as_a_number_as_one_word():
    assert loops.spoken_words("It's 4111-2, Mr. O'Neil") == ["it's", "4", "1", "1", "1", "2", "mr", "o'neil"]


def test_it_calls_a_digit_repeated_past_any_card_number_a_loop():
    text = " ".join(["zero"] * 40)

    assert "'0' 40 times in a row" in loops.loop_reason(text, speech_seconds=20.0)
    assert "'0' 16 times in a row" in loops.loop_reason("0-0-0-0 zero, zero " * 2 + "0 0 0 0", speech_seconds=20.0)


def test_it_calls_more_words_than_the_speech_can_hold_a_loop():
    text = "three four zero zero " * 30

    assert "words in 5.0 s of speech" in loops.loop_reason(text, speech_seconds=5.0)


def test_it_holds_other_words_and_phrases_to_what_people_say():
    assert loops.loop_reason("no, no, no, no", 3.0) == ""
    assert loops.loop_reason("No, no, no, no, no, no, no.", 3.0) == "'no' 7 times in a row"
    assert loops.loop_reason("thank you, thank you, thank you", 3.0) == ""
    assert "'sehr schön' 4 times" in loops.loop_reason("sehr schön, sehr schön, sehr schön, sehr schön", 5.0)
    assert "3 times in a row" in loops.loop_reason("see you in the next video, see you in the next video, see you in the next video", 20.0)


def test_it_finds_where_a_loop_begins():
    words = "hi i'd like to pay three four zero zero zero zero zero zero zero".split()

    assert loops.loop_start(words) == 7
    assert loops.loop_start("hello there".split()) is None


def test_it_gives_a_word_budget_that_grows_with_the_speech():
    assert loops.word_budget(0.0) == loops.SLACK_WORDS
    assert loops.word_budget(10.0) == 60 + loops.SLACK_WORDS
