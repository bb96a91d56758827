"""``kam-xl serve``: the ``udfs`` functions and macros for Excel desktop, Mac and web (xlwings Server, Office.js).

A FastAPI app built by :func:`create_app` from :class:`ServerSettings`. It speaks the protocol of xlwings'
server side (``xlwings.server``; the Office.js client is in ``static/``):

=====================================  ======  ====================================================
``/manifest.xml``                      GET     the add-in manifest Excel installs (:mod:`.manifest`)
``/taskpane``                          GET     task pane: one button per macro, the credential field
``/xlwings/custom-functions-meta``     GET     function metadata Excel registers (names, argument help)
``/xlwings/custom-functions-code``     GET     JavaScript that forwards each function call here
``/xlwings/custom-scripts-meta``       GET     the macros (xlwings scripts) and their options
``/xlwings/custom-functions-call``     POST    one function call → ``{"result": [[...]]}``      (auth)
``/xlwings/custom-scripts-call/NAME``  POST    one macro run on the posted workbook → actions     (auth)
``/health``                            GET     ``{"status": "ok", ...}``
=====================================  ======  ====================================================

Excel loads the manifest, metadata, code, page and icons itself, without credentials; they hold nothing
secret. Calls need an API key (header ``X-API-Key``, or the key alone in ``Authorization`` as xlwings' own clients
send their ``AUTH`` setting) or a bearer token (``Authorization: Bearer …``); the user types it once into the
task pane. Security settings:

* authentication is on unless ``no_auth`` is set explicitly, which only a loopback host allows;
* request bodies above ``max_body_bytes`` are refused with 413 (by their length before reading; a chunked body
  once the limit is reached);
* CORS answers only Office's own origins (:data:`OFFICE_ORIGIN_REGEX`) and the server's own origin;
* HTTPS when a certificate and key are given (Excel loads add-ins over HTTPS only; plain HTTP is for
  loopback tests or behind a TLS proxy named by ``public_url``);
* the macros read data books only under ``data_roots``, write and collect plans only under ``output_roots`` and
  use only the databases of ``allow_db_urls`` (:class:`~kam_xl.addin.settings.MacroAccess`); none until
  configured. A refused folder is reported in the controller's status line and error list.

The settings are :class:`~kam_xl.addin.settings.ServerSettings` (pydantic-settings, ``KAM_XL_*``). Every error
comes back as JSON ``{"error": "…"}`` with a message that says what is wrong — never a traceback. A request body
that is not JSON or not of the expected shape gets 422 naming each field at fault (:func:`request_problems`); 500
means a bug of the server, with a generic text (the traceback goes to the log).

xlwings' server part is licensed: :func:`check_licence` stops the start unless ``XLWINGS_LICENSE_KEY`` holds
``noncommercial`` (noncommercial use) or an xlwings PRO key (commercial use). The classic add-in needs no key.
"""

from __future__ import annotations

import asyncio
import hmac
import html
import inspect
import json
import logging
import math
import os
import types
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, Required, TypeVar

from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    GetCoreSchemaHandler,
    Tag,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails, core_schema
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from typing_extensions import TypedDict

from kam_xl.addin import manifest
from kam_xl.addin.settings import MacroAccess, ServerConfigError, ServerSettings

log = logging.getLogger("kam_xl.server")
_Body = TypeVar("_Body", bound=BaseModel)

#: Origins of Excel on the web and of Office's add-in hosts, matched in full (scheme, host, no port).
OFFICE_ORIGIN_REGEX = (
    r"https://([a-z0-9-]+\.)*(officeapps\.live\.com|office\.com|office365\.com|office\.net|"
    r"sharepoint\.com|microsoft365\.com|cloud\.microsoft)"
)
#: Where the task pane keeps the credential (``localStorage``), shared with the custom functions' code.
CREDENTIAL_KEY = "kam-xl-credential"
STATIC_DIR = Path(__file__).with_name("static")
FUNCTIONS_CALL_PATH = "/xlwings/custom-functions-call"
SCRIPTS_CALL_PATH = "/xlwings/custom-scripts-call/"
LICENCE_HELP = (
    "xlwings Server (kam-xl serve) needs an xlwings licence key in the environment variable XLWINGS_LICENSE_KEY: "
    "XLWINGS_LICENSE_KEY=noncommercial for noncommercial use (PolyForm Noncommercial licence), or an xlwings "
    "PRO key for commercial use (https://www.xlwings.org). The classic xlwings add-in needs no key."
)


