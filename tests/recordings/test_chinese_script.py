"""Chinese transcripts in the client's script, words keeping their timings."""

import pytest

from recordings.chinese_script import _converter, convert_utterances
from recordings.engines import Utterance, Word

opencc = pytest.importorskip("opencc", reason="OpenCC not installed: pip install 'opencc>=1.1.9,<2'")


def utterance(*texts: str) -> Utterance:
    words = tuple(Word(float(i), i + 0.5, text, 0.9) for i, text in enumerate(texts))
    return Utterance(start=0.0, end=len(texts) - 0.5, text="".join(texts).strip(), words=words)


def test_it_converts_traditional_to_simplified_keeping_each_words_timing():
    (converted,) = convert_utterances([utterance("我們", "後來", "說國語")], "simplified")

    assert converted.text == "我们后来说国语"
    assert [(w.start, w.end, w.text) for w in converted.words] == [(0.0, 0.5, "我们"), (1.0, 1.5, "后来"), (2.0, 2.5, "说国语")]


def test_it_converts_simplified_to_traditional_by_phrase():
    (converted,) = convert_utterances([utterance("谢谢", "您的", "来电")], "traditional")

    assert converted.text == "謝謝您的來電"


def test_it_leaves_the_text_alone_without_a_script_and_refuses_an_unknown_one():
    original = [utterance("後來")]

    assert convert_utterances(original, "") is original
    _converter.cache_clear()
    with pytest.raises(ValueError, match="unknown Chinese script 'cyrillic'"):
        convert_utterances(original, "cyrillic")
