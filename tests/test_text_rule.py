"""The one text rule's shortcut (:func:`kam_xl.text.is_clean`): a text it lets through unchanged is exactly what
the rule the long way — NFC, every run of spaces of any kind as one space, trimmed — gives for it."""

import sys
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from kam_xl.text import _SPACE, clean_text, is_clean
from kam_xl.workbook import coerce


def the_long_way(text: str) -> str | None:
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip() or None


def test_every_character_the_shortcut_lets_through_is_left_as_it_is_by_the_rule():
    let_through = 0
    for cp in range(sys.maxunicode + 1):
        if 0xD800 <= cp <= 0xDFFF:  # surrogates: not in a text read from XML
            continue
        c = chr(cp)
        for text in (f"a{c}b", c, f"e{c}", f"{c}\u0301", f"x {c}"):
            if is_clean(text):
                let_through += 1
                assert the_long_way(text) == text, (hex(cp), text)
    assert let_through > 500_000  # the shortcut is taken for most characters of most scripts


def test_texts_the_rule_changes_are_not_let_through():
    changed = ["Mu\u0308ller", "A\u00a0B", "A\u202fB", "A\u2007B", "A\u200bB", "\ufeffA", "A  B", " A", "A ", "A\tB",
               "A\nB", "A\u2028B", "A\u3000B", ""]
    assert not any(map(is_clean, changed))
    assert [clean_text(t) for t in changed[:3]] == ["Müller", "A B", "A B"]
    assert coerce.text("Mu\u0308ller  AG ") == "Müller AG"  # read from a plan's cell: the rule, not the shortcut


@given(st.text())
def test_the_rule_with_its_shortcut_is_the_rule_the_long_way(text):
    cleaned = clean_text(text)
    assert cleaned == the_long_way(text)
    assert cleaned is None or clean_text(cleaned) == cleaned  # once is enough