def check_licence() -> str:
    """The kind of xlwings licence in ``XLWINGS_LICENSE_KEY`` (``noncommercial`` or ``commercial``).

    Raises :class:`ServerConfigError` with what to set when the key is missing or xlwings refuses it.
    """
    key = os.environ.get("XLWINGS_LICENSE_KEY", "").strip()
    if not key:
        raise ServerConfigError("XLWINGS_LICENSE_KEY is not set. " + LICENCE_HELP)
    import xlwings

    try:
        from xlwings.pro.utils import LicenseHandler

        info = LicenseHandler.validate_license("pro")
    except xlwings.LicenseError as exc:
        raise ServerConfigError(f"XLWINGS_LICENSE_KEY is not accepted by xlwings ({exc}). {LICENCE_HELP}") from None
    return "noncommercial" if info.get("license_type") == "noncommercial" else "commercial"


def _ensure_server_engines() -> None:
    """Register xlwings' Office.js and remote engines.

    ``import xlwings`` registers them only when the licence key was already set at that moment; a process
    that imported xlwings earlier (a test session, a notebook) gets them here, as xlwings' ``__init__`` would.
    """
    import xlwings
    from xlwings.pro import _xlofficejs, _xlremote

    _no_pyodide_probe()
    present = [engine.name for engine in xlwings.engines]
    if "remote" not in present:
        xlwings.engines.add(xlwings.main.Engine(impl=_xlremote.engine))
    if "officejs" not in present:
        xlwings.engines.add(xlwings.main.Engine(impl=_xlofficejs.engine))


def _no_pyodide_probe() -> None:
    """Look for Pyodide once, not once per cell.

    xlwings (0.37) asks every cell of a custom function's arguments whether it is Pyodide's ``JsNull``
    (``xlwings.utils.is_jsnull``), by running ``from pyodide.ffi import JsNull`` each time. Outside Pyodide that
    import fails, and Python does not remember failed imports: every cell searches ``sys.path`` again, about
    70 µs a cell — 3.5 s of a 10,000 × 5 call that otherwise takes under 0.5 s. The check is replaced by one
    with the same answers whose import ran once (Pyodide cannot appear in a running process).
    """
    from xlwings import utils

    if getattr(utils.is_jsnull, "kam_xl_cached", False):
        return
    try:
        from pyodide.ffi import JsNull  # type: ignore[import-not-found]
    except ImportError:
        JsNull = None

    def is_jsnull(value: object) -> bool:
        return JsNull is not None and isinstance(value, JsNull)

    is_jsnull.__doc__ = utils.is_jsnull.__doc__
    is_jsnull.kam_xl_cached = True  # type: ignore[attr-defined]
    utils.is_jsnull = is_jsnull


# --------------------------------------------------------------------------------------------------------------
# What the functions and macros of the udfs package are


class Catalogue:
    """The functions (``@xw.func``) and macros (``@xw.script``) of a module loaded with xlwings Server's
    decorators, by Python name; only these names can be called."""

    def __init__(self, module: types.ModuleType) -> None:
        self.module = module
        order = list(getattr(module, "__all__", []))
        members = dict(inspect.getmembers(module, callable))
        names = [n for n in order if n in members] + sorted(n for n in members if n not in order)
        self.functions = {n: members[n] for n in names if hasattr(members[n], "__xlfunc__")}
        self.scripts = {n: members[n] for n in names if hasattr(members[n], "__xlscript__")}
        for name, func in self.functions.items():
            if inspect.isasyncgenfunction(func):
                raise ServerConfigError(f"{module.__name__}.{name} is a streaming function: kam-xl serve has no "
                                        "socket.io channel for streaming results")

    def metadata(self) -> dict[str, Any]:
        """Excel's custom-function metadata (xlwings' own), descriptions folded onto one line."""
        import xlwings.server

        meta = xlwings.server.custom_functions_meta(self.module)
        for func in meta["functions"]:
            func["description"] = _one_line(func["description"])
            for param in func["parameters"]:
                param["description"] = _one_line(param["description"])
        return meta

    def script_meta(self) -> list[dict[str, Any]]:
        """The macros with their xlwings options (display name, include/exclude sheets, button), in order."""
        import xlwings.server

        meta = {m["function_name"]: m for m in xlwings.server.custom_scripts_meta(self.module)}
        return [meta[name] for name in self.scripts if name in meta]

    def script_label(self, name: str) -> str:
        """The button text of a macro: its xlwings ``name=``, else the Python name without the ``kam_`` prefix
        (``kam_refresh_plan`` → "Refresh plan")."""
        given = self.scripts[name].__xlscript__.get("name")
        if given:
            return str(given)
        words = name.removeprefix("kam_").replace("_", " ").strip()
        return words[:1].upper() + words[1:] if words else name

    def script_doc(self, name: str) -> str:
        """The first paragraph of a macro's docstring."""
        doc = inspect.getdoc(self.scripts[name]) or ""
        return _one_line(doc.split("\n\n")[0])


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def functions_code(catalogue: Catalogue, settings: ServerSettings) -> str:
    """The custom functions' JavaScript: configuration, the client (``static/functions.js``) and one
    ``CustomFunctions.associate`` per function. Names go in as JSON string literals only.

    kam_xl's own client, not ``xlwings.server.custom_functions_code``: that reads ``custom_functions_code.js``,
    which the xlwings 0.37.8 wheel does not contain, and expects globals of xlwings Server's own front end
    (``xlwings.getCultureInfoName``, ``config``). The client here posts the same body (see :class:`FunctionCall`).
    """
    import xlwings

    config = {
        "callUrl": FUNCTIONS_CALL_PATH,
        "version": xlwings.__version__,
        "authScheme": settings.auth_scheme,
        "credentialKey": CREDENTIAL_KEY,
    }
    lines = [f"globalThis.KAM_XL_CONFIG = {_script_json(config)};", (STATIC_DIR / "functions.js").read_text("utf-8")]
    for name, func in catalogue.functions.items():
        excel_id = func.__xlfunc__["name"].upper()
        lines.append(f"CustomFunctions.associate({json.dumps(excel_id)}, function () {{ "
                     f"return globalThis.kamXlFunctions.call({json.dumps(name)}, arguments); }});")
    return "\n".join(lines) + "\n"


