"""Text normalisation for matching what a small Whisper model writes against what a rule expects.

Both sides go through the same steps: lower case, accents off, apostrophes dropped ("what's" ->
"whats"), numbers spelled out ("42" -> "forty two", "1984" -> "nineteen eighty four", "6pm" ->
"six pm", "50%" -> "fifty percent"), every other sign a word break. `sound_key` folds a word
to a rough sound skeleton, so "at me can come" and "acme telecom" end up close.
"""

from __future__ import annotations

import re
import unicodedata

_ONES = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORDINALS = {
    "one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
    "nine": "ninth", "twelve": "twelfth",
}
_NUMBER = re.compile(r"(\$?)(\d+(?:[.,]\d+)*)(st|nd|rd|th)?(%?)")


def number_words(n: int) -> str:
    """Cardinal English words for 0 <= n < 10**12."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f" {_ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_ONES[hundreds]} hundred" + (f" {number_words(rest)}" if rest else "")
    for size, name in ((10**9, "billion"), (10**6, "million"), (1000, "thousand")):
        if n >= size:
            high, rest = divmod(n, size)
            return f"{number_words(high)} {name}" + (f" {number_words(rest)}" if rest else "")
    raise AssertionError("unreachable")


def _year_words(n: int) -> str:
    high, low = divmod(n, 100)
    if low == 0:
        return f"{number_words(high)} hundred"
    return f"{number_words(high)} " + (f"oh {_ONES[low]}" if low < 10 else number_words(low))


def _ordinal(words: str) -> str:
    head, _, last = words.rpartition(" ")
    if last in _ORDINALS:
        last = _ORDINALS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return f"{head} {last}".strip()


def _spell_number(match: re.Match) -> str:
    dollar, digits, ordinal, percent = match.groups()
    parts = re.split(r"[.,]", digits)
    if len(parts) > 1 and all(len(p) == 3 for p in parts[1:]):
        parts = ["".join(parts)]  # 1,200 is one number
    spoken = []
    for part in parts:
        n = int(part)
        if len(part) > 1 and part.startswith("0") or len(part) > 12:
            spoken.append(" ".join(_ONES[int(d)] for d in part))  # read digit by digit
        elif len(part) == 4 and (1100 <= n <= 1999 or 2010 <= n <= 2099):
            spoken.append(_year_words(n))
        else:
            spoken.append(number_words(n))
    words = " point ".join(spoken)
    if ordinal:
        words = _ordinal(words)
    return " " + words + (" percent" if percent else "") + (" dollars" if dollar else "") + " "


def normalise(text: str) -> list[str]:
    """The words of `text` as matching sees them."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"['\u2019`]", "", text).replace("&", " and ")
    text = _NUMBER.sub(_spell_number, text)
    return re.findall(r"[a-z]+", text)


# Sound skeleton for names: telephone-band speech blurs the stops (p/t/k, b/d/g: "telecom" comes out
# as "pelican"), a small model writes any vowel for any other, and a final e is mostly silent. Tuned
# on what tiny.en wrote for the sample calls' company and agent names.
_SOUND_STEPS = [
    (re.compile(p), r)
    for p, r in (
        (r"(?<=...)e$", ""), ("ph", "f"), ("th", "t"), ("sh", "s"), ("ch", "k"), ("ck", "k"), ("gh", ""),
        ("qu", "kw"), ("x", "ks"), ("c(?=[eiy])", "s"), ("[cqgbdjpt]", "k"), ("z", "s"), ("v", "f"),
        ("[aeiouy]+", "a"), ("[hw]", ""), (r"(.)\1+", r"\1"),
    )
]


def sound_key(word: str) -> str:
    """A rough sound skeleton of one normalised word."""
    for pattern, replacement in _SOUND_STEPS:
        word = pattern.sub(replacement, word)
    return word


def join_keys(keys: list[str] | tuple[str, ...]) -> str:
    """Sound keys of consecutive words as one key (a letter repeated across a word break counts once)."""
    out = ""
    for key in keys:
        if out and key and out[-1] == key[0]:
            key = key[1:]
        out += key
    return out
