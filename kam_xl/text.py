"""The one text rule for every text input kam_xl reads (workbooks, data books, Excel functions).

A text is compared and stored after :func:`clean_text`: Unicode NFC, no-break and other spaces folded and
trimmed, a whole number typed into a text field kept as ``2026`` (not ``2026.0``). Keys (product, supplier,
criterion, activity, person …) are compared after this rule with :func:`key_of`; the words of a drop-down or
a scale are matched with :func:`match_choice`: case-insensitively, with dashes folded, so ``trifft voll und
ganz zu`` typed with an ASCII hyphen matches the offered en-dash word.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

_SPACE = re.compile(r"[\s\u00a0\u2007\u202f\u200b\ufeff]+")
_DASHES = re.compile(r"[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d]")


def clean_text(value: Any) -> str | None:
    """A cell's value as text under the one rule; ``None`` for an empty cell or one holding only spaces.

    >>> clean_text("  Farbstoff Blau 86 \u00a0"), clean_text(2026.0), clean_text(None), clean_text("   ")
    ('Farbstoff Blau 86', '2026', None, None)
    >>> clean_text("Cafe\u0301")  # decomposed é becomes the one composed character
    'Café'
    """
    if value is None:
        return None
    if type(value) is str and is_clean(value):
        return value  # already clean (the bulk of cells): nothing to normalise or fold
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _SPACE.sub(" ", unicodedata.normalize("NFC", str(value))).strip()
    return text or None


def is_clean(text: str) -> bool:
    """Whether :func:`clean_text` gives ``text`` back as it is: not empty, no space at either end, none doubled,
    no other space or control character (Unicode calls every space but the ASCII one, and every line break,
    not printable) and in NFC already — checked in C, without the normalisation and the search.

    >>> is_clean("Müller GmbH"), is_clean("Mu\u0308ller"), is_clean("A\u00a0B"), is_clean(" A"), is_clean("")
    (True, False, False, False, False)
    """
    return bool(text) and text.isprintable() and text[0] != " " and text[-1] != " " and "  " not in text \
        and (text.isascii() or unicodedata.is_normalized("NFC", text))


def fold_dashes(text: str) -> str:
    """Every kind of dash (en, em, minus, non-breaking hyphen …) as the ASCII hyphen.

    >>> fold_dashes("trifft im Wesentlichen zu \u2013 75")
    'trifft im Wesentlichen zu - 75'
    """
    return _DASHES.sub("-", text)


def key_of(value: Any) -> str | None:
    """The form in which keys are compared: :func:`clean_text` (case and dashes are kept — ``Blau 86`` and
    ``blau 86`` are different products).

    >>> key_of(" Farbstoff Blau 86 ") == key_of("Farbstoff Blau 86")
    True
    """
    return clean_text(value)


def choice_key(value: Any) -> str | None:
    """The form in which a typed word is matched against the words a drop-down offers.

    >>> choice_key(" Trifft voll und ganz zu ") == choice_key("trifft voll und ganz zu")
    True
    """
    text = clean_text(value)
    return None if text is None else fold_dashes(text).casefold()


def match_choice(value: Any, choices: Iterable[str]) -> str | None:
    """The offered choice ``value`` stands for (as the drop-down shows it), or ``None`` when none matches.

    >>> match_choice("nicht relevant ", ["trifft voll und ganz zu", "Nicht relevant"])
    'Nicht relevant'
    >>> match_choice("75 - trifft im Wesentlichen zu", ["75 \u2013 trifft im Wesentlichen zu"])
    '75 – trifft im Wesentlichen zu'
    >>> match_choice("vielleicht", ["ja", "nein"]) is None
    True
    """
    wanted = choice_key(value)
    if wanted is None:
        return None
    if isinstance(choices, tuple):  # the usual offer, fixed: its words folded once
        return _offered(choices).get(wanted)
    for choice in choices:
        if choice_key(choice) == wanted:
            return choice
    return None


@functools.lru_cache(maxsize=256)
def _offered(choices: tuple[str, ...]) -> dict[str | None, str]:
    """The offered words by :func:`choice_key`, the first of words that fold alike."""
    offered: dict[str | None, str] = {}
    for choice in choices:
        offered.setdefault(choice_key(choice), choice)
    return offered