def _script_json(value: Any) -> str:
    """JSON safe inside an HTML ``<script>`` element and in JavaScript source."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def taskpane_html(catalogue: Catalogue, settings: ServerSettings, licence: str) -> str:
    """The task pane page: one button per macro, the credential field when authentication is on."""
    import xlwings

    config = {
        "scriptUrl": SCRIPTS_CALL_PATH,
        "version": xlwings.__version__,
        "authScheme": settings.auth_scheme,
        "credentialKey": CREDENTIAL_KEY,
    }
    buttons = []
    for meta in catalogue.script_meta():
        name = meta["function_name"]
        attrs = {
            "data-script": name,
            "data-include": meta.get("include") or "",
            "data-exclude": meta.get("exclude") or "",
            "title": catalogue.script_doc(name),
        }
        attr_text = " ".join(f'{k}="{html.escape(str(v))}"' for k, v in attrs.items())
        buttons.append(f'    <button type="button" {attr_text}>{html.escape(catalogue.script_label(name))}</button>')
    if not buttons:
        buttons.append('    <p class="hint">No macros are installed on this server.</p>')
    label = {"api-key": "API key", "bearer": "Access token", "none": ""}[settings.auth_scheme]
    auth = "" if settings.auth_scheme == "none" else f"""  <section id="kam-auth">
    <h2>{label}</h2>
    <p class="hint">Stored in this Excel only; the functions and macros send it to the server.</p>
    <input id="kam-credential" type="password" autocomplete="off" aria-label="{label}" />
    <button type="button" id="kam-credential-save" class="secondary">Save</button>
  </section>
"""
    licence_note = ("xlwings Server under the PolyForm Noncommercial licence — for noncommercial use only"
                    if licence == "noncommercial" else "xlwings Server under an xlwings PRO licence")
    name = html.escape(settings.addin_name)
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>{name}</title>
  <link rel="stylesheet" href="/static/taskpane.css" />
  <script src="https://appsforoffice.microsoft.com/lib/1/hosted/office.js"></script>
  <script id="kam-xl-config" type="application/json">{_script_json(config)}</script>
  <script src="/static/taskpane.js" defer></script>
  <script src="{manifest.FUNCTIONS_CODE_PATH}" defer></script>
</head>
<body>
  <h1>{name}</h1>
  <p class="hint">Key account management functions (=KAM.…) and macros for this workbook.</p>
  <section id="kam-macros">
    <h2>Macros</h2>
{chr(10).join(buttons)}
  </section>
  <p id="kam-status" class="status" role="status" aria-live="polite"></p>
{auth}  <footer>{html.escape(licence_note)}.</footer>
</body>
</html>
"""


# --------------------------------------------------------------------------------------------------------------
# Request bodies
#
# Both calls are parsed by pydantic straight from the body's bytes (``model_validate_json``): a body that is not
# JSON, nested more deeply than pydantic's JSON parser allows, or of the wrong shape is a client mistake and gets
# 422 with every problem named by its field (:func:`request_problems`), never 500.


def _one_of(choices: list[core_schema.CoreSchema], error: str, expected: str) -> core_schema.CoreSchema:
    """A union that reports one error ``expected …`` where it fails, not one per choice."""
    return core_schema.union_schema(choices, custom_error_type=error, custom_error_message=f"expected {expected}")


