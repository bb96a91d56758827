"""Classic xlwings: the xlwings.conf sheet of every workbook, the macro-enabled controller (.xlsm) with the
standalone xlwings VBA project and its buttons, and the .bas wrapper module for IT."""

from __future__ import annotations

import importlib.metadata
import inspect
import re
import subprocess
import sys
import warnings
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from typer.testing import CliRunner

from kam_xl.addin.runtime import UDF_MODULE, excel_functions, load_udfs, vba_module
from kam_xl.addin.xlsm import (
    CP1252_SUBSTITUTES,
    IMPORT_MACRO,
    MACROS,
    VBA_MAX_CONTINUATIONS,
    VBA_MAX_LINE,
    _split_vba_line,
    bas_bytes,
    bas_text,
    controller_xlsm_book,
    public_subs,
    to_cp1252,
    xlwings_licence,
)
from kam_xl.batch import collect_plans, generate_plan, generate_questionnaire, write_controller
from kam_xl.cli import app
from kam_xl.databook import demo_databook
from kam_xl.testing.recalc import mismatches, read_values, recalculate, unexpected_errors
from kam_xl.workbook.layout import XLWINGS_CONF, XLWINGS_CONF_SHEET, Book, Sheet
from kam_xl.workbook.names import read_named
from kam_xl.workbook.render import write_book
from kam_xl.workbook.templates import template_books

with warnings.catch_warnings():  # oletools still uses pyparsing's old names
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import VBA_Parser

WHEN = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SHIPPED = Path(__file__).resolve().parents[1] / "workbook_templates"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
runner = CliRunner()


def xlwings_conf(path: Path) -> tuple[str, dict[str, object]]:
    """State of the xlwings.conf sheet and its settings, read as xlwings reads them: from A1 down column A
    to the first empty cell, each value beside its key in column B."""
    wb = openpyxl.load_workbook(path)
    ws = wb[XLWINGS_CONF_SHEET]
    conf, row = {}, 1
    while ws.cell(row, 1).value not in (None, ""):
        conf[ws.cell(row, 1).value] = ws.cell(row, 2).value
        row += 1
    return ws.sheet_state, conf


@pytest.fixture(scope="module")
def xlsm(tmp_path_factory) -> dict[str, tuple[Book, Path]]:
    """The macro-enabled controller of the demo data in German and English: {lang: (layout, file)}."""
    folder = tmp_path_factory.mktemp("xlsm")
    db = demo_databook()
    return {lang: (controller_xlsm_book(db, lang, WHEN),
                   write_controller(db, folder / f"Controller_{lang}.xlsm", lang, WHEN,
                                    xlsm_book=controller_xlsm_book)) for lang in ("de", "en")}


@pytest.fixture(scope="module")
def project(xlsm) -> dict[str, str]:
    """The VBA project of the .xlsm as olevba lists it: {module name: code}."""
    parser = VBA_Parser(str(xlsm["de"][1]))
    try:
        assert parser.detect_vba_macros()
        return {stream.split("/")[-1]: code for _, stream, _, code in parser.extract_macros()}
    finally:
        parser.close()


# ------------------------------------------------------------------------------------------ xlwings.conf


def test_the_conf_settings_name_the_udfs_package():
    assert dict(XLWINGS_CONF) == {"UDF Modules": UDF_MODULE} == {"UDF Modules": "udfs"}


@pytest.mark.parametrize("kind", ["account plan", "questionnaire", "controller", "controller xlsm", "templates"])
def test_every_generated_workbook_has_the_hidden_conf_sheet(kind, tmp_path, xlsm):
    db = demo_databook()
    if kind == "account plan":
        paths = [generate_plan(None, "KA-001", tmp_path, "de", WHEN).path]
    elif kind == "questionnaire":
        paths = [generate_questionnaire(None, db.responses()[0].respondent, tmp_path, "en", WHEN).path]
    elif kind == "controller":
        paths = [write_controller(db, tmp_path / "Controller.xlsx", "de", WHEN)]
    elif kind == "controller xlsm":
        paths = [path for _, path in xlsm.values()]
    else:
        paths = [SHIPPED / name for name in template_books()]
    for path in paths:
        # hidden, not very hidden: IT can unhide it (Format → Sheet → Unhide) and inspect it
        assert xlwings_conf(path) == ("hidden", {"UDF Modules": "udfs"}), path.name


