"""Word error rate of a transcript against a script: pure functions, no database.

Numbers are personal data in a call (card numbers, dates of birth, account
numbers), and Whisper writes them as digits or as words at whim ("seven seven
two" or "772"). So every run of number words or digits is scored as one PII
token: a number heard where one was said is right, whatever its spelling, and
a number lost or invented is one error, not one per digit.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

PII = "<number>"

NUMBER_WORDS = {
    "en": {
        "zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
        "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "thousand", "double",
        "triple", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
        "eleventh", "twelfth", "thirteenth", "twentieth", "thirtieth",
    },
    "de": {
        "null", "eins", "ein", "zwei", "zwo", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn",
        "elf", "zwölf", "zwanzig", "dreißig", "vierzig", "fünfzig", "sechzig", "siebzig", "achtzig", "neunzig",
        "hundert", "tausend",
    },
}
# "oh" and "ein" are numbers only next to other numbers ("oh eight"), words elsewhere ("oh, okay").
AMBIGUOUS = {"oh", "ein", "second"}

_TOKEN = re.compile(r"[\w']+")


@dataclass(frozen=True)
class WordErrors:
    """Edit distance between reference and hypothesis words, after normalising both."""

    errors: int
    reference_words: int

    @property
    def rate(self) -> float:
        return self.errors / self.reference_words if self.reference_words else float(self.errors > 0)

    def __add__(self, other: WordErrors) -> WordErrors:
        return WordErrors(self.errors + other.errors, self.reference_words + other.reference_words)


def normalise(text: str, language: str = "en") -> list[str]:
    """Lower-case words without punctuation, each run of numbers one PII token."""
    text = unicodedata.normalize("NFKC", text).lower().replace("-", " ").replace("\u2019", "'")
    words = [w.strip("'") for w in _TOKEN.findall(text)]
    number_words = NUMBER_WORDS.get(language.split("-")[0], NUMBER_WORDS["en"])

    def is_number(i: int) -> bool:
        word = words[i]
        if any(ch.isdigit() for ch in word):
            return True
        if word not in number_words:
            return False
        if word not in AMBIGUOUS:
            return True
        neighbours = [words[j] for j in (i - 1, i + 1) if 0 <= j < len(words)]
        return any(any(ch.isdigit() for ch in n) or (n in number_words and n not in AMBIGUOUS) for n in neighbours)

    tokens: list[str] = []
    for i, word in enumerate(words):
        if not word:
            continue
        if is_number(i):
            if not tokens or tokens[-1] != PII:
                tokens.append(PII)
        else:
            tokens.append(word)
    return tokens


def word_errors(reference: str, hypothesis: str, language: str = "en") -> WordErrors:
    ref, hyp = normalise(reference, language), normalise(hypothesis, language)
    return WordErrors(_edit_distance(ref, hyp), len(ref))


def _edit_distance(a: list[str], b: list[str]) -> int:
    previous = list(range(len(b) + 1))
    for i, word in enumerate(a, start=1):
        current = [i]
        for j, other in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != other)))
        previous = current
    return previous[-1]