class ErrorValue(TypedDict, total=False):
    """An error (or data-type) value in a range as Office.js passes it, e.g.
    ``{"type": "Error", "basicValue": "#DIV/0!", "errorType": "Div0"}``; other keys are kept."""

    __pydantic_config__ = ConfigDict(extra="allow")  # type: ignore[misc]

    type: Required[Annotated[str, Field(min_length=1, max_length=100)]]
    basicValue: Required[str | int | float | bool]
    errorType: str


_CELL_WORDS = "a cell: text, a number, true/false, null or an error object {type, basicValue}"
_SHEET_CELL_WORDS = "a cell: text, a number, true/false or null"


class _Cell:
    """One cell of a custom function's argument (:data:`_CELL_WORDS`)."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.nullable_schema(_one_of(
            [core_schema.bool_schema(strict=True), core_schema.int_schema(strict=True),
             core_schema.float_schema(strict=True), core_schema.str_schema(strict=True),
             handler.generate_schema(ErrorValue)], "cell", _CELL_WORDS))


class _SheetCell:
    """One cell of a posted sheet (:data:`_SHEET_CELL_WORDS`): Office.js sends dates as ISO texts and errors as
    their text (``#DIV/0!``)."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.nullable_schema(_one_of(
            [core_schema.bool_schema(strict=True), core_schema.int_schema(strict=True),
             core_schema.float_schema(strict=True), core_schema.str_schema(strict=True)], "cell", _SHEET_CELL_WORDS))


Rows = list[list[_Cell]]


def _argument_shape(value: Any) -> str:
    """Which form an argument has: ``ranges`` (a repeating parameter: a list of ranges), ``rows`` (a range: rows
    of cells) or ``cell`` (one value or null)."""
    if not isinstance(value, list):
        return "cell"
    first = value[0] if value else None
    return "ranges" if isinstance(first, list) and first and isinstance(first[0], list) else "rows"


Argument = Annotated[
    Annotated[_Cell, Tag("cell")] | Annotated[Rows, Tag("rows")] | Annotated[list[Rows], Tag("ranges")],
    Discriminator(_argument_shape),
]
#: Discriminator tags in error locations (not fields; left out of the field names in messages).
_TAGS = frozenset({"cell", "rows", "ranges"})
#: What a location holds, for ``expected …`` messages (integers stand for any position).
_WORDS: dict[tuple[str | int, ...], str] = {
    ("args",): "a list of arguments, one per parameter",
    ("args", 0, "cell"): "an argument: rows of cells (a list of lists), a single cell or null",
    ("args", 0, "rows"): "rows of cells (a list of lists), a single cell or null",
    ("args", 0, "rows", 0): "a row of cells (a list)",
    ("args", 0, "ranges"): "a list of ranges",
    ("args", 0, "ranges", 0): "rows of cells (a list of lists)",
    ("args", 0, "ranges", 0, 0): "a row of cells (a list)",
    ("book",): "the workbook: an object with name and active_sheet_index",
    ("names",): "a list of defined names",
    ("names", 0): "a defined name: an object with name, sheet_index, address, book_scope",
    ("sheets",): "a list of sheets",
    ("sheets", 0): "a sheet: an object with name and values",
    ("sheets", 0, "values"): "the sheet's rows of cells (a list of lists)",
    ("sheets", 0, "values", 0): "a row of cells (a list)",
    ("sheets", 0, "pictures"): "a list of pictures",
    ("sheets", 0, "tables"): "a list of tables",
}
_TYPE_WORDS = {
    "list_type": "a list", "dict_type": "an object", "model_type": "an object", "model_attributes_type": "an object",
    "string_type": "a text", "int_type": "a whole number", "int_parsing": "a whole number",
    "int_from_float": "a whole number", "float_type": "a number", "float_parsing": "a number",
    "bool_type": "true or false", "bool_parsing": "true or false", "none_required": "null",
}
#: A1 reference of a cell or block, whole columns or whole rows, with or without ``$``.
_CELL_REF, _COLUMN_REF, _ROW_REF = r"\$?[A-Za-z]{1,3}\$?\d{1,7}", r"\$?[A-Za-z]{1,3}", r"\$?\d{1,7}"
_ADDRESS = rf"^({_CELL_REF}(:{_CELL_REF})?|{_COLUMN_REF}:{_COLUMN_REF}|{_ROW_REF}:{_ROW_REF})$"


