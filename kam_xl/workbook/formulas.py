"""Formula pieces more than one sheet writes, once: numbers as formula text and the rank with ties.

The rank is :func:`kam_xl.kgb.rank_positions` as a worksheet formula: 1 + the values clearly larger (by more
than :data:`kam_xl.kgb.RANK_TOLERANCE`) + the values equal within the tolerance that come first. The account
plan's Kgb sheet, the controller's Accounts sheet and its Kgb sheet differ only in which cells count (``where``)
and what "comes first" means (``first``): the same tolerance, written the same way, everywhere.
"""

from __future__ import annotations

from kam_xl.kgb import RANK_TOLERANCE


def number_text(x: float) -> str:
    """A number as formula text without an exponent, which Excel and LibreOffice both parse.

    >>> number_text(1e-06), number_text(0.5), number_text(3.0)
    ('0.000001', '0.5', '3')
    """
    return f"{x:.12f}".rstrip("0").rstrip(".")


#: The rank tolerance as formula text: values this close count as equal.
RANK_EPS = number_text(RANK_TOLERANCE)


def rank_terms(value: str, whole: str, ties: str | None = None, *, where: str = "", first: str = "") -> str:
    """The rank of the cell ``value`` among the numbers of ``whole`` (an expression, without ``=``): 1 + the
    numbers clearly larger + the numbers of ``ties`` equal to it within the tolerance. ``where`` (a product
    ending in ``*``) restricts both counts to some rows; ``first`` (ending in ``*``) says which of ``ties`` come
    first. Text and empty cells count as no value.

    >>> rank_terms("B2", "B2:B9", "B1:B1")
    '1+SUMPRODUCT(ISNUMBER(B2:B9)*(B2:B9>B2+0.000000001))+SUMPRODUCT(ISNUMBER(B1:B1)*(B1:B1>=B2-0.000000001)*(B1:B1<=B2+0.000000001))'
    """
    f = f"1+SUMPRODUCT({where}ISNUMBER({whole})*({whole}>{value}+{RANK_EPS}))"
    if ties is not None:
        f += (f"+SUMPRODUCT({where}ISNUMBER({ties})*{first}({ties}>={value}-{RANK_EPS})"
              f"*({ties}<={value}+{RANK_EPS}))")
    return f
