"""Whether decoded text reads as speech or as a decoding loop: pure functions.

Whisper, fed a run of one digit ("zero zero zero zero, zero zero ..."), can fall into
repeating it until its 30-second window is full, swallowing whatever was said next.
A loop shows as text that speech cannot hold: more words than the span's speech had
time for, or one word or phrase repeated in a row more often than anyone says it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Faster than anyone reads digits out (a fast reader manages about 3.5 a second of speech).
MAX_WORDS_PER_SECOND = 6.0
SLACK_WORDS = 3
# The longest run of one word a person says: one digit fifteen times, as in a card number whose
# first digit names its network (3 to 6) and the other fifteen repeat one digit (4111 1111 1111 1111);
# of any other word ("no, no, no, no, no"), far fewer.
MAX_SAME_WORD_RUN = 15
MAX_SAME_NON_DIGIT_RUN = 5
# A digit said as a word and written as a digit is the same word: "0 0 zero 0" is one run.
DIGIT_VALUES = {
    **{str(d): str(d) for d in range(10)},
    **{word: str(d) for d, word in enumerate("zero one two three four five six seven eight nine".split())},
    **{word: str(d) for d, word in enumerate("null eins zwei drei vier fünf sechs sieben acht neun".split())},
}
DIGIT_WORDS = frozenset({*DIGIT_VALUES, "oh"})
# "thank you, thank you": a two-word phrase said more than this many times in a row is a loop;
# a longer one said three times in a row is one already.
MAX_PAIR_REPEATS = 3
MAX_PHRASE_REPEATS = 2
MAX_PHRASE_WORDS = 8

_WORD = re.compile(r"\d|[^\W\d_]+(?:'[^\W\d_]+)*")


def spoken_words(text: str) -> list[str]:
    """Words as said: each digit is one ("4111" is four words), punctuation dropped, lower case."""
    return _WORD.findall(text.lower())


def same_word(word: str) -> str:
    """The word as compared for repeats: a digit by its value, whether written as a digit or a word."""
    return DIGIT_VALUES.get(word, word)


def word_budget(speech_seconds: float) -> int:
    """The most words `speech_seconds` of speech can hold."""
    return int(MAX_WORDS_PER_SECOND * max(0.0, speech_seconds)) + SLACK_WORDS


def loop_reason(text: str, speech_seconds: float) -> str:
    """Why `text` cannot be what was said in `speech_seconds` of speech; empty when it can."""
    words = [same_word(w) for w in spoken_words(text)]
    if len(words) > word_budget(speech_seconds):
        return f"{len(words)} words in {speech_seconds:.1f} s of speech"
    for size in range(1, MAX_PHRASE_WORDS + 1):
        phrase, repeats = longest_repeat(words, size)
        if repeats > repeat_limit(phrase):
            return f"'{' '.join(phrase)}' {repeats} times in a row"
    return ""


def repeat_limit(phrase: tuple[str, ...]) -> int:
    """How many times in a row a person may say this phrase."""
    if len(phrase) == 1:
        return MAX_SAME_WORD_RUN if phrase[0] in DIGIT_WORDS else MAX_SAME_NON_DIGIT_RUN
    return MAX_PAIR_REPEATS if len(phrase) == 2 else MAX_PHRASE_REPEATS


def longest_repeat(words: list[str], size: int) -> tuple[tuple[str, ...], int]:
    """The phrase of `size` words repeated most often back to back (beyond what a person says), and how often."""
    best: tuple[tuple[str, ...], int] = ((), 0)
    for offset in range(size):
        previous: tuple[str, ...] = ()
        repeats = 0
        for start in range(offset, len(words) - size + 1, size):
            phrase = tuple(words[start : start + size])
            repeats = repeats + 1 if phrase == previous else 1
            previous = phrase
            if not _periodic(phrase) and repeats - repeat_limit(phrase) > best[1] - repeat_limit(best[0] or phrase):
                best = (phrase, repeats)
    return best


def _periodic(phrase: tuple[str, ...]) -> bool:
    """Whether the phrase is a shorter phrase repeated ("0 0"), whose own run is what counts."""
    return any(len(phrase) % p == 0 and phrase == phrase[:p] * (len(phrase) // p) for p in range(1, len(phrase)))


def loop_start(words: list[str]) -> int | None:
    """Index of the first word of the longest back-to-back repetition; None if nothing repeats."""
    words = [same_word(w) for w in words]
    best_length, best_start = 1, None
    for size in range(1, MAX_PHRASE_WORDS + 1):
        for offset in range(size):
            run_start, repeats, previous = offset, 0, ()
            for start in range(offset, len(words) - size + 1, size):
                phrase = tuple(words[start : start + size])
                if phrase == previous:
                    repeats += 1
                else:
                    run_start, repeats, previous = start, 1, phrase
                if repeats > 1 and repeats * size > best_length:
                    best_length, best_start = repeats * size, run_start
    return best_start


def trim_runs(texts: list[str]) -> list[str]:
    """The texts (words in the order said) without the repeats of a word beyond what a person says in a row."""
    state = {"previous": "", "run": 0}

    def excess(token: str) -> bool:
        token = same_word(token)
        state["run"] = state["run"] + 1 if token == state["previous"] else 1
        state["previous"] = token
        return state["run"] > repeat_limit((token,))

    return _drop_words(texts, excess)


def trim_to_budget(texts: list[str], speech_seconds: float) -> list[str]:
    """The texts cut after the most words `speech_seconds` of speech can hold."""
    budget = word_budget(speech_seconds)
    count = {"said": 0}

    def excess(_token: str) -> bool:
        count["said"] += 1
        return count["said"] > budget

    return _drop_words(texts, excess)


def _drop_words(texts: list[str], drop: Callable[[str], bool]) -> list[str]:
    """Each text without the spoken words `drop` picks (called once per word, in order), each with the
    separator before it; a text left without words becomes empty."""
    result = []
    for text in texts:
        kept, position, any_kept = [], 0, False
        for match in _WORD.finditer(text.lower()):
            if drop(match.group()):
                kept.append(text[position : match.start()] if not any_kept and position == 0 else "")
                position = match.end()
            else:
                kept.append(text[position : match.end()])
                position, any_kept = match.end(), True
        kept.append(text[position:])
        result.append("".join(kept) if any_kept else "")
    return result