class FunctionCall(BaseModel):
    """What the Office.js client posts for one custom function call (xlwings' wire format)."""

    model_config = ConfigDict(extra="allow")

    func_name: str = Field(min_length=1, max_length=200)
    #: One entry per argument: rows of cells as Excel passes ranges, one value, ``null`` when omitted, or for a
    #: repeating parameter a list of ranges.
    args: list[Argument]
    caller_address: str | None = Field(None, max_length=300)
    culture_info_name: str | None = Field(None, max_length=50)
    date_format: str | None = Field(None, max_length=50)
    version: str = Field(default_factory=lambda: _xlwings_version(), max_length=50)
    runtime: str = Field("1.1", pattern=r"^\d+\.\d+$")
    client: str = Field("Office.js", max_length=50)


class BookInfo(BaseModel):
    """The workbook part of a macro's request: name, active sheet, selection."""

    model_config = ConfigDict(extra="allow")

    name: str = Field(min_length=1, max_length=255)
    active_sheet_index: int = Field(ge=0)
    selection: str | None = Field(None, max_length=10_000)


class NameInfo(BaseModel):
    """A defined name of the posted workbook, as the task pane reads it."""

    model_config = ConfigDict(extra="allow")

    name: str = Field(min_length=1, max_length=255)
    sheet_index: int = Field(ge=0)
    address: str = Field(pattern=_ADDRESS)
    scope_sheet_name: str | None = None
    scope_sheet_index: int | None = Field(None, ge=0)
    book_scope: bool


class PictureInfo(BaseModel):
    """A picture of a posted sheet: its name and size in points."""

    model_config = ConfigDict(extra="allow")

    name: str = Field(max_length=255)
    height: float = Field(ge=0)
    width: float = Field(ge=0)


class TableInfo(BaseModel):
    """A table (list object) of a posted sheet: its name and ranges."""

    model_config = ConfigDict(extra="allow")

    name: str = Field(min_length=1, max_length=255)
    range_address: str = Field(pattern=_ADDRESS)
    header_row_range_address: str | None = Field(None, pattern=_ADDRESS)
    data_body_range_address: str | None = Field(None, pattern=_ADDRESS)
    total_row_range_address: str | None = Field(None, pattern=_ADDRESS)
    show_headers: bool = True
    show_totals: bool = False


class SheetData(BaseModel):
    """One sheet of a macro's request: its values from A1 to the last used cell."""

    model_config = ConfigDict(extra="allow")

    name: str = Field(min_length=1, max_length=255)
    values: list[list[_SheetCell]]
    pictures: list[PictureInfo] = []
    tables: list[TableInfo] = []

    @model_validator(mode="after")
    def _rectangular(self) -> SheetData:
        width = len(self.values[0]) if self.values else 0
        for i, row in enumerate(self.values):
            if len(row) != width:
                raise ValueError(f"values row {i + 1} has {len(row)} cell(s), row 1 has {width} — allowed: rows "
                                 "of equal length (the used range from A1)")
        return self


class BookPayload(BaseModel):
    """What the task pane posts to run a macro: the workbook as xlwings' ``xw.Book(json=...)`` reads it."""

    model_config = ConfigDict(extra="allow")

    client: str = Field("Office.js", max_length=50)
    version: str = Field(default_factory=lambda: _xlwings_version(), max_length=50)
    book: BookInfo
    names: list[NameInfo] = []
    sheets: list[SheetData] = Field(min_length=1)

    @model_validator(mode="after")
    def _indexes_exist(self) -> BookPayload:
        last = len(self.sheets) - 1
        if self.book.active_sheet_index > last:
            raise ValueError(f"book.active_sheet_index {self.book.active_sheet_index} — allowed: 0 to "
                             f"{last} (one per sheet)")
        for i, name in enumerate(self.names):
            for field, index in (("sheet_index", name.sheet_index), ("scope_sheet_index", name.scope_sheet_index)):
                if index is not None and index > last:
                    raise ValueError(f"names.{i}.{field} {index} ({name.name}) — allowed: 0 to {last} (one per "
                                     "sheet)")
        return self


def _xlwings_version() -> str:
    import xlwings

    return xlwings.__version__


