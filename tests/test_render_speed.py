"""The renderer's speed-ups change no byte: each is compared with the plain path it replaces (xlsxwriter's own
classes and functions), on the demo plans and on small books made to tell a wrong shortcut from a right one."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime

import pytest

from kam_xl.databook import demo_databook
from kam_xl.workbook import render
from kam_xl.workbook.account_plan import AccountPlanData, account_plan
from kam_xl.workbook.layout import Book, Chart, Sheet

WHEN = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _members(book: Book) -> dict[str, bytes]:
    buf = io.BytesIO()
    render.fill_workbook(book, buf).close()
    with zipfile.ZipFile(buf) as z:
        return {name: z.read(name) for name in z.namelist()}


def _demo_plan(account_index: int = 0, lang: str = "de") -> Book:
    db = demo_databook()
    book = account_plan(AccountPlanData.from_databook(db, db.accounts[account_index].account_id), lang, WHEN)
    book.meta["generated_at"] = WHEN.isoformat()
    return book


def _plain_charts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Charts as xlsxwriter's own classes make them (no parts written once)."""
    monkeypatch.setattr(render, "_repeating", lambda chart: chart)


def _labelled_book() -> Book:
    """A sheet with two charts: a scatter whose first two series share custom labels (names of different
    lengths) and whose third has others, and a bar chart over the same cells."""
    s = Sheet("Map", widths={0: 20})
    names = ["Anna", "Bernhard-Maximilian", "Cem & Co <GmbH>"]
    for i, (name, x, y) in enumerate(zip(names, [10, 55, 90], [20, 40, 80], strict=True)):
        s.put(i + 1, 0, name)
        s.put(i + 1, 1, x, style="score")
        s.put(i + 1, 2, y, style="score")
        s.put(i + 1, 3, 100 - y, style="score")
    shared = [{"value": "=" + s.ref(r, 0)} for r in (1, 2, 3)]
    other = [{"value": "=" + s.ref(3, 0)}, None, {"value": "=" + s.ref(1, 0)}]
    xs = "=" + s.ref(1, 1, 3, 1)
    series = ({"name": "one", "categories": xs, "values": "=" + s.ref(1, 2, 3, 2),
               "data_labels": {"custom": shared, "position": "right", "font": {"size": 8}}},
              {"name": "two", "categories": xs, "values": "=" + s.ref(1, 3, 3, 3),
               "data_labels": {"custom": shared, "position": "right", "font": {"size": 8}}},
              {"name": "three", "categories": xs, "values": "=" + s.ref(1, 2, 3, 2),
               "data_labels": {"custom": other, "position": "left", "font": {"size": 9}}})
    s.charts.append(Chart(kind="scatter", series=series, title="Map", anchor=(6, 0)))
    s.charts.append(Chart(kind="bar", series=({"categories": "=" + s.ref(1, 0, 3, 0),
                                                "values": "=" + s.ref(1, 2, 3, 2)},),
                          title="Bars", anchor=(6, 8)))
    return Book("test", "1", [s], meta={"generated_at": WHEN.isoformat()})


def test_charts_write_the_bytes_xlsxwriter_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    books = [_demo_plan(0), _demo_plan(3, "en"), _labelled_book()]
    fast = [_members(b) for b in books]
    _plain_charts(monkeypatch)
    assert [_members(b) for b in books] == fast


def test_each_series_keeps_its_own_labels() -> None:
    xml = _members(_labelled_book())["xl/charts/chart1.xml"].decode()
    # series one and two label their three points with the names of rows 2–4; series three labels its first
    # point with row 4's name, none on its second, its third with row 2's — at the left (on its two labels and
    # the series' labels: right is a scatter chart's default, not written), in 9 pt
    assert xml.count("<c:v>Anna</c:v>") == 3
    assert xml.count("<c:v>Bernhard-Maximilian</c:v>") == 2
    assert xml.count("<c:v>Cem &amp; Co &lt;GmbH&gt;</c:v>") == 3
    assert xml.count("<c:dLbl>") == 3 + 3 + 2
    assert xml.count('<c:dLblPos val="l"/>') == 2 + 1
    assert xml.count('sz="800"') == 2 and xml.count('sz="900"') == 1
    dlbls = re.findall(r"<c:dLbls>.*?</c:dLbls>", xml)
    assert len(dlbls) == 3 and dlbls[0] == dlbls[1] != dlbls[2]
