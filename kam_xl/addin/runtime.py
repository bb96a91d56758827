"""The two xlwings runtimes the ``udfs`` package is served through, loadable on any machine.

``udfs`` is written once with xlwings' own decorators (``xw.func``, ``xw.arg``, ``xw.ret``, ``xw.script``).
Which implementation those names stand for depends on where xlwings runs:

* **classic** — desktop Excel on Windows (and macOS): ``xlwings.udfs.xlfunc`` / ``xlsub``. "Import Functions"
  writes a VBA module with one wrapper per function and macro; Excel passes cell values through COM.
* **server** — xlwings Server (Office.js): ``xlwings.server.func`` / ``script``. Excel desktop, Mac and web
  call the FastAPI app of :mod:`kam_xl.addin.server`.

On Linux neither is what ``import xlwings`` hands out (its decorators are no-ops there), so
:func:`load_udfs` imports ``udfs`` afresh with the chosen runtime's decorators in place. For the classic
runtime on a machine without pywin32 it first loads xlwings' Windows engine with inert stand-ins for the
COM modules, so that xlwings' *own* argument conversion (2-D tuples, ``None`` for empty cells, COM dates,
Excel error codes) and its *own* VBA generator run unchanged. Nothing here talks to Excel.

Calling a function as Excel would, without Excel, is test support: :func:`kam_xl.testing.call_classic`.

>>> "Function kam_portfolio_band(cdb_iii_rel)" in vba_module()
True
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import importlib
import io
import sys
import types
from collections.abc import Callable, Iterator
from typing import Any, Literal

Runtime = Literal["classic", "server"]

#: The module Excel's ``xlwings.conf`` sheet names under "UDF Modules".
UDF_MODULE = "udfs"
_loaded: dict[Runtime, types.ModuleType] = {}


class _ComTime(dt.datetime):
    """Stand-in for ``pywintypes.TimeType``: COM hands dates to Python as this datetime subclass."""


class _Inert:
    """Stand-in for COM classes that a Linux import of xlwings' Windows engine only names."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.args = args


def _install_windows_stand_ins() -> None:
    """Make ``xlwings._xlwindows`` and ``xlwings.udfs`` importable where pywin32 does not exist."""
    if "pywintypes" in sys.modules:
        return

    def module(name: str, **attrs: Any) -> types.ModuleType:
        m = types.ModuleType(name)
        m.__dict__.update(attrs)
        sys.modules[name] = m
        return m

    class com_error(Exception):
        pass

    module("pythoncom", CoInitialize=lambda: None, __file__="pythoncom")
    module("pywintypes", com_error=com_error, TimeType=_ComTime, IID=str)
    for name in ("win32api", "win32con", "win32gui", "win32process", "win32timezone"):
        module(name)
    client = module(
        "win32com.client",
        Dispatch=_Inert,
        CDispatch=_Inert,
        CoClassBaseClass=_Inert,
        DispatchBaseClass=_Inert,
        DispatchEx=_Inert,
    )
    module("win32com", client=client)


@contextlib.contextmanager
def _no_windows_dlls() -> Iterator[None]:
    """While xlwings' Windows engine is imported, its module-level DLL look-ups find inert objects."""
    from unittest import mock

    if sys.platform == "win32":  # pragma: no cover - the real DLLs are there
        yield
        return
    with mock.patch.multiple(
        ctypes, create=True, windll=mock.MagicMock(), oledll=mock.MagicMock(), PyDLL=mock.MagicMock()
    ):
        yield


def classic_xlwings() -> types.ModuleType:
    """``xlwings.udfs`` (the classic decorators and VBA generator) with xlwings' Windows engine active."""
    import xlwings

    if "xlwings.udfs" not in sys.modules:
        if sys.platform != "win32":
            _install_windows_stand_ins()
        with _no_windows_dlls():
            from xlwings import _xlwindows, udfs  # noqa: F401
    from xlwings import _xlwindows

    if "excel" not in [e.name for e in xlwings.engines]:
        xlwings.engines.add(xlwings.main.Engine(impl=_xlwindows.engine))
    return sys.modules["xlwings.udfs"]