def _kind(value: Any) -> str:
    """What a JSON value is, in words: ``an object``, ``a list``, ``a text``, ``a number``, ``true/false``,
    ``null``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    return {dict: "an object", list: "a list", str: "a text", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__)


def _problem(error: ErrorDetails) -> str:
    """One validation error as ``field: what is wrong``, e.g. ``args: expected a list of arguments, one per
    parameter, got an object``."""
    loc = tuple(error.get("loc", ()))
    where = ".".join(str(p) for p in loc if p not in _TAGS)
    kind = error["type"]
    if kind == "json_invalid":
        reason = str(error.get("ctx", {}).get("error", error["msg"]))
        if reason.startswith("recursion limit exceeded"):
            return f"the body is nested too deeply ({reason}) — allowed: the shapes Excel's Office.js client sends"
        return f"the body is not valid JSON ({reason})"
    pattern = tuple(0 if isinstance(p, int) else p for p in loc)
    if kind == "cell":
        expected = _WORDS[pattern] if pattern in _WORDS else str(error["msg"]).removeprefix("expected ")
        text = f"expected {expected}, got {_kind(error.get('input'))}"
    elif kind in _TYPE_WORDS:
        text = f"expected {_WORDS.get(pattern, _TYPE_WORDS[kind])}, got {_kind(error.get('input'))}"
    elif kind == "string_pattern_mismatch":
        expected = "an A1 address (e.g. B2, A18:D67, A:A or 1:3)" if str(loc[-1]).endswith("address") else (
            "a version number such as 1.4" if loc[-1] == "runtime" else f"text matching {error['ctx']['pattern']}")
        text = f"expected {expected}, got {error.get('input')!r}"
    else:
        text = str(error["msg"]).removeprefix("Value error, ")
    return f"{where}: {text}" if where else text


def request_problems(exc: ValidationError, limit: int = 10) -> str:
    """The problems of a request body, each naming its field, at most ``limit`` (then how many more)."""
    problems = list(dict.fromkeys(_problem(e) for e in exc.errors(include_url=False)))
    more = f"; … and {len(problems) - limit} more" if len(problems) > limit else ""
    return "; ".join(problems[:limit]) + more


def parse_body(model: type[_Body], body: bytes) -> _Body:
    """``body`` as ``model``, or 422 with :func:`request_problems`."""
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        raise HTTPException(422, "request not understood: " + request_problems(exc)) from None


# --------------------------------------------------------------------------------------------------------------
# Middleware


class BodyTooLarge(HTTPException):
    """A request body above the configured limit (413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body too large — allowed: at most {_size(limit)}")


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


class BodyLimitMiddleware:
    """Refuse request bodies above ``limit`` bytes: by ``Content-Length`` before reading, and while reading for
    chunked bodies that announce no length."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            if not length.isdigit():
                await _json_error(send, 400, "Content-Length is not a number")
                return
            if int(length) > self.limit:
                await _json_error(send, 413, BodyTooLarge(self.limit).detail)
                return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge as exc:
            if started:
                raise
            await _json_error(send, 413, exc.detail)


async def _json_error(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class SecurityHeadersMiddleware:
    """Headers on every response: no MIME sniffing, no referrer, HSTS over HTTPS, no caching of API answers."""

    def __init__(self, app: ASGIApp, https: bool) -> None:
        self.app = app
        self.headers = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
        if https:
            self.headers.append((b"strict-transport-security", b"max-age=31536000"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = scope.get("path", "").startswith(("/xlwings/custom-functions-call", SCRIPTS_CALL_PATH))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = self.headers + ([(b"cache-control", b"no-store")] if api else [])
                message = {**message, "headers": list(message.get("headers", [])) + extra}
            await send(message)

        await self.app(scope, receive, with_headers)


class OfficeCORSMiddleware(CORSMiddleware):
    """Starlette's CORS with a JSON answer when a preflight is refused."""

    def preflight_response(self, request_headers: Any) -> Response:
        """Allow the preflight as Starlette does, or refuse it with ``{"error": …}`` naming the origin."""
        response = super().preflight_response(request_headers)
        if response.status_code == 400:
            origin = request_headers.get("origin", "")
            reason = bytes(response.body).decode(errors="replace")
            return JSONResponse({"error": f"CORS preflight refused for origin {origin!r}: {reason} — allowed: "
                                          "Office hosts (*.officeapps.live.com, *.office.com, …) and this server"},
                                status_code=400)
        return response


# --------------------------------------------------------------------------------------------------------------
# The app


def create_app(settings: ServerSettings, udfs_module: types.ModuleType | None = None) -> FastAPI:
    """The FastAPI app serving ``udfs_module`` (default: the ``udfs`` package with xlwings Server's decorators,
    :func:`kam_xl.addin.runtime.load_udfs`). Raises :class:`ServerConfigError` without a usable licence key."""
    licence = check_licence()
    _ensure_server_engines()
    if udfs_module is None:
        from kam_xl.addin.runtime import load_udfs

        udfs_module = load_udfs("server")
    catalogue = Catalogue(udfs_module)
    metadata = catalogue.metadata()
    code = functions_code(catalogue, settings)
    page = taskpane_html(catalogue, settings, licence)
    manifest_text = manifest.manifest_xml(settings.base_url, name=settings.addin_name, version=_manifest_version())

    app = FastAPI(title="kam_xl", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.catalogue = catalogue
    app.state.licence = licence
    _install_error_handlers(app)
    app.add_middleware(SecurityHeadersMiddleware, https=settings.https)
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_body_bytes)
    app.add_middleware(OfficeCORSMiddleware, allow_origins=settings.own_origins,
                       allow_origin_regex=OFFICE_ORIGIN_REGEX, allow_methods=["GET", "POST"],
                       allow_headers=["Authorization", "Content-Type", "X-API-Key"], max_age=600)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    authenticate = _authenticator(settings)
    access = settings.access

    @app.get("/")
    async def index() -> dict[str, Any]:
        return {"name": settings.addin_name, "manifest": settings.base_url + "/manifest.xml",
                "taskpane": settings.base_url + manifest.TASKPANE_PATH,
                "functions": list(catalogue.functions), "scripts": list(catalogue.scripts)}

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "functions": len(catalogue.functions), "scripts": len(catalogue.scripts),
                "licence": licence}

    @app.get("/manifest.xml")
    async def manifest_xml() -> Response:
        return Response(manifest_text, media_type="application/xml")

    @app.get(manifest.TASKPANE_PATH)
    async def taskpane() -> HTMLResponse:
        return HTMLResponse(page)

    @app.get(manifest.FUNCTIONS_META_PATH)
    async def functions_meta() -> JSONResponse:
        return JSONResponse(metadata)

    @app.get(manifest.FUNCTIONS_CODE_PATH)
    async def functions_code_js() -> Response:
        return Response(code, media_type="text/javascript")

    @app.get("/xlwings/custom-scripts-meta")
    async def scripts_meta() -> JSONResponse:
        return JSONResponse(catalogue.script_meta())

    @app.post(FUNCTIONS_CALL_PATH, dependencies=[Depends(authenticate)])
    async def call_function(request: Request) -> JSONResponse:
        call = parse_body(FunctionCall, await request.body())
        func = catalogue.functions.get(call.func_name)
        if func is None:
            raise HTTPException(404, f"unknown function {call.func_name!r} — allowed: "
                                     f"{', '.join(catalogue.functions) or 'none installed'}")
        _check_arity(call.func_name, func.__xlfunc__["args"], len(call.args))
        data = {**call.model_dump(exclude={"args"}), "args": call.args}  # the cells as parsed, not copied
        result = await _run(call.func_name, lambda: _custom_function(data, udfs_module))
        return JSONResponse({"result": _finite(result, call.runtime)})

    @app.post(SCRIPTS_CALL_PATH + "{script_name}", dependencies=[Depends(authenticate)])
    async def call_script(script_name: str, request: Request) -> JSONResponse:
        if script_name not in catalogue.scripts:
            raise HTTPException(404, f"unknown macro {script_name!r} — allowed: "
                                     f"{', '.join(catalogue.scripts) or 'none installed'}")
        payload = parse_body(BookPayload, await request.body())
        data = payload.model_dump()
        actions = await _run(script_name, lambda: _custom_script(data, udfs_module, script_name, access))
        return JSONResponse(actions)

    return app