def test_readers_ignore_the_conf_sheet_even_when_it_edits_it(tmp_path):
    db = demo_databook()
    plan = generate_plan(None, "KA-001", tmp_path, "de", WHEN).path
    respondent = db.responses()[0].respondent
    generate_questionnaire(None, respondent, tmp_path / "Fragebogen", "de", WHEN)
    wb = openpyxl.load_workbook(plan)  # IT adds its interpreter to this workbook's settings
    wb[XLWINGS_CONF_SHEET]["A2"], wb[XLWINGS_CONF_SHEET]["B2"] = "Interpreter_Win", r"C:\Python311\pythonw.exe"
    wb.save(plan)
    assert xlwings_conf(plan)[1] == {"UDF Modules": "udfs", "Interpreter_Win": r"C:\Python311\pythonw.exe"}
    named = read_named(plan)
    assert XLWINGS_CONF_SHEET not in {ref.sheet for ref in named.refs.values()}
    result = collect_plans(tmp_path)
    assert ([p.account.account_id for p in result.plans], [r.respondent for r in result.responses],
            result.problems, result.skipped) == (["KA-001"], [respondent], [], [])
    again = generate_plan(None, "KA-001", tmp_path, "de", WHEN)
    assert (again.status, again.conflicts) == ("regenerated", [])
    assert xlwings_conf(plan)[1] == {"UDF Modules": "udfs"}  # the workbook's own settings come back


def test_a_book_without_conf_settings_gets_no_conf_sheet(tmp_path):
    book = Book(template_id="t", template_version="1", sheets=[Sheet("A")], xlwings_conf=())
    assert openpyxl.load_workbook(write_book(book, tmp_path / "t.xlsx")).sheetnames == ["A", "_meta"]


def test_macros_need_the_xlsm_extension_and_plain_books_the_xlsx(tmp_path, xlsm):
    book = xlsm["de"][0]
    with pytest.raises(ValueError, match=r"Controller\.xlsx: a workbook with macros — allowed extension: \.xlsm"):
        write_book(book, tmp_path / "Controller.xlsx")
    plain = Book(template_id="t", template_version="1", sheets=[Sheet("A")])
    with pytest.raises(ValueError, match=r"t\.xlsm: a workbook without macros — allowed extension: \.xlsx"):
        write_book(plain, tmp_path / "t.xlsm")
    assert not list(tmp_path.iterdir())


# ------------------------------------------------------------------------------------------ the .xlsm


def test_olevba_lists_the_standalone_xlwings_module_with_its_bsd_notice(project):
    assert {"xlwings", "Dictionary", "ThisWorkbook"} <= set(project)
    code = project["xlwings"]
    assert f"'Version: {importlib.metadata.version('xlwings')}" in code  # the VBA of the xlwings that runs udfs
    assert "'xlwings is distributed under a BSD 3-clause license." in code
    assert "'Copyright (C) 2014-present, Zoomer Analytics LLC." in code
    assert "'* Redistributions of source code must retain the above copyright notice" in code
    assert IMPORT_MACRO in public_subs(code)
    assert "GetUdfModules(wb)" in code and 'GetConfig("UDF MODULES")' in code  # the import reads xlwings.conf


