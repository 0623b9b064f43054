"""Input hygiene and stepping: clean, is_blank, window, steps."""

from __future__ import annotations

import unicodedata

import pytest

from visualizer.errors import UsageError
from visualizer.sources.text import clean, is_blank, steps, window

EMOJI_FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man ZWJ woman ZWJ girl
E_ACUTE = "e\u0301"  # e + combining acute accent


def test_clean_replaces_lone_surrogates_and_joins_pairs() -> None:
    assert clean("a\ud800b\udc00c") == "a\ufffdb\ufffdc"
    assert clean("x\ud83d\ude00y") == "x\U0001f600y"
    assert clean("nul\x00here") == "nulhere"
    assert clean("plain ascii") == "plain ascii"


def test_clean_leaves_every_case_text_unchanged(case_texts: dict[str, str]) -> None:
    for name, text in case_texts.items():
        assert clean(text) == text, name
        clean(text).encode("utf-8")


def test_is_blank_on_the_case_texts(case_texts: dict[str, str]) -> None:
    verdicts = {name: is_blank(text) for name, text in case_texts.items()}
    assert verdicts == {
        "blank": True,
        "empty": True,
        "paragraph": False,
        "plain": False,
        "unicode": False,
    }
    assert is_blank("\u3000\u00a0\t") and not is_blank("\u200b.")


def test_window_keeps_the_last_characters() -> None:
    assert window("abcdef", 3) == ("def", True)
    assert window("abc", 3) == ("abc", False)
    assert window("abc", 0) == ("abc", False)
    text, cut = window("x" * 1000 + "the end", 256)
    assert cut and len(text) == 256 and text.endswith("the end")


def test_window_never_splits_a_grapheme() -> None:
    text = "ab" + EMOJI_FAMILY + "cd"
    for n in range(1, len(text)):
        kept, cut = window(text, n)
        assert cut and len(kept) <= n
        assert text.endswith(kept)
        assert not kept.startswith(("\u200d", "\U0001f469\u200d", "\U0001f467"))
    assert window("a" + E_ACUTE, 1) == ("", True)
    assert window("a" + E_ACUTE, 2) == (E_ACUTE, True)


def test_window_on_the_paragraph(case_texts: dict[str, str]) -> None:
    paragraph = case_texts["paragraph"]
    kept, cut = window(paragraph, 100)
    assert cut == (len(paragraph) > 100)
    assert paragraph.endswith(kept) and len(kept) == min(100, len(paragraph))


def test_steps_by_char_grow_one_code_point_at_a_time(case_texts: dict[str, str]) -> None:
    text = case_texts["plain"]
    prefixes = steps(text, "char")
    assert len(prefixes) == len(text)
    assert [len(p) for p in prefixes] == list(range(1, len(text) + 1))
    assert prefixes[-1] == text
    assert steps("", "char") == []


def test_steps_by_grapheme_keep_emoji_and_accents_whole(case_texts: dict[str, str]) -> None:
    text = case_texts["unicode"]
    prefixes = steps(text, "grapheme")
    assert prefixes[-1] == text
    assert len(prefixes) < len(text)  # the combining accent joined its letter
    for prefix in prefixes:
        last = prefix[-1]
        assert unicodedata.combining(last) == 0 or prefix.endswith(E_ACUTE)
        assert not ("\ud800" <= last <= "\udfff")

    family = steps("a" + EMOJI_FAMILY + E_ACUTE, "grapheme")
    assert family == ["a", "a" + EMOJI_FAMILY, "a" + EMOJI_FAMILY + E_ACUTE]


def test_steps_by_word() -> None:
    assert steps("hi there  you", "word") == ["hi", "hi there", "hi there  you"]
    assert steps("  lead, trail. ", "word") == ["  lead,", "  lead, trail.", "  lead, trail. "]
    assert steps("   ", "word") == ["   "]
    assert steps("", "word") == []


def test_steps_by_word_on_the_paragraph(case_texts: dict[str, str]) -> None:
    paragraph = case_texts["paragraph"]
    prefixes = steps(paragraph, "word")
    assert len(prefixes) >= len(paragraph.split())
    assert prefixes[-1] == paragraph
    assert all(
        b.startswith(a) and len(b) > len(a) for a, b in zip(prefixes, prefixes[1:], strict=False)
    )


def test_steps_rejects_an_unknown_unit() -> None:
    with pytest.raises(UsageError, match="sentence"):
        steps("abc", "sentence")  # type: ignore[arg-type]
