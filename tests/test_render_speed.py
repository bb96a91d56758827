"""The renderer's speed-ups change no byte: each is compared with the plain path it replaces (xlsxwriter's own
classes and functions), on the demo plans and on small books made to tell a wrong shortcut from a right one."""

from __future__ import annotations

import dataclasses
import gc
import io
import re
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from kam_xl.databook import demo_databook
from kam_xl.workbook import render
from kam_xl.workbook.account_plan import AccountPlanData, account_plan
from kam_xl.workbook.layout import Book, Chart, Input, Sheet

WHEN = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _members(book: Book) -> dict[str, bytes]:
    """The parts of ``book`` as written, by name; a book without a generation time gets a fixed one — else the
    file's modification time is the clock's, and two writes compared across a second's turn differ (a loaded CI)."""
    if "generated_at" not in book.meta:
        book = dataclasses.replace(book, meta={**book.meta, "generated_at": "2026-01-01T09:00:00+00:00"})
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


# --- formula cells: what depends on the formula text alone is looked up once ------------------------------------

CELL_FORMULAS = [
    "=A1+B1",
    "=SUM('CDB'!$D$4:$D$9)",
    "=XLOOKUP(A1,B:B,C:C)",  # a dynamic-array function: xlsxwriter writes a dynamic array formula
    "=SORT(A1:A9)",
    "{=SUM(A1:A3*B1:B3)}",  # an array formula
    "=CONCAT(A1,B1)",  # prefixed only with use_future_functions
    "=",  # prepared to nothing, as xlsxwriter does
    "=#N/A",
]


@pytest.mark.parametrize("future", [False, True])
def test_formula_cells_are_stored_as_xlsxwriter_stores_them(future: bool) -> None:
    from xlsxwriter.worksheet import Worksheet

    render._PREPARED.clear()
    for _ in range(2):  # first with an empty memory, then from it
        plain, fast = Worksheet(), render._Worksheet()
        plain.use_future_functions = fast.use_future_functions = future
        for row, formula in enumerate(CELL_FORMULAS):
            assert fast._write_formula(row, 1, formula, None, 7) == plain._write_formula(row, 1, formula, None, 7)
        assert fast.table == plain.table
        assert fast.has_dynamic_arrays == plain.has_dynamic_arrays is True
        assert (fast.dim_rowmax, fast.dim_colmax) == (plain.dim_rowmax, plain.dim_colmax) == (7, 1)
    assert render._Worksheet()._write_formula(1_048_576, 0, "=A1", None, 0) == -1  # beyond the last row


# --- page geometry: remembered and short-cut results are textwrap's ---------------------------------------------

TEXTS = ["Leistungsfähigkeit des Systems", "kurz", "", "   ", "genau zwanzig Zeich", "genau zwanzig Zeiche",
         "a\tb\tc\td", "\t" * 5, "erste Zeile\nzweite Zeile", "\n", "Donaudampfschifffahrtsgesellschaftskapitän",
         "x" * 19 + " y", " führend und folgend "]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("width", [4.0, 8.43, 21.0, 48.0])
def test_wrapped_lines_are_textwraps(text: str, width: float) -> None:
    import textwrap

    from kam_xl.workbook.printing import text_chars, wrapped_lines

    chars = text_chars(width)
    expected = max(1, sum(len(textwrap.wrap(p, chars, break_long_words=True)) or 1 for p in text.split("\n")))
    assert wrapped_lines(text, width) == wrapped_lines(text, width) == expected


# --- the cells' XML: written with one f-string per cell, as xlsxwriter writes it --------------------------------


def _sheet_xml(workbook_class: type) -> bytes:
    from datetime import date

    buf = io.BytesIO()
    wb = workbook_class(buf, {"in_memory": True, "strings_to_formulas": False})
    ws = wb.add_worksheet("S")
    money, bold = wb.add_format({"num_format": "#,##0"}), wb.add_format({"bold": True})
    ws.set_column(5, 5, 12, money)  # a column's format: its cells without one take it
    ws.set_row(7, 30, bold)  # a row's format
    values = [3, -2.5, 1e-7, 12345678901234567890, "Text & <mehr>", "=kein Formel", True, date(2026, 11, 30)]
    for r, value in enumerate(values):
        ws.write(r, 0, value, bold if r % 2 else None)
        ws.write_blank(r, 1, None, money)
    ws.write_number(7, 3, 5)  # takes the row's format
    ws.write_number(0, 5, 9)  # takes the column's format
    ws.write_blank(1, 5, None)  # no format: not written
    results = [0, 1.5, "", "Ja", "#N/A", "#DIV/0!", True, False, 'a "b" <c>']
    for r, result in enumerate(results):
        ws.write_formula(r, 2, '=IF(A1<>"",A1&"<x>",0)', money if r % 3 else None, result)
    ws.write_formula(8, 3, "=XLOOKUP(A1,B:B,C:C)", None, 7)  # a dynamic array: xlsxwriter's own way
    ws.write_formula(8, 4, "{=SUM(A1:A3*B1:B3)}", bold, "x")
    ws.set_row(20, 15, None, {"hidden": True})  # a row with attributes and no cells: an empty <row/>
    ws.set_row(33, 40)  # the same, in a block of 16 rows whose spans come from another row
    ws.write_number(34, 30, 1, money)  # column AE: a span of its own block, a two-letter reference
    ws.set_row(36, None, None, {"level": 2, "hidden": True, "collapsed": True})  # an outlined row with a cell
    ws.write_number(36, 3, 4)
    ws.write_string(47, 2, "spät", bold)
    ws.write_number(47, 27, 2.25)  # the spans of rows 32–47: columns 3 to 31 (C … AE)
    wb.close()
    with zipfile.ZipFile(buf) as z:
        return z.read("xl/worksheets/sheet1.xml")


