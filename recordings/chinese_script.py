"""Chinese transcripts in the script a client reads: Simplified or Traditional characters.

Whisper writes Mandarin mostly in Traditional characters. OpenCC (the `opencc` wheel, whose
dictionaries ship inside it, so it works offline) converts whole phrases, which is how ambiguous
characters (后/後, 发/髮) come out right; the words keep their timings.
"""

from __future__ import annotations

import functools

from recordings.engines import Utterance, Word

CONFIGS = {"simplified": "t2s", "traditional": "s2t"}
CHINESE_LANGUAGES = {"zh", "yue"}


class ScriptConversionUnavailable(RuntimeError):
    """OpenCC is not installed."""


def convert_utterances(utterances: list[Utterance], script: str) -> list[Utterance]:
    """The utterances written in `script` ('simplified' or 'traditional'); unchanged for ''."""
    if not script:
        return utterances
    return [_convert(utterance, _converter(script)) for utterance in utterances]


def _convert(utterance: Utterance, convert) -> Utterance:
    texts = [w.text for w in utterance.words]
    converted = convert("".join(texts))
    if len(converted) == sum(len(t) for t in texts):
        # Converted as one phrase, character for character: cut it back into the words.
        pieces, at = [], 0
        for text in texts:
            pieces.append(converted[at : at + len(text)])
            at += len(text)
    else:  # a phrase changed length: convert word by word instead
        pieces = [convert(text) for text in texts]
    words = tuple(Word(w.start, w.end, piece, w.probability) for w, piece in zip(utterance.words, pieces, strict=True))
    return Utterance(start=utterance.start, end=utterance.end, text="".join(pieces).strip(), words=words)


@functools.cache
def _converter(script: str):
    if script not in CONFIGS:
        raise ValueError(f"unknown Chinese script '{script}' (expected one of {', '.join(CONFIGS)})")
    try:
        import opencc
    except ImportError as exc:
        raise ScriptConversionUnavailable(
            f"converting Chinese transcripts needs OpenCC: pip install 'opencc>=1.1.9,<2' ({exc})"
        ) from exc
    return opencc.OpenCC(f"{CONFIGS[script]}.json").convert
