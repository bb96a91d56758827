"""The request bodies of xlwings' wire protocol as pydantic models, and their problems in words.

Both calls are parsed by pydantic straight from the body's bytes (``model_validate_json``): a body that is not
JSON, nested more deeply than pydantic's JSON parser allows, or of the wrong shape is a client mistake and gets
422 with every problem named by its field (:func:`request_problems`), never 500.
"""

from __future__ import annotations

from typing import Annotated, Any, Required, TypeVar

from fastapi import HTTPException
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
from typing_extensions import TypedDict

_Body = TypeVar("_Body", bound=BaseModel)


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