def test_cells_are_written_as_xlsxwriter_writes_them() -> None:
    from xlsxwriter import Workbook

    fast = _sheet_xml(render._Workbook)
    assert fast == _sheet_xml(Workbook)
    formula = b'<f>IF(A1&lt;&gt;"",A1&amp;"&lt;x&gt;",0)</f>'
    assert b'<c r="C4" t="str">' + formula + b"<v>Ja</v></c>" in fast
    assert b'<c r="C5" s="1" t="e">' + formula + b"<v>#N/A</v></c>" in fast
    assert b'<c r="C3" s="1">' + formula + b"<v></v></c>" in fast
    assert b'<c r="A4" s="2"><v>1.234567890123457E+19</v></c>' in fast and b'<c r="B1" s="1"/>' in fast
    assert b'<c r="D8" s="2"><v>5</v></c>' in fast and b'<c r="F1" s="1"><v>9</v></c>' in fast
    assert b'r="F2"' not in fast
    assert b'<row r="21" hidden="1"/>' in fast  # 15 points is the default height (20 pixels)
    assert b'<row r="34" spans="3:31" ht="39.75" customHeight="1"/>' in fast  # 40 points as 53 pixels
    assert b'<row r="35" spans="3:31"><c r="AE35" s="1"><v>1</v></c></row>' in fast
    assert b'<row r="37" spans="3:31" hidden="1" outlineLevel="2" collapsed="1"><c r="D37"><v>4</v></c></row>' in fast


# --- chart caches and escaping: xlsxwriter's text, written at once ----------------------------------------------

TRICKY = ["plain", "", "Müller & Söhne <AG>", "a\x01b", "_x0041_", "x_x00e9_y", "\ufffe\uffff", "zwei\nZeilen",
          "tab\there", "\u00a0non-breaking", "\x1f", 'sagt "ja"']


@pytest.mark.parametrize("value", [*TRICKY, 5, 2.5, None])
def test_control_characters_are_escaped_as_xlsxwriter_escapes_them(value: object) -> None:
    from xlsxwriter.xmlwriter import XMLwriter

    assert render._escape_control(value) == XMLwriter._escape_control_characters(value)
    writer = XMLwriter()
    writer.fh = io.StringIO()
    writer._xml_data_element("v", value)
    assert f"<v>{render._xml_text(value)}</v>" == writer.fh.getvalue()


MARKERS = [{"type": "diamond", "size": 7, "fill": {"color": "#C00000"}, "border": {"color": "#404040"}},
           {"type": "square", "pattern": {"pattern": "percent_5", "fg_color": "#C00000", "bg_color": "white"}},
           None]


def _chart_xml(workbook_class: type) -> bytes:
    buf = io.BytesIO()
    wb = workbook_class(buf, {"in_memory": True, "strings_to_formulas": False})
    ws = wb.add_worksheet("S")
    for r, text in enumerate(TRICKY):
        if text:
            ws.write_string(r, 0, text)
        ws.write(r, 1, [3, None, "kein Wert", 2.5, -1e-9, 7][r % 6])
    for i, kind in enumerate(("scatter", "line")):
        chart = wb.add_chart({"type": kind})
        for marker in [*MARKERS, MARKERS[0]]:  # the same data 4 times, a marker twice: parts come from memory
            chart.add_series({"categories": f"=S!$A$1:$A${len(TRICKY)}", "values": f"=S!$B$1:$B${len(TRICKY)}",
                              "data_labels": {"custom": [{"value": f"=S!$A${r + 1}"} for r in range(4)]},
                              "marker": marker})
        ws.insert_chart(1, 3 + 8 * i, chart)
    wb.close()
    with zipfile.ZipFile(buf) as z:
        return b"".join(z.read(f"xl/charts/chart{i}.xml") for i in (1, 2))


def test_chart_caches_are_written_as_xlsxwriter_writes_them() -> None:
    from xlsxwriter import Workbook

    render._MARKERS.clear()
    fast = _chart_xml(render._Workbook)
    assert fast == _chart_xml(Workbook) == _chart_xml(render._Workbook)  # markers processed, then remembered
    assert fast.count(b'<c:symbol val="diamond"/><c:size val="7"/>') == 4 and fast.count(b'prst="pct5"') == 2
    assert b"<c:v>M\xc3\xbcller &amp; S\xc3\xb6hne &lt;AG&gt;</c:v>" in fast and b"<c:v>a_x0001_b</c:v>" in fast
    assert b"<c:v>_x005F_x0041_</c:v>" in fast and b'<c:pt idx="2"><c:v>0</c:v></c:pt>' in fast


# --- formats: copies of a format made once per process ------------------------------------------------------------

FORMATS = [{"bold": True}, {"num_format": "#,##0 \"€\"", "locked": False, "bg_color": "#FFF2CC", "border": 1,
                            "border_color": "#BFBFBF"}, {"bold": True}, {"italic": True, "font_color": "#595959"},
           {"text_wrap": True, "valign": "top"}]


