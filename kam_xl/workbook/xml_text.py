"""When a text can be written into a workbook's XML as it is, without xlsxwriter's escapes (no imports of
xlsxwriter here: the data book's export writer uses it too)."""

from __future__ import annotations


def control_free(text: str) -> bool:
    """True for a text xlsxwriter's ``_escape_control_characters`` leaves as it is: printable (no control
    character, no non-character) and without ``_x`` (the start of its ``_xHHHH_`` escape of an escape).

    >>> control_free("Umsatz 2026"), control_free("a\\tb"), control_free("_x0041_")
    (True, False, False)
    """
    return text.isprintable() and "_x" not in text


def verbatim(text: str) -> bool:
    """True for a text xlsxwriter writes as a string's content exactly as it is, apart from escaping ``&``,
    ``<`` and ``>``: :func:`control_free` and no space at either end (which would need ``xml:space``).

    >>> verbatim("Kunde"), verbatim(" Kunde"), verbatim("Kunde\\n")
    (True, False, False)
    """
    return control_free(text) and not text[:1].isspace() and not text[-1:].isspace()