def test_the_vba_project_is_read_without_importing_xlwings():
    # `import xlwings` (numpy, pandas …) took ≈ 80 MiB of the process writing the controller (issue 14)
    code = ("import sys; from kam_xl.addin.xlsm import xlwings_vba_project, xlwings_licence; "
            "p = xlwings_vba_project(); xlwings_licence(); print(len(p), p[:4].hex(), 'xlwings' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[1:] == ["d0cf11e0", "False"]  # an OLE compound file (vbaProject.bin), xlwings never imported
    assert int(out[0]) > 10_000


def test_the_licence_from_the_xlwings_metadata_is_a_sheet_of_the_workbook(xlsm):
    licence = xlwings_licence()
    assert licence.startswith("xlwings (Open Source) includes all files in the xlwings package except")
    assert "BSD 3-clause license" in licence and "Zoomer Analytics" in licence
    for lang, sheet in (("de", "Lizenz xlwings"), ("en", "xlwings licence")):
        wb = openpyxl.load_workbook(xlsm[lang][1])
        ws = wb[sheet]
        assert ws.sheet_state == "hidden"  # in the workbook ("Unhide" shows it), not on paper (issue 15)
        lines = [ws.cell(r, 1).value or "" for r in range(4, ws.max_row + 1)]
        assert lines == licence.splitlines()
        settings = wb["Einstellungen" if lang == "de" else "Settings"]
        unhide = "Einblenden" if lang == "de" else "Unhide"
        assert any(sheet in str(c.value) and unhide in str(c.value) for row in settings.iter_rows() for c in row)


def test_the_settings_print_without_the_macro_buttons_and_their_notes(xlsm):
    """Buttons and VBA notes are for the screen: the print area is the settings and the status, A1:B14."""
    for lang, (book, path) in xlsm.items():
        name = "Einstellungen" if lang == "de" else "Settings"
        layout = next(s for s in book.sheets if s.name == name)
        area = layout.print.area
        assert area == (0, 0, 13, 1)  # the settings and the macro status, compact
        assert max(b.col for b in layout.buttons) == 5  # the buttons' column F lies outside
        ws = openpyxl.load_workbook(path)[name]
        assert ws.print_area == f"'{name}'!$A$1:$B$14"


def _buttons(path: Path) -> dict[str, list[tuple[str, str]]]:
    """{sheet name: [(macro, caption)]} of the form buttons in an .xlsx/.xlsm, read from its VML drawings."""
    z = zipfile.ZipFile(path)
    workbook = ElementTree.fromstring(z.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    found: dict[str, list[tuple[str, str]]] = {}
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        part = "xl/" + targets[sheet.get(_REL)]
        rel_part = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
        if rel_part not in z.namelist():
            continue
        for rel in ElementTree.fromstring(z.read(rel_part)):
            if rel.get("Target", "").endswith(".vml") and "vmlDrawing" in rel.get("Target", ""):
                vml = z.read("xl/drawings/" + rel.get("Target", "").split("/")[-1]).decode()
                macros = re.findall(r"<x:FmlaMacro>\[0\]!([^<]+)</x:FmlaMacro>", vml)
                captions = re.findall(r"<font[^>]*>([^<]+)</font>", vml)
                found[sheet.get("name", "")] = list(zip(macros, captions, strict=True))
    return found


def test_buttons_on_the_settings_sheet_run_the_import_and_each_macro(xlsm):
    assert _buttons(xlsm["de"][1]) == {"Einstellungen": [
        ("ImportPythonUDFs", "1. Funktionen importieren (xlwings)"), ("kam_validate", "Arbeitsmappe prüfen"),
        ("kam_refresh_plan", "Account-Plan aus dem Datenbuch aktualisieren"),
        ("kam_generate_all", "Alle Account-Pläne erzeugen"), ("kam_collect", "Einsammeln und konsolidieren")]}
    assert [m for m, _ in _buttons(xlsm["en"][1])["Settings"]] == [IMPORT_MACRO, *MACROS]


def _signature(vba: str, kind: str, name: str) -> list[str] | None:
    """The argument list of ``Function name(...)`` / ``Sub name(...)`` in VBA code, or None if it is not there."""
    m = re.search(rf"^{kind} {re.escape(name)}\(([^)]*)\)\r?$", vba, re.MULTILINE)
    return None if m is None else [a.strip() for a in m.group(1).split(",") if a.strip()]


def test_every_button_macro_is_a_sub_without_arguments_in_the_project_or_the_wrapper_module(xlsm, project):
    """A button can only run a public Sub that takes no (required) argument; ImportPythonUDFs is in the
    xlsm's VBA project, the macros are in the module xlwings_udfs that the import writes."""
    wrappers = vba_module(xlsm["de"][1].name)
    for macros in _buttons(xlsm["de"][1]).values():
        for macro, _ in macros:
            where = next((code for code in (*project.values(), wrappers) if macro in public_subs(code)), None)
            assert where is not None, f"button macro {macro} is neither in the VBA project nor in xlwings_udfs"
            args = _signature(where, "Sub", macro)
            assert args is not None and all(a.startswith("Optional ") for a in args), (macro, args)


def test_libreoffice_opens_the_xlsm_without_error_values(xlsm, tmp_path):
    outs = recalculate([path for _, path in xlsm.values()], tmp_path)
    for (lang, (book, _)), out in zip(xlsm.items(), outs, strict=True):
        values = read_values(out)
        assert unexpected_errors(book, values) == [], lang  # (the chart's #N/A gaps are expected)
        assert mismatches(book, values) == [], lang
        assert (values[XLWINGS_CONF_SHEET]["A1"], values[XLWINGS_CONF_SHEET]["B1"]) == ("UDF Modules", "udfs")
        assert len(book.formula_cells()) > 1500


def test_rewriting_the_xlsm_keeps_typed_settings_and_a_backup_that_is_an_xlsm(tmp_path):
    db = demo_databook()
    target = write_controller(db, tmp_path / "Controller.xlsm", "de", WHEN, xlsm_book=controller_xlsm_book)
    assert read_named(target).values["ctl_output"] is None
    wb = openpyxl.load_workbook(target, keep_vba=True)  # the controller types an output folder
    sheet, ref = next(iter(wb.defined_names["ctl_output"].destinations))
    wb[sheet][ref.replace("$", "")] = r"\\share\KAM\2026"
    wb.save(target)
    write_controller(db, target, "de", datetime(2026, 3, 3, tzinfo=UTC), xlsm_book=controller_xlsm_book)
    assert read_named(target).values["ctl_output"] == r"\\share\KAM\2026"
    [backup] = (tmp_path / "_backup").iterdir()
    assert backup.name == "Controller.20260303-000000.xlsm"
    assert "xl/vbaProject.bin" in zipfile.ZipFile(backup).namelist()
    assert "xl/vbaProject.bin" in zipfile.ZipFile(target).namelist()


# ------------------------------------------------------------------------------------------ the .bas


def test_our_docstrings_have_a_sensible_cp1252_form():
    """Every character of the wrapper module that Windows-1252 lacks has a chosen substitute (or a
    compatibility form in cp1252), so nothing becomes '?' in the .bas."""
    import unicodedata

    def in_cp1252(text: str) -> bool:
        try:
            text.encode("cp1252")
            return True
        except UnicodeEncodeError:
            return False

    for ch in sorted(set(vba_module())):
        if not in_cp1252(ch):
            assert ch in CP1252_SUBSTITUTES or in_cp1252(unicodedata.normalize("NFKC", ch)), \
                f"{ch!r} ({unicodedata.name(ch, '?')}) has no cp1252 substitute: add one to CP1252_SUBSTITUTES"
    assert not any(in_cp1252(ch) for ch in CP1252_SUBSTITUTES)
    assert to_cp1252("a ≥ b − c ≤ d → e … × ÷ ä") == "a >= b - c <= d -> e … × ÷ ä"


def _unsplit(lines: list[str]) -> list[str]:
    """Logical lines of physical VBA lines: `` _`` joins; ``…" & _`` + ``"…`` joins inside a string."""
    out, pending, in_string = [], "", False
    for line in lines:
        if in_string:
            assert line.startswith('"'), line
            line = line[1:]
        if line.endswith('" & _'):
            pending, in_string = pending + line[:-5], True
        elif line.endswith(" _"):
            pending, in_string = pending + line[:-2], False
        else:
            out.append(pending + line)
            pending, in_string = "", False
    return out


def _open_string_at_end(line: str) -> bool:
    """True if a string literal is still open at the end of a physical VBA line (comments excluded)."""
    in_string = False
    for ch in line:
        if ch == '"':
            in_string = not in_string
        elif ch == "'" and not in_string:
            return False
    return in_string


def test_the_bas_file_is_cp1252_with_crlf_and_vba_line_limits():
    data = bas_bytes()
    text = data.decode("cp1252")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "") and "\r" not in text.replace("\r\n", "")
    lines = text.split("\r\n")
    assert lines[0] == 'Attribute VB_Name = "xlwings_udfs"' and lines[-1] == ""
    assert max(len(line) for line in lines) <= VBA_MAX_LINE
    assert not any(map(_open_string_at_end, lines))  # a string literal never runs over a line end
    # nothing lost: line for line, the .bas says what xlwings' generator wrote, in cp1252
    original = vba_module().rstrip("\n").split("\n")
    assert _unsplit(lines[:-1]) == [to_cp1252(line) for line in _unsplit(original)]


def test_long_lines_split_outside_or_cleanly_inside_strings():
    description = " ".join(f'word{i} "q{i}" it\'s' for i in range(400)).replace('"', '""')
    line = f'    Application.MacroOptions Macro:="kam_x", Description:="{description}", Category:="KAM"'
    parts = _split_vba_line(line)
    assert len(parts) > 4 and max(map(len, parts)) <= VBA_MAX_LINE
    assert _unsplit(parts) == [line]
    nospace = 'x = "' + "a" * 3000 + '"'
    parts = _split_vba_line(nospace)
    assert max(map(len, parts)) <= VBA_MAX_LINE and _unsplit(parts) == [nospace]
    assert _split_vba_line("x = 1") == ["x = 1"]
    with pytest.raises(ValueError, match="VBA allows 24"):
        _split_vba_line('x = "' + "a b " * 7000 + '"')
    assert VBA_MAX_CONTINUATIONS == 24
    # a long line that xlwings' VBAWriter split inside a string literal is joined and split again cleanly
    writer_split = ['x = "' + "a " * 600 + " _", " b" + "c " * 600 + '"']
    assert _open_string_at_end(writer_split[0])
    resplit = bas_text("\n".join(writer_split)).split("\r\n")[:-1]
    assert not any(map(_open_string_at_end, resplit)) and max(map(len, resplit)) <= VBA_MAX_LINE
    assert _unsplit(resplit) == _unsplit(writer_split)


def _python_args(func: object) -> list[str]:
    """The arguments VBA passes to a function as its Python signature says (``Optional`` for defaults),
    without those xlwings fills in itself (``xw.arg(..., vba=...)``)."""
    bound = {a["name"] for a in func.__xlfunc__["args"] if a["vba"]}  # type: ignore[attr-defined]
    params = inspect.signature(func).parameters.values()  # type: ignore[arg-type]
    return [f"ParamArray {p.name}()" if p.kind is p.VAR_POSITIONAL else
            ("Optional " if p.default is not p.empty else "") + p.name for p in params if p.name not in bound]


def test_every_function_and_macro_has_its_wrapper_with_the_right_signature():
    text = bas_bytes().decode("cp1252")
    funcs = excel_functions(load_udfs("classic"))
    assert len(funcs) >= 2
    names = {f.__name__ for f in funcs}
    assert {"kam_kgb_card", "kam_portfolio_band"} <= names
    for f in funcs:
        kind = "Sub" if f.__xlfunc__["sub"] else "Function"
        assert _signature(text, kind, f.__name__) == _python_args(f), f"{kind} {f.__name__} in the .bas"
        if kind == "Function":
            assert f'XLPy.CallUDF("udfs", "{f.__name__}", ' in text
    for macro in MACROS:
        assert _signature(text, "Sub", macro) is not None, f"macro {macro} has no Sub in the .bas"


# ------------------------------------------------------------------------------------------ the commands


def test_cli_writes_the_bas_and_the_xlsm(tmp_path):
    bas = tmp_path / "xlwings_udfs.bas"
    result = runner.invoke(app, ["xlwings", "vba", "--out", str(bas)])
    assert result.exit_code == 0, result.output
    assert bas.read_bytes() == bas_bytes()
    n = len(excel_functions(load_udfs("classic")))
    counts = re.search(r"(\d+) function\(s\), (\d+) macro\(s\)", result.output)
    assert counts is not None and int(counts[1]) + int(counts[2]) == n
    target = tmp_path / "Controller.xlsm"
    result = runner.invoke(app, ["xlwings", "xlsm", "--out", str(target), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "xl/vbaProject.bin" in zipfile.ZipFile(target).namelist()
    assert "Settings" in openpyxl.load_workbook(target).sheetnames
    bad = runner.invoke(app, ["xlwings", "xlsm", "--out", str(tmp_path / "C.xlsx")])
    assert bad.exit_code == 2 and "allowed extension: .xlsm" in bad.output
    bad = runner.invoke(app, ["xlwings", "vba", "--out", str(tmp_path / "m.txt")])
    assert bad.exit_code == 2 and "allowed extension: .bas" in bad.output
