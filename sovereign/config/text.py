"""Does a written justification say anything? One judge for every justification field, in config and components.

A justification is the reviewer's only record of why a control was relaxed (a public chat, an egress destination,
platform keys for the logs, a node pool without encryption at host), so a length bound alone is not enough:
``"xxxxxxxxxxxxxxxxxxxx"``, ``"n/a n/a n/a n/a n/a"``, ``"test test test test"`` and lorem ipsum all have the
length. :func:`justification_problem` refuses text that is short, a placeholder, a run of one character, one word
or one phrase repeated, or too few distinct words. Words are runs of letters in any script; Chinese and Japanese,
written without spaces, count each ideograph or kana as a word, so a real sentence in any of the countries'
languages passes.

Pure standard library (no pydantic, no SDK): components import it as well as the invariants, so validation and
the component guard give the same answer.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

__all__ = ["MIN_DISTINCT_WORDS", "justification_problem"]

MIN_DISTINCT_WORDS = 4
"""A reason names at least what, why and for whom: four different words (``"Pull OS security updates"``)."""
_MAX_WORD_SHARE = 0.5
"""No single word makes up more than half of the words (``"very very very very important"``)."""
_LETTER_RUN = re.compile(r"([^\W\d_])\1{3,}", re.IGNORECASE)
"""A letter four or more times in a row: no word of the countries' languages has one (German stops at three,
"Schifffahrt"), padding does ("xxxx", "aaaa")."""
_SYMBOL_RUN = re.compile(r"([^\w\s])\1{4,}")
"""The same punctuation five or more times ("-----", "?????", "....."): filler, not prose."""
_WORD = re.compile(r"[^\W\d_]+")
_PLACEHOLDER_WORDS = frozenset(
    {
        "lorem",
        "ipsum",
        "dolor",
        "todo",
        "tbd",
        "tbc",
        "fixme",
        "placeholder",
        "asdf",
        "qwerty",
        "blah",
        "xxx",
        "wip",
    }
)
_PLACEHOLDER_PHRASES = (
    "not applicable",
    "no reason",
    "no justification",
    "to be defined",
    "to be determined",
    "see above",
    "n a",
)
"""Phrases that say there is no reason yet, matched on whole words ("n a" is "n/a" once punctuation is gone)."""


def justification_problem(text: str, *, min_chars: int) -> str | None:
    """Why ``text`` is not a justification, or None when it has substance.

    ``min_chars`` is the field's length bound (``sovereign.config.limits``), counted without surrounding blanks.
    """
    stripped = text.strip()
    if len(stripped) < min_chars:
        return f"{len(stripped)} characters of text (allowed: at least {min_chars})"
    run = _LETTER_RUN.search(stripped) or _SYMBOL_RUN.search(stripped)
    if run is not None:
        return f"padding: {run.group(0)!r} repeats one character"
    words = _words(stripped)
    folded = " ".join(words)
    placeholders = sorted(set(words) & _PLACEHOLDER_WORDS)
    if placeholders:
        return f"placeholder text ({', '.join(repr(w) for w in placeholders)})"
    phrase = next((p for p in _PLACEHOLDER_PHRASES if re.search(rf"(^| ){p}( |$)", folded)), None)
    if phrase is not None:
        return f"placeholder text ({phrase!r} says there is no reason yet)"
    distinct = {w for w in words if len(w) > 1 or _unspaced_script(w)}  # "a b c d e f" is not four words
    if len(distinct) < MIN_DISTINCT_WORDS:
        shown = ", ".join(sorted(distinct)) or "none"
        return (
            f"{len(distinct)} distinct word{'s' if len(distinct) != 1 else ''} ({shown}; allowed: at least "
            f"{MIN_DISTINCT_WORDS})"
        )
    word, count = Counter(words).most_common(1)[0]
    if count / len(words) > _MAX_WORD_SHARE:
        return f"{word!r} is {count} of its {len(words)} words"
    period = _repeat_period(words)
    if period is not None:
        return f"one phrase repeated ({' '.join(words[:period])!r})"
    return None


def _words(text: str) -> list[str]:
    """Case-folded words: letter runs, with each Han, Hiragana or Katakana character a word of its own."""
    words: list[str] = []
    for token in _WORD.findall(unicodedata.normalize("NFKC", text).casefold()):
        buffer = ""
        for char in token:
            if _unspaced_script(char):
                if buffer:
                    words.append(buffer)
                    buffer = ""
                words.append(char)
            else:
                buffer += char
        if buffer:
            words.append(buffer)
    return words


def _unspaced_script(char: str) -> bool:
    name = unicodedata.name(char, "")
    return name.startswith(("CJK UNIFIED IDEOGRAPH", "HIRAGANA", "KATAKANA"))


def _repeat_period(words: list[str]) -> int | None:
    """The length of a phrase the words only repeat (two times or more, the last time possibly cut short)."""
    for period in range(1, len(words) // 2 + 1):
        if all(words[i] == words[i % period] for i in range(period, len(words))):
            return period
    return None