def _decorators(runtime: Runtime) -> dict[str, Callable[..., Any]]:
    if runtime == "classic":
        u = classic_xlwings()
        return {"func": u.xlfunc, "arg": u.xlarg, "ret": u.xlret, "script": u.xlsub}
    import xlwings.server as s  # needs XLWINGS_LICENSE_KEY (see the README's licence note)

    return {"func": s.func, "arg": s.arg, "ret": s.ret, "script": s.script}


def _forget_udfs() -> None:
    for name in [n for n in sys.modules if n == UDF_MODULE or n.startswith(UDF_MODULE + ".")]:
        del sys.modules[name]


def load_udfs(runtime: Runtime) -> types.ModuleType:
    """The ``udfs`` package as the given xlwings runtime sees it (decorated by that runtime's decorators).

    Each runtime gets its own module object, imported once and cached; ``sys.modules`` is left as it was.
    """
    if runtime in _loaded:
        return _loaded[runtime]
    import xlwings

    decorators = _decorators(runtime)
    saved = {name: getattr(xlwings, name) for name in decorators}
    _forget_udfs()
    try:
        for name, decorator in decorators.items():
            setattr(xlwings, name, decorator)
        module = importlib.import_module(UDF_MODULE)
    finally:
        for name, original in saved.items():
            setattr(xlwings, name, original)
        _forget_udfs()
    _loaded[runtime] = module
    return module


def excel_functions(module: types.ModuleType) -> list[Callable[..., Any]]:
    """The functions and macros of a loaded ``udfs`` module, in name order."""
    found = [getattr(module, n) for n in dir(module)]
    return [f for f in found if hasattr(f, "__xlfunc__") or hasattr(f, "__xlscript__")]


class _WorkbookName:
    """What ``generate_vba_wrapper`` asks of the COM workbook: only its name (ThisWorkbook vs ActiveWorkbook)."""

    def __init__(self, name: str) -> None:
        self.Name = name


def vba_module(workbook_name: str = "Controller.xlsm") -> str:
    """The VBA module ``xlwings_udfs`` that xlwings' "Import Functions" writes for ``udfs``, plus help text.

    The wrappers come from xlwings' own generator (``xlwings.udfs.generate_vba_wrapper``) with the header
    lines of ``xlwings.udfs.import_udfs``. "Import Functions" then registers each function's description,
    category and argument help with ``Application.MacroOptions`` over COM; a module imported by hand cannot
    do that, so the module ends with a macro ``kam_register_help`` that makes the same calls (run it once,
    e.g. from ``Workbook_Open``).
    """
    u = classic_xlwings()
    module = load_udfs("classic")
    out = io.StringIO()
    vba = u.VBAWriter(out)
    vba.writeln('Attribute VB_Name = "xlwings_udfs"')
    vba.writeln("'Autogenerated code by xlwings - changes will be lost with next import!")
    vba.writeln("""#Const App = "Microsoft Excel" 'Adjust when using outside of Excel""")
    u.generate_vba_wrapper(UDF_MODULE, module, out, _WorkbookName(workbook_name))
    _write_help_macro(vba, module)
    return out.getvalue()


def _vba_string(text: str) -> str:
    return '"' + " ".join(text.split()).replace('"', '""') + '"'


def _write_help_macro(vba: Any, module: types.ModuleType) -> None:
    vba.writeln("")
    with vba.block("Sub kam_register_help()"):
        vba.writeln("' Description, category and argument help for Excel's function wizard")
        vba.writeln("' (what xlwings' Import Functions sets with Application.MacroOptions).")
        for f in excel_functions(module):
            info = f.__xlfunc__
            if info["sub"]:
                continue
            doc = (info["ret"]["doc"] or "").strip().split("\n\n")[0][:255]
            arg_docs = [a["doc"][:255] for a in info["args"] if not a["vba"]]
            line = f'Application.MacroOptions Macro:="{info["name"]}", Description:={_vba_string(doc)}, '
            line += f"Category:={_vba_string(str(info['category']))}"
            if arg_docs:
                line += ", ArgumentDescriptions:=Array(" + ", ".join(_vba_string(d) for d in arg_docs) + ")"
            vba.writeln(line)
    vba.writeln("End Sub")