def _styles_xml(add: object) -> bytes:
    from xlsxwriter import Workbook

    buf = io.BytesIO()
    wb = Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    for r, props in enumerate(FORMATS):
        ws.write_number(r, 0, r, add(wb, props))  # type: ignore[operator]
    ws.conditional_format(0, 0, 4, 0, {"type": "cell", "criteria": ">", "value": 2,
                                       "format": add(wb, {"font_color": "#9C0006"})})  # type: ignore[operator]
    wb.close()
    with zipfile.ZipFile(buf) as z:
        return z.read("xl/styles.xml") + z.read("xl/worksheets/sheet1.xml")


def test_formats_are_the_formats_xlsxwriter_adds() -> None:
    def plain(wb, props):  # type: ignore[no-untyped-def]
        return wb.add_format(props)

    render._PROTOTYPES.clear()
    expected = _styles_xml(plain)
    assert _styles_xml(render._add_format) == expected  # the prototypes made …
    assert _styles_xml(render._add_format) == expected  # … and copied in another workbook
    assert all(p.xf_index is None and p.dxf_index is None for p in render._PROTOTYPES.values())  # never indexed
    assert expected.count(b"<xf ") == 1 + 1 + 4  # the style's default, the cell's default and four distinct ones


def test_format_keys_come_with_the_prototype() -> None:
    """A format copied from its prototype carries the keys xlsxwriter makes for a new format of its properties —
    the format's, its font's and its border's (distinct properties, distinct keys) — so that its indices are the
    ones xlsxwriter gives it."""
    from xlsxwriter import Workbook
    from xlsxwriter.format import Format

    render._PROTOTYPES.clear()
    wb = Workbook(io.BytesIO(), {"in_memory": True})
    made = [render._add_format(wb, props) for props in FORMATS]
    assert [f._format_key for f in made] == [Format({**wb.default_format_properties, **props})._get_format_key()
                                             for props in FORMATS]
    assert len({f._format_key for f in made}) == 4 and made[0]._format_key == made[2]._format_key
    fresh = [Format({**wb.default_format_properties, **props}) for props in FORMATS]
    assert [(f._get_font_key(), f._get_border_key()) for f in made] == [
        (f._get_font_key(), f._get_border_key()) for f in fresh]
    assert made[0]._get_font_key() != made[3]._get_font_key() and made[1]._get_border_key() != made[0]._get_border_key()
    wb.close()