def _manifest_version() -> str:
    """kam_xl's version as the manifest's four numbers (``0.1.0`` → ``0.1.0.0``): Excel updates the add-in when
    it grows."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        numbers = [int(part) for part in version("kam-xl").split(".")[:4] if part.isdigit()]
    except PackageNotFoundError:
        numbers = []
    return ".".join(str(n) for n in [*numbers, 0, 0, 0, 0][:4]) if numbers else "1.0.0.0"


def _authenticator(settings: ServerSettings) -> Callable[..., Awaitable[None]]:
    keys = [s.get_secret_value().encode() for s in settings.api_keys]
    tokens = [s.get_secret_value().encode() for s in settings.bearer_tokens]
    wanted = " or ".join(
        [h for h, on in (("the header X-API-Key: <key>", keys), ("Authorization: Bearer <token>", tokens)) if on]
    )

    def matches(value: str, secrets: list[bytes]) -> bool:
        given, found = value.encode(), False
        for secret in secrets:  # every one compared, in constant time each
            found |= hmac.compare_digest(given, secret)
        return found

    async def authenticate(x_api_key: str | None = Header(None), authorization: str | None = Header(None)) -> None:
        if settings.no_auth:
            return
        if not x_api_key and not authorization:
            raise HTTPException(401, f"no credential sent — send {wanted}", headers={"WWW-Authenticate": "Bearer"})
        if x_api_key and matches(x_api_key, keys):
            return
        scheme, _, token = (authorization or "").strip().partition(" ")
        if scheme.lower() == "bearer" and token.strip() and matches(token.strip(), tokens):
            return
        if authorization and not token and matches(scheme, keys):  # xlwings clients' AUTH: the key as it is
            return
        raise HTTPException(401, f"the credential sent is not valid — send {wanted} with a key this server knows",
                            headers={"WWW-Authenticate": "Bearer"})

    return authenticate


def _check_arity(name: str, args_info: list[dict[str, Any]], given: int) -> None:
    if any(a["vararg"] for a in args_info):
        return
    required = [a["name"] for a in args_info if "optional" not in a]
    if given > len(args_info) or given < len(required):
        names = ", ".join(a["name"] + ("" if "optional" not in a else " (optional)") for a in args_info)
        raise HTTPException(422, f"{name} takes {len(required)} to {len(args_info)} arguments ({names}) — "
                                 f"{given} were sent")


def _custom_function(data: dict[str, Any], module: types.ModuleType) -> Any:
    import xlwings.server

    return asyncio.run(xlwings.server.custom_functions_call(data, module))


def _custom_script(data: dict[str, Any], module: types.ModuleType, name: str, access: MacroAccess) -> Any:
    """Run macro ``name`` on the posted workbook, the macros restricted to ``access`` (the server's roots and
    database allow-list, :func:`kam_xl.addin.macros.restricted`); the workbook's actions."""
    import xlwings as xw
    import xlwings.server

    from kam_xl.addin.macros import restricted

    book = xw.Book(json=data)
    try:
        with restricted(access):
            asyncio.run(xlwings.server.custom_scripts_call(module, name, typehint_to_value={xw.Book: book}))
        return book.json()
    finally:
        book.close()


