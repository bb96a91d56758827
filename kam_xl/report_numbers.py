"""The number style of ``kam-xl report``'s table views, once: every view (accounts, resources, excellence,
relationships, programme) formats its numbers with :class:`Numbers` of the report's ``--lang``."""

from __future__ import annotations

from babel.numbers import format_decimal, format_percent

from kam_xl.vocabulary import Lang


class Numbers:
    """Numbers as ``kam-xl report`` prints them, in the number style of ``lang`` (Babel: de → ``1.234.567``,
    ``11,8 %``; en → ``1,234,567``, ``11.8 %``); "–" for none."""

    def __init__(self, lang: Lang) -> None:
        self.locale = "de_DE" if lang == "de" else "en_US"

    def money(self, v: float | None) -> str:
        """An amount, whole units, thousands grouped."""
        return "–" if v is None else format_decimal(v, format="#,##0", locale=self.locale)

    def count(self, v: int | None) -> str:
        """A count, thousands grouped (the same style as :meth:`money`)."""
        return self.money(v)

    def pct(self, v: float | None) -> str:
        """A fraction as a percentage with one decimal."""
        return "–" if v is None else format_percent(v, format="#,##0.0 %", locale=self.locale)

    def fixed(self, v: float | None, digits: int | None = 1) -> str:
        """``digits`` decimals (``None``: as many as it has, up to 6), thousands grouped."""
        if v is None:
            return "–"
        decimals = "#" * 6 if digits is None else "0" * digits
        return format_decimal(v, format=f"#,##0.{decimals}" if decimals else "#,##0", locale=self.locale)

    def signed(self, v: float | None) -> str:
        """A whole number with its sign (``+2``, ``−1``; 0 without sign)."""
        if v is None:
            return "–"
        return format_decimal(v, format="+#,##0;-#,##0", locale=self.locale) if v else "0"
