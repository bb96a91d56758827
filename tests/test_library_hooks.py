"""Canaries for the private parts of xlsxwriter and xlwings that kam_xl relies on.

Each test names the hook, the module of kam_xl that uses it and why, so that a library update that renames,
re-signs or bypasses a hook fails here, loudly and by name — not as a wrong workbook or a slow server later.
The list is what ``grep`` finds of private names (a leading ``_`` on another library's attribute) in
``kam_xl/`` and ``udfs/``.
"""

from __future__ import annotations

import importlib.util
import inspect
from typing import Any

import pytest
import xlsxwriter.workbook
import xlsxwriter.worksheet
import xlsxwriter.xmlwriter


def _params(func: Any) -> list[str]:
    return list(inspect.signature(func).parameters)


# ------------------------------------------------------------------------------------------- xlsxwriter
# kam_xl/workbook/render.py subclasses Worksheet: _prepare_formula is remembered per formula, and
# _xml_formula_element writes a formula without a cached result (NO_RESULT) with _escape_attributes/_escape_data.


def test_xlsxwriter_prepare_formula_keeps_its_signature_and_meaning() -> None:
    ws = xlsxwriter.worksheet.Worksheet
    assert _params(ws._prepare_formula) == ["self", "formula", "expand_future_functions"], (
        "xlsxwriter changed Worksheet._prepare_formula(formula, expand_future_functions): "
        "kam_xl.workbook.render._Worksheet overrides it")
    sheet = ws()
    assert sheet._prepare_formula("=SUM(A1:A3)") == "SUM(A1:A3)"
    assert sheet._prepare_formula("=CONCAT(A1,B1)", True) == "_xlfn.CONCAT(A1,B1)"
    assert hasattr(sheet, "use_future_functions"), "render's formula cache keys on Worksheet.use_future_functions"


def test_xlsxwriter_formula_element_and_escapes_are_there() -> None:
    xml = xlsxwriter.xmlwriter.XMLwriter
    assert _params(xml._xml_formula_element) == ["self", "formula", "result", "attributes"], (
        "xlsxwriter changed XMLwriter._xml_formula_element(formula, result, attributes): "
        "kam_xl.workbook.render._Worksheet overrides it to write formulas without a cached result")
    writer = xml()
    assert writer._escape_attributes('a"<b') == "a&quot;&lt;b"
    assert writer._escape_data("a<b&c") == "a&lt;b&amp;c"


def test_xlsxwriter_workbook_takes_its_worksheet_class_from_the_class_attribute() -> None:
    assert xlsxwriter.workbook.Workbook.worksheet_class is xlsxwriter.worksheet.Worksheet, (
        "kam_xl.workbook.render._Workbook sets worksheet_class to its own Worksheet subclass")
    source = inspect.getsource(xlsxwriter.workbook.Workbook._add_sheet)
    assert "self.worksheet_class" in source, "Workbook._add_sheet no longer uses self.worksheet_class"


# ----------------------------------------------------------------------------------------------- xlwings


@pytest.fixture
def licensed(monkeypatch: pytest.MonkeyPatch) -> None:
    """xlwings.pro needs a licence key in the environment to import."""
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")


def test_xlwings_officejs_engine_asks_utils_is_jsnull_per_cell(licensed: None,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """kam_xl.addin.engines.no_pyodide_probe replaces ``xlwings.utils.is_jsnull`` (whose import of Pyodide
    fails and is retried for every cell): that helps only while the Office.js engine looks it up on
    ``xlwings.utils`` at call time."""
    from xlwings import utils
    from xlwings.pro import _xlofficejs

    assert _params(utils.is_jsnull) == ["value"], "xlwings changed utils.is_jsnull(value)"
    asked: list[object] = []
    monkeypatch.setattr(utils, "is_jsnull", lambda value: asked.append(value) or False)
    assert _xlofficejs._is_jsnull("cell") is False
    assert asked == ["cell"], "the Office.js engine no longer calls xlwings.utils.is_jsnull at call time"


def test_no_pyodide_probe_answers_as_xlwings_does(licensed: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from xlwings import utils
    from xlwings.pro import _xlofficejs

    from kam_xl.addin.engines import no_pyodide_probe

    # xlwings' own function, from a fresh copy of its module: an earlier test in this process may have put
    # kam_xl's cached check in place already (the server does so on import)
    spec = importlib.util.find_spec("xlwings.utils")
    assert spec is not None and spec.loader is not None
    fresh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fresh)
    original = fresh.is_jsnull
    assert not getattr(original, "kam_xl_cached", False)
    monkeypatch.setattr(utils, "is_jsnull", original)  # restored after the test
    no_pyodide_probe()
    assert utils.is_jsnull is not original and getattr(utils.is_jsnull, "kam_xl_cached", False)
    for value in (None, 0.0, "", "#N/A", [[1.0]]):
        assert utils.is_jsnull(value) is original(value) is False
        assert _xlofficejs._is_jsnull(value) is False


def test_xlwings_engines_and_licence_handler_kam_xl_registers(licensed: None) -> None:
    """kam_xl.addin.engines registers the Office.js and remote engines and validates the licence key."""
    import xlwings
    from xlwings.pro import _xlofficejs, _xlremote
    from xlwings.pro.utils import LicenseHandler

    assert callable(LicenseHandler.validate_license)
    for module in (_xlofficejs, _xlremote):
        engine = xlwings.main.Engine(impl=module.engine)
        assert engine.name in ("officejs", "remote")


def test_xlwings_classic_function_info_has_the_keys_kam_xl_reads() -> None:
    """The classic decorators' ``__xlfunc__`` as kam_xl.addin.runtime (VBA help macro), kam_xl.testing
    (call_classic) and the server (arity check) read it."""
    from kam_xl.addin.runtime import classic_xlwings, load_udfs

    u = classic_xlwings()
    assert callable(u.generate_vba_wrapper) and callable(u.VBAWriter)
    assert _params(u.generate_vba_wrapper) == ["module_name", "module", "f", "xl_workbook"]
    info = load_udfs("classic").kam_portfolio_band.__xlfunc__
    assert {"name", "category", "sub", "args", "ret"} <= set(info)
    assert {"name", "doc", "vba", "options", "vararg"} <= set(info["args"][0])
    assert {"doc", "options"} <= set(info["ret"])