async def _run(name: str, work: Callable[[], Any]) -> Any:
    """Run a function or macro in a worker thread (a long macro must not stall other requests); xlwings'
    own errors (a macro's message for the user) become 400 with that message, anything else is a server bug: 500
    with a generic text, the traceback only in the log."""
    import xlwings

    try:
        return await run_in_threadpool(work)
    except HTTPException:
        raise
    except xlwings.XlwingsError as exc:
        raise HTTPException(400, f"{name}: {exc}") from None
    except Exception:
        log.exception("%s failed", name)
        raise HTTPException(500, f"{name} failed: internal error — the details are in the server log") from None


def _finite(result: Any, runtime: str) -> Any:
    """JSON has no NaN or infinity: such a cell becomes Excel's #NUM! error."""
    num_error: Any = {"type": "Error", "errorType": "Num"} if float(runtime) >= 1.4 else "#NUM!"
    if not isinstance(result, list):
        return result
    return [
        [num_error if isinstance(v, float) and not math.isfinite(v) else v for v in row]
        if isinstance(row, list) else row
        for row in result
    ]


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for e in exc.errors():
            loc = ".".join(str(p) for p in e.get("loc", ()) if p != "body")
            msg = str(e.get("msg", "")).removeprefix("Value error, ")
            problems.append(f"{loc}: {msg}" if loc else msg)
        return JSONResponse({"error": "request not understood: " + "; ".join(problems)}, status_code=422)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        return JSONResponse({"error": "internal server error — the details are in the server log"}, status_code=500)


def run(settings: ServerSettings, announce: Callable[[str], None] | None = None, log_level: str = "info") -> None:
    """Build the app and serve it with uvicorn until interrupted (Ctrl+C or SIGTERM)."""
    import uvicorn

    app = create_app(settings)
    if announce is not None:
        auth = {"api-key": f"API key ({len(settings.api_keys)})", "bearer": f"bearer token "
                f"({len(settings.bearer_tokens)})", "none": "none (development, loopback only)"}[settings.auth_scheme]
        announce(f"kam_xl server on {settings.local_url} · manifest {settings.base_url}/manifest.xml · "
                 f"{len(app.state.catalogue.functions)} functions, {len(app.state.catalogue.scripts)} macros · "
                 f"auth: {auth} · xlwings licence: {app.state.licence}")
        for kind, roots, option in (("data book", settings.data_roots, "--data-root"),
                                    ("output", settings.output_roots, "--output-root")):
            announce(f"Macros' {kind} folders: {', '.join(map(str, roots))}" if roots else
                     f"No {option} given: the macros refuse every {kind} folder until the server is started with one.")
        if not settings.https and settings.public_url is None:
            announce("Plain HTTP: Excel loads add-ins over HTTPS only — give --ssl-certfile/--ssl-keyfile, or "
                     "--public-url of a TLS proxy in front of this server.")
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=log_level, server_header=False,
                ssl_certfile=str(settings.ssl_certfile) if settings.ssl_certfile else None,
                ssl_keyfile=str(settings.ssl_keyfile) if settings.ssl_keyfile else None)