def _styles_of(workbook_class: type, formats: list[dict[str, object]]) -> bytes:
    buf = io.BytesIO()
    wb = workbook_class(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    for r, props in enumerate(formats):
        ws.write_number(r, 0, r, wb.add_format(props))
    wb.close()
    with zipfile.ZipFile(buf) as z:
        return z.read("xl/styles.xml")


def test_styles_are_remembered_per_set_of_formats() -> None:
    from xlsxwriter import Workbook

    render._STYLES_XML.clear()
    other_order = [FORMATS[2], FORMATS[0], FORMATS[1]]
    other_colour = [*FORMATS[:2], {**FORMATS[2], "font_color": "#C00000"}]  # one attribute of one format
    other_scheme = [*FORMATS[:2], {**FORMATS[2], "font_scheme": "major"}]  # an attribute outside the format key
    books = [FORMATS[:3], other_order, other_colour, other_scheme, FORMATS[:3], []]
    written = set()
    for formats in [*books, *books]:  # each once written, once from memory
        expected = _styles_of(Workbook, formats)
        assert _styles_of(render._Workbook, formats) == expected
        written.add(expected)
    assert len(written) == len(render._STYLES_XML) >= 3  # one text per distinct styles.xml
    assert b'rgb="FFC00000"' in _styles_of(render._Workbook, other_colour)
    assert b'rgb="FFC00000"' not in _styles_of(render._Workbook, FORMATS[:3])


def _app_of(workbook_class: type, sheets: list[tuple[str, int]], names: list[str], company: str | None) -> bytes:
    buf = io.BytesIO()
    wb = workbook_class(buf, {"in_memory": True})
    if company is not None:
        wb.set_properties({"company": company, "manager": company})
    for name, hidden in sheets:
        ws = wb.add_worksheet(name)
        ws.write_number(0, 0, 1)
        if hidden == 1:
            ws.hide()
        elif hidden == 2:
            ws.very_hidden()
    for name in names:
        wb.define_name(name, f"='{sheets[0][0]}'!$A$1")
    wb.close()
    with zipfile.ZipFile(buf) as z:
        return z.read("docProps/app.xml")


def test_app_properties_are_remembered_per_sheets_and_names() -> None:
    from xlsxwriter import Workbook

    render._APP_XML.clear()
    sheets = [("Cockpit", 0), ("CDB", 0), ("_meta", 1)]
    books = [(sheets, ["a_x", "b_y"], None),
             ([("Cockpit", 0), ("KDB", 0), ("_meta", 1)], ["a_x", "b_y"], None),  # another sheet's name
             ([*sheets[:2], ("_meta", 2)], ["a_x", "b_y"], None),  # a very hidden sheet is not listed
             (sheets, ["a_x", "b_w"], None),  # another name
             (sheets, ["a_x", "b_y", "c_z"], None),  # one name more
             (sheets, ["a_x", "b_y"], "Muster & Co"),  # company and manager
             (sheets, [], None)]
    written = set()
    for book in [*books, *books]:  # each once written, once from memory
        expected = _app_of(Workbook, *book)
        assert _app_of(render._Workbook, *book) == expected
        written.add(expected)
    assert len(written) == len(render._APP_XML) == len(books)
    assert b"<vt:lpstr>c_z</vt:lpstr>" in _app_of(render._Workbook, *books[4])
    assert b"Muster &amp; Co" in _app_of(render._Workbook, *books[5])


# --- defined names: a name xlsxwriter allowed once is added without its checks -----------------------------------

NAMES = [("cdb_umsatz", "='S'!$B$2"), ("S!lokal", "=S!$C$3"), ("A1", "=S!$A$1"), ("r", "=S!$A$1"),
         ("mit Leerzeichen", "=S!$A$1"), ("cdb_umsatz", "=S!$B$2:$B$9"), ("x" * 256, "=S!$A$1")]


def _workbook_xml(workbook_class: type) -> tuple[list[int], bytes]:
    import warnings

    buf = io.BytesIO()
    wb = workbook_class(buf, {"in_memory": True})
    wb.add_worksheet("S")
    other = wb.add_worksheet("P&L <x>")  # the names xlsxwriter adds itself: local, hidden, quoted and escaped
    other.print_area(0, 0, 9, 3)
    other.repeat_rows(0, 1)
    other.autofilter(0, 0, 5, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = [wb.define_name(name, formula) for name, formula in NAMES]
    wb.close()
    with zipfile.ZipFile(buf) as z:
        return results, z.read("xl/workbook.xml")


def test_defined_names_are_added_and_refused_as_xlsxwriter_does() -> None:
    from xlsxwriter import Workbook

    expected = _workbook_xml(Workbook)
    assert expected[0] == [0, 0, -1, -1, -1, 0, -1]
    assert _workbook_xml(render._Workbook) == expected == _workbook_xml(render._Workbook)  # checked, then known
    assert "cdb_umsatz" in render._ALLOWED_NAMES and "A1" not in render._ALLOWED_NAMES
    assert (b'<definedName name="_xlnm._FilterDatabase" localSheetId="1" hidden="1">'
            b"'P&amp;L &lt;x&gt;'!$A$1:$C$6</definedName>") in expected[1]


# --- shared strings: a plain text written at once -----------------------------------------------------------------


def _shared_strings_xml(workbook_class: type) -> bytes:
    buf = io.BytesIO()
    wb = workbook_class(buf, {"in_memory": True, "strings_to_formulas": False})
    ws = wb.add_worksheet("S")
    for r, text in enumerate([*TRICKY, " vorne", "hinten ", "<r>kein Rich Text</r>", "x" * 40_000, "Ölmühle"]):
        if text:
            ws.write_string(r, 0, text)
    ws.write_rich_string(0, 1, "fett ", wb.add_format({"bold": True}), "und", " normal")
    wb.close()
    with zipfile.ZipFile(buf) as z:
        return z.read("xl/sharedStrings.xml")


def test_shared_strings_are_written_as_xlsxwriter_writes_them() -> None:
    from xlsxwriter import Workbook

    fast = _shared_strings_xml(render._Workbook)
    assert fast == _shared_strings_xml(Workbook)
    assert "<si><t>Müller &amp; Söhne &lt;AG&gt;</t></si>".encode() in fast
    assert b'<si><t xml:space="preserve"> vorne</t></si>' in fast and b"<si><t>a_x0001_b</t></si>" in fast


def _strings_xml(workbook_class: type, texts: list[str]) -> bytes:
    buf = io.BytesIO()
    wb = workbook_class(buf, {"in_memory": True, "strings_to_formulas": False})
    ws = wb.add_worksheet("S")
    for r, text in enumerate(texts):
        ws.write_string(r, 0, text)
    wb.close()
    with zipfile.ZipFile(buf) as z:
        return z.read("xl/sharedStrings.xml")


def test_shared_strings_from_memory_are_each_strings_own() -> None:
    """Each ``<si>`` element is remembered by its whole string: texts that share a beginning, a length or an
    escaped form with one written before (the memory warm) are written as xlsxwriter writes them."""
    from xlsxwriter import Workbook

    first = ["Kunde & Co", "Kunde &amp; Co", " Kunde", "Kunde\x01", "Umsatz 2026", "<r>x</r>"]
    second = ["Kunde & Cx", "Kunde", "Kunde ", "Kunde\x02", "Umsatz 2027", "<r>y</r>", "Kunde & Co"]
    render._SI_XML.clear()
    assert _strings_xml(render._Workbook, first) == _strings_xml(Workbook, first)
    assert len(render._SI_XML) == len(first)
    assert _strings_xml(render._Workbook, second) == _strings_xml(Workbook, second)
    assert render._SI_XML["Kunde & Co"] == "<si><t>Kunde &amp; Co</t></si>"
    assert render._SI_XML["Kunde\x02"] == "<si><t>Kunde_x0002_</t></si>"


# --- data validations and conditional formats: each rule's XML written once per process ------------------------


def _rules_xml(workbook_class: type, message: str) -> bytes:
    from datetime import date

    buf = io.BytesIO()
    wb = workbook_class(buf, {"in_memory": True})
    ws = wb.add_worksheet("S")
    red = wb.add_format({"font_color": "#9C0006"})
    ws.data_validation(1, 1, 5, 1, {"validate": "list", "source": ["A & B", "<C>", 'sagt "ja"'],
                                    "input_title": "Wahl", "input_message": message})
    ws.data_validation(1, 2, 5, 2, {"validate": "date", "criteria": "between", "minimum": date(1900, 1, 1),
                                    "maximum": date(9999, 12, 31), "other_cells": [(8, 2, 9, 2)]})
    ws.data_validation(1, 3, 5, 3, {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1e9,
                                    "error_message": message, "error_type": "stop"})
    ws.conditional_format(1, 4, 5, 4, {"type": "formula", "criteria": '=$B2="A & B"', "format": red})
    ws.conditional_format(1, 5, 5, 5, {"type": "cell", "criteria": ">", "value": 2, "format": red})
    ws.conditional_format(1, 6, 5, 6, {"type": "formula", "criteria": "=XLOOKUP(B2,C:C,D:D)>0", "format": red})
    green = wb.add_format({"font_color": "#006100"})
    ws.conditional_format(5, 9, 1, 9, {"type": "cell", "criteria": "<", "value": 0, "format": green})  # reversed
    ws.conditional_format(1, 10, 5, 10, {"type": "cell", "criteria": "<", "value": 0})  # without a format
    ws.conditional_format(1, 11, 1, 11, {"type": "cell", "criteria": "==", "value": 1, "format": red,
                                         "multi_range": "L2 L4:L5"})
    ws.conditional_format(1, 5, 5, 5, {"type": "cell", "criteria": ">", "value": 2, "format": green})  # another format
    for col in (7, 8):  # data bars of Excel 2010: numbered as written, listed again in the sheet's extensions
        ws.conditional_format(1, col, 5, col, {"type": "data_bar", "bar_solid": True, "bar_color": "#63BE7B"})
    wb.close()
    with zipfile.ZipFile(buf) as z:
        return z.read("xl/worksheets/sheet1.xml")


@pytest.mark.parametrize("message", ["Betrag in €, 0 bis 1 Mrd.", "Text & <Zeichen> \"zitiert\""])
def test_rules_are_written_as_xlsxwriter_writes_them(message: str) -> None:
    from xlsxwriter import Workbook

    expected = _rules_xml(Workbook, message)
    render._RULES.clear()
    render._VALIDATIONS.clear()
    assert _rules_xml(render._Workbook, message) == expected == _rules_xml(render._Workbook, message)
    assert len(render._VALIDATIONS) == 3  # each validation processed once, then copied
    assert len(render._RULES) == 6  # the cell and formula rules processed once (the same rule with another format
    # is the same entry), then copied with their own format index and priority
    assert expected.count(b"<dataValidation ") == 3 and expected.count(b"<cfRule ") == 3 + 4 + 2
    assert expected.count(b"<x14:id>{DA7ABA51-AAAA-BBBB-0001-00000000000") == 2  # each bar its own id …
    assert expected.count(b"<x14:conditionalFormatting ") == 2  # … and its extension
    assert b"_xlfn.XLOOKUP" in expected


# --- a layout's cells stored in the table as xlsxwriter's writers store them ----------------------------------------


def _put_all(wb: object, ws: object, cells: list, fmt_of: Callable[[str], object]) -> None:
    """The cells written as a plan's sheet writes them (:func:`render._put_cells`, all in one go), each with the
    format ``fmt_of(its style)``: no moves, merges, wrapping or names."""
    plan = SimpleNamespace(moves={}, merges={}, wrap=frozenset(), top_rows=frozenset())
    fmts = SimpleNamespace(cache={}, get=lambda style, *_: fmt_of(style))
    render._put_cells(wb, ws, fmts, None, plan, cells)  # type: ignore[arg-type]


def _checked_all(wb: object, ws: object, cells: list, fmt_of: Callable[[str], object]) -> None:
    """The same cells through xlsxwriter's writers (:func:`render._write_cell_checked`), one by one."""
    for cell in cells:
        render._write_cell_checked(ws, cell, fmt_of(cell.style))  # type: ignore[arg-type]


def _cells_xml(write: object) -> tuple[bytes, bytes]:
    from datetime import date

    from kam_xl.cells import CellError
    from kam_xl.workbook.layout import Cell

    buf = io.BytesIO()
    wb = render._Workbook(buf, {"in_memory": True, "strings_to_formulas": False})
    ws = wb.add_worksheet("S")
    ws.set_column(0, 3, 12)  # column widths first, as a plan's sheet: the column bounds are set before any row
    bold = wb.add_format({"bold": True})
    values = ["Text & <mehr>", "=kein Formel", "", "x" * 20_000, "y" * 40_000, 3, -2.5, 2**70, True,
              date(2026, 11, 30), CellError("#N/A"), None, 1.5e308]
    cells = [Cell(r + 2, 1 + r % 3, v, style="text") for r, v in enumerate(values)]
    cells += [Cell(20, 0, None), Cell(21, 2, None, formula="=A1*2", cached=None),
              Cell(22, 2, None, formula="=A1>0", cached=True),
              Cell(23, 2, None, formula='=IF(A1,"ja","")', cached="ja"),
              Cell(24, 5, None, formula="=SUM(A1:A3)", cached=6.5),
              Cell(25, 1, None, formula="=XLOOKUP(A1,B:B,C:C)", cached=1)]
    cells = [dataclasses.replace(c, style="bold") if i % 2 else c for i, c in enumerate(cells)]  # every other bold
    write(wb, ws, cells, lambda style: bold if style in ("bold", "date") else None)  # type: ignore[operator]
    wb.close()
    with zipfile.ZipFile(buf) as z:
        return z.read("xl/worksheets/sheet1.xml"), z.read("xl/sharedStrings.xml")


def test_layout_cells_are_stored_as_xlsxwriters_writers_store_them() -> None:
    fast = _cells_xml(_put_all)
    assert fast == _cells_xml(_checked_all)
    assert b'<dimension ref="A3:F26"/>' in fast[0]
    assert b'<c r="C24" t="str"><f>IF(A1,"ja","")</f><v>ja</v></c>' in fast[0]
    assert fast[1].count(b"<si>") == 5  # five texts, the longest cut at xlsxwriter's limit


# --- a written plan leaves nothing for the cyclic collector -----------------------------------------------------------


def test_a_written_plan_leaves_no_cycles_behind(tmp_path: Path) -> None:
    """xlsxwriter's objects refer to each other (a worksheet to its workbook's ``add_format``, the workbook to its
    worksheets): :func:`render.write_book` empties them once the file is written, so a plan's ~6,000 objects are
    freed at once, not left for the cyclic collector to walk after every plan of a batch."""
    book = account_plan(AccountPlanData.from_databook(demo_databook(), "KA-001"), "de")
    gc.collect()
    gc.disable()
    try:
        path = render.write_book(book, tmp_path / "plan.xlsx")
        left = gc.collect()
    finally:
        gc.enable()
    assert left == 0
    assert zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").startswith(b"<?xml")


def _validations_xml(workbook_class: type) -> bytes:
    buf = io.BytesIO()
    wb = workbook_class(buf, {"in_memory": True})
    for name in ("S", "T"):  # the second sheet's validations all from memory
        ws = wb.add_worksheet(name)
        same = {"validate": "list", "source": ["ja", "nein"], "input_message": "A & <B>"}
        ws.data_validation(1, 1, 5, 1, dict(same))
        ws.data_validation(1, 4, 9, 4, dict(same))  # the same options over another range: its own sqref
        ws.data_validation(1, 2, 5, 2, {**same, "other_cells": [(8, 2, 9, 2)]})
        ws.data_validation(2, 6, 2, 6, {"validate": "integer", "criteria": "between", "minimum": 0, "maximum": 9})
    wb.close()
    with zipfile.ZipFile(buf) as z:
        return z.read("xl/worksheets/sheet1.xml") + z.read("xl/worksheets/sheet2.xml")


def test_validations_from_memory_are_written_by_the_options_they_were_given() -> None:
    """A validation copied from :data:`render._VALIDATIONS` is written from the XML of its given options and range
    (not the ``repr`` of the processed ones): the same bytes as xlsxwriter's, each range its own."""
    from xlsxwriter import Workbook

    render._VALIDATIONS.clear()
    render._XML_PARTS.clear()
    fast = _validations_xml(render._Workbook)
    assert fast == _validations_xml(Workbook) == _validations_xml(render._Workbook)
    assert fast.count(b'sqref="B2:B6"') == 2 and fast.count(b'sqref="E2:E10"') == 2
    assert fast.count(b'sqref="C2:C6 C9:C10"') == 2 and fast.count(b'sqref="G3"') == 2


INPUT_RULES = [
    (Input("list", choices=("ja", "nein"), title="Wahl", message="ja & <nein>"), [(1, 1, 5, 1)]),
    (Input("list", choices_source="=_lists!$A$1:$A$6"), [(1, 1, 5, 1)]),  # another rule over the same range
    (Input("text", required=True), [(1, 2, 2, 2), (6, 2, 7, 2)]),  # one rule over two ranges
    (Input("text", required=True), [(1, 2, 2, 2)]),  # the same rule over fewer ranges
    (Input("date"), [(3, 3, 3, 3)]),
    (Input("integer", minimum=0, maximum=9), [(4, 4, 4, 4)]),
    (Input("number", minimum=1, maximum=2), [(5, 5, 5, 5)]),
    (Input("number", minimum=1.0, maximum=2.0), [(5, 5, 5, 5)]),  # equal to the one before, written otherwise
]


def _inputs_xml(fast: bool, date_1904: bool) -> bytes:
    from xlsxwriter import Workbook

    buf = io.BytesIO()
    wb = (render._Workbook if fast else Workbook)(buf, {"in_memory": True, "date_1904": date_1904})
    for i, (inp, boxes) in enumerate(INPUT_RULES):
        ws = wb.add_worksheet(f"S{i}")
        if fast:
            ws.input_validation(inp, boxes)
        else:
            (r0, c0, r1, c1), *others = boxes
            more = {"other_cells": others} if others else {}
            ws.data_validation(r0, c0, r1, c1, {**render._validation(inp), **more})
    wb.close()
    with zipfile.ZipFile(buf) as z:
        return b"".join(z.read(f"xl/worksheets/sheet{i + 1}.xml") for i in range(len(INPUT_RULES)))


def test_input_validations_are_remembered_by_rule_types_and_ranges() -> None:
    """:meth:`render._Worksheet.input_validation` adds what xlsxwriter adds for the rule's options — first
    processed, then from memory, in both date systems — and tells apart rules that are equal but written
    otherwise (a bound 1 and 1.0)."""
    render._VALIDATIONS.clear()
    render._XML_PARTS.clear()
    for date_1904 in (False, True, False):
        expected = _inputs_xml(False, date_1904)
        assert _inputs_xml(True, date_1904) == expected
        assert _inputs_xml(True, date_1904) == expected  # all from memory
    sheets = re.findall(rb"<dataValidations.*?</dataValidations>", expected)
    assert len(sheets) == len(INPUT_RULES) and sheets[-1] != sheets[-2]
    assert b'sqref="C2:C3 C7:C8"' in sheets[2] and b'sqref="C2:C3"' in sheets[3]


def test_style_formats_follow_each_workbooks_currency_and_defaults() -> None:
    """A style's properties and their key are made once per process (:func:`render._style_props`), the workbook's
    default properties once per workbook: books of two currencies and two default fonts, one after the other,
    each get the formats ``add_format`` makes of the style's properties."""
    from xlsxwriter import Workbook

    for defaults in ({}, {"font_size": 9}, {}):
        for currency in ("EUR", "CHF", "EUR"):
            options = {"in_memory": True, "default_format_properties": defaults}
            fmts = render._Formats(render._Workbook(io.BytesIO(), options), currency, "de")
            made = [fmts.get("money", True, True), fmts.get("money", False), fmts.conditional({"bold": True})]
            symbol = render.currency_symbol(currency, "de")
            props = [{**render._BASE["money"], "num_format": render.money_format(symbol, 0), **render._INPUT_EXTRA,
                      "text_wrap": True}, {**render._BASE["money"], "num_format": render.money_format(symbol, 0)},
                     {"bold": True}]
            plain = Workbook(io.BytesIO(), options)
            expected = [plain.add_format(p) for p in props]
            assert [f._get_format_key() for f in made] == [f._get_format_key() for f in expected]
            assert (symbol in made[0].num_format) and made[0].font_size == defaults.get("font_size", 11)
            assert made[0].locked == 0 and made[1].locked == 1


def test_shared_labels_are_keyed_only_while_their_series_are_added(monkeypatch: pytest.MonkeyPatch) -> None:
    """Series sharing one data-labels dict have it processed by one ``repr`` (``render._add_series``); a change to
    the dict between two renderings shows in the second, and each is what xlsxwriter's own charts write."""
    book = _labelled_book()
    one, two, three = book.sheets[0].charts[0].series
    two["data_labels"] = one["data_labels"]  # one dict for the first two series
    first = _members(book)
    one["data_labels"]["font"] = {"size": 11}
    three["data_labels"]["font"] = {"size": 11}
    second = _members(book)
    xml = second["xl/charts/chart1.xml"].decode()
    assert first["xl/charts/chart1.xml"].decode().count('sz="800"') == 2
    assert xml.count('sz="1100"') == 3 and 'sz="800"' not in xml
    _plain_charts(monkeypatch)
    assert _members(book) == second


def _names_xml(workbook_class: type, area: tuple[int, int, int, int], hidden_filter: bool) -> bytes:
    buf = io.BytesIO()
    wb = workbook_class(buf, {"in_memory": True})
    ws = wb.add_worksheet("S")
    wb.add_worksheet("T").print_area(*area)
    if hidden_filter:
        ws.autofilter(0, 0, 5, 2)  # a hidden local name
    wb.define_name("cdb_umsatz", f"=S!$B$2:$B${area[2] + 1}")
    wb.close()
    with zipfile.ZipFile(buf) as z:
        return z.read("xl/workbook.xml")


def test_defined_names_text_is_remembered_per_list_of_names() -> None:
    """``<definedNames>`` is made once per process per list of names: books whose names differ in a range, a
    local sheet or a hidden flag, one after the other, each written as xlsxwriter writes it."""
    from xlsxwriter import Workbook

    render._NAMES_XML.clear()
    books = [((0, 0, 9, 3), False), ((0, 0, 8, 3), False), ((0, 0, 9, 3), True)]
    written = set()
    for book in [*books, *books]:
        expected = _names_xml(Workbook, *book)
        assert _names_xml(render._Workbook, *book) == expected
        written.add(expected)
    assert len(written) == len(render._NAMES_XML) == len(books)


# --- columns set a run at a time, cells looked up by their row first ---------------------------------------------


def test_column_runs_join_neighbours_of_one_width_and_hiddenness() -> None:
    widths = {0: 10.0, 1: 10.0, 2: 12.0, 4: 12.0, 5: 0, 6: 0, 7: 8.43, 8: 8.43}
    layout = {5: 0, 6: 0, 7: 8.43}
    assert render._column_runs(widths, layout) == [(0, 1, 10.0, False), (2, 2, 12.0, False), (4, 4, 12.0, False),
                                                   (5, 6, 0, True), (7, 8, 8.43, False)]


def test_columns_set_a_run_at_a_time_write_what_a_call_a_column_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Buying-Center-Map (45 hidden helper columns side by side) and every other sheet of a demo plan: the same
    bytes as setting each column on its own."""
    book = _demo_plan(2)
    runs = _members(book)
    assert runs["xl/worksheets/sheet6.xml"].count(b'hidden="1"') >= 1
    monkeypatch.setattr(render, "_column_runs", lambda widths, layout: [
        (col, col, width, layout.get(col) == 0) for col, width in sorted(widths.items())])
    assert _members(book) == runs


def test_cells_beside_a_wrapped_or_merged_text_keep_their_own_format() -> None:
    """A cell's format is looked up by its row first (rows of a wrapped, merged or moved text): in such a row
    only that text's cell wraps, its neighbours and the cells of other rows keep their style's format."""
    import openpyxl

    s = Sheet("S", widths={0: 10, 1: 10, 2: 10})
    s.put(0, 0, "kurz")
    s.put(0, 1, "ein Text, der in seiner Spalte umbricht, weil rechts etwas steht")
    s.put(0, 2, 5.0, style="number")
    s.put(1, 0, "Titel, der über die leeren Zellen rechts läuft und zu lang für die Seite ist " * 4, style="note")
    s.put(2, 1, "kurz")
    s.put(2, 2, 6.0, style="number")
    plan = render.page_plan(s)
    assert (0, 1) in plan.wrap and plan.merges and 2 not in {r for r, _ in plan.wrap} | {r for r, _ in plan.merges}
    buf = io.BytesIO()
    render.fill_workbook(Book("t", "1", [s]), buf).close()
    ws = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))["S"]
    assert ws["B1"].alignment.wrap_text and ws["A2"].alignment.wrap_text
    assert not ws["A1"].alignment.wrap_text and not ws["C1"].alignment.wrap_text
    assert not ws["B3"].alignment.wrap_text and not ws["C3"].alignment.wrap_text
    assert ws["C1"].number_format == ws["C3"].number_format
    assert [str(r) for r in ws.merged_cells.ranges] == ["A2:C2"]


# --- chart ranges parsed once per process -------------------------------------------------------------------------


def _chart_data_book(first: int) -> Book:
    """A bar chart over rows ``first``.. of column B (its categories in A), a scatter over column C, and a series
    over a sheet the book does not have."""
    s = Sheet("Daten & Co", widths={0: 12})
    for i, (label, x, y) in enumerate([("eins", 1.5, 10), ("zwei", 2.5, 20), ("drei", 4.0, 35), ("vier", 8, 50)]):
        s.put(i, 0, label)
        s.put(i, 1, x, style="number")
        s.put(i, 2, formula=f"=B{i + 1}*{y}", cached=x * y, style="number")
    cats, xs = "=" + s.ref(first, 0, 3, 0), "=" + s.ref(first, 1, 3, 1)
    s.charts.append(Chart("column", ({"name": "x", "categories": cats, "values": xs},
                                    {"name": "fehlt", "values": "='Fehlt'!$A$1:$A$3"}), "Bar", (6, 0)))
    s.charts.append(Chart("scatter", ({"name": "y", "categories": xs, "values": "=" + s.ref(first, 2, 3, 2)},),
                          "Punkte", (6, 6)))
    return Book("t", "1", [s])


@pytest.mark.parametrize("first", [0, 1])
def test_chart_data_from_remembered_ranges_are_xlsxwriters(monkeypatch: pytest.MonkeyPatch, first: int) -> None:
    """The charts' cached data as xlsxwriter finds them (its own ``_add_chart_data``) — with the ranges of the
    other ``first`` row already remembered, so that a range remembered by less than its whole text shows."""
    from xlsxwriter import Workbook

    for book in (_chart_data_book(1 - first), _chart_data_book(first)):  # the second with the memory warm
        with pytest.warns(UserWarning, match="Unknown worksheet reference 'Fehlt'"):
            fast = _members(book)
    assert render._CHART_RANGES[f"'Daten & Co'!$B${first + 1}:$B$4"] == ("Daten & Co", (first, 1, 3, 1))
    monkeypatch.setattr(render._Workbook, "_add_chart_data", Workbook._add_chart_data)
    with pytest.warns(UserWarning, match="Unknown worksheet reference 'Fehlt'"):
        assert _members(_chart_data_book(first)) == fast
    assert b"<c:v>drei</c:v>" in fast["xl/charts/chart1.xml"] and b"<c:v>140.0</c:v>" in fast["xl/charts/chart2.xml"]


def test_validations_run_down_a_column_and_group_equal_rules() -> None:
    """Vertical runs of one rule (an equal rule of another object continues a run), then one validation per
    distinct rule over its runs — grouped under the rule object met first."""
    amount, same, score = Input(kind="amount"), Input(kind="amount"), Input(kind="score", maximum=10)
    s = Sheet("S")
    for row in (1, 2, 3):
        s.put(row, 1, 0.0, input=amount)
    s.put(4, 1, 0.0, input=same)  # B5: equal to B2:B4's rule
    s.put(6, 1, 0.0, input=amount)  # B7: after a gap, a run of its own
    s.put(1, 2, 0.0, input=score)
    s.put(2, 2, 0.0, input=same)
    s.put(0, 0, "Betrag")
    assert render._validation_runs(s) == [(amount, (1, 1, 4, 1)), (amount, (6, 1, 6, 1)), (score, (1, 2, 1, 2)),
                                          (same, (2, 2, 2, 2))]
    grouped = render._validations(s)
    assert grouped == [(amount, [(1, 1, 4, 1), (6, 1, 6, 1), (2, 2, 2, 2)]), (score, [(1, 2, 1, 2)])]
    assert grouped[0][0] is amount


def _cols_xml(workbook_class: type, width: float) -> bytes:
    buf = io.BytesIO()
    wb = workbook_class(buf, {"in_memory": True})
    ws = wb.add_worksheet("S")
    ws.set_column(0, 1, width)
    ws.set_column(2, 2, 0, None, {"hidden": True})
    ws.set_column(3, 4, width + 1, None, {"level": 1, "collapsed": True})
    ws.set_column(5, 5, 8.43)  # the default width: no customWidth
    ws.set_column(6, 6, width, wb.add_format({"bold": True}))  # with a format: xlsxwriter's way
    ws.write_number(0, 0, 1)
    wb.close()
    with zipfile.ZipFile(buf) as z:
        return z.read("xl/worksheets/sheet1.xml")


def test_columns_from_memory_are_xlsxwriters() -> None:
    """Each ``<col>`` run remembered by all it depends on: the same columns at other widths (the memory warm)
    are written as xlsxwriter writes them."""
    from xlsxwriter import Workbook

    for width in (12.0, 20.5, 12):
        assert _cols_xml(render._Workbook, width) == _cols_xml(Workbook, width)
    assert b'<col min="1" max="2" width="20.7109375" customWidth="1"/>' in _cols_xml(render._Workbook, 20)
