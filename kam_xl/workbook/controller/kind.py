"""The interface between the controller workbook and its sheets: one class per controller sheet kind.

The controller is the list :data:`kam_xl.workbook.controller.CONTROLLER_SHEETS` of :class:`ControllerSheet`
kinds, in workbook order; :func:`kam_xl.workbook.controller.controller_workbook` builds them in
:func:`build_order` (each after the kinds it :attr:`~ControllerSheet.needs`) and places their sheets in list
order. A kind overrides:

* :attr:`~ControllerSheet.key` — its id, by which later kinds find its sheets (:meth:`BuildContext.sheet`);
* :attr:`~ControllerSheet.needs` — the keys of the kinds whose sheets its formulas reference (the accounts sheet
  reads the CDB data sheet's ranges, the settings sheet the accounts sheet's id range): built before it;
* :meth:`~ControllerSheet.build` — its sheet (or sheets; none when it has nothing to show) from the
  :class:`BuildContext`: data book, language, settings, catalogue, generation time, status line, its typed
  inputs and the sheets built so far;
* :attr:`~ControllerSheet.Inputs` and :meth:`~ControllerSheet.defaults` — its typed inputs as a pydantic model
  whose field aliases are their defined names, and their values in a freshly generated controller. Regeneration
  carries them over as it carries the settings block: a value somebody typed is kept, an untouched one follows
  the data, one that breaks its field's rule is left at the default and named in the status line
  (:func:`carry_inputs`);
* :attr:`~ControllerSheet.blocks` and :meth:`~ControllerSheet.account_rows` — its typed inputs *per account*
  (ratings per account × criterion, filters per account) as :class:`AccountBlock` s, and their values in a
  fresh controller. Regeneration carries them cell by cell under the same rule, rows matched by account id
  (:func:`carry_rows`): an account the data book inserts, removes or reorders never shifts anybody's values;
* :meth:`~ControllerSheet.export` — what was typed on its sheet as data-book tables (:class:`TableExport`), which
  ``collect`` writes into its tidy export and puts on the data book, so that the next ``generate`` reads it.

Adding a controller sheet is one module with one such class plus one line in ``CONTROLLER_SHEETS``.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ValidationError

from kam_xl.cells import CellError, PercentNumber
from kam_xl.databook import DataBook, Table
from kam_xl.databook.schema import register_tables
from kam_xl.errors import validation_problems
from kam_xl.excellence import Catalogue
from kam_xl.text import key_of
from kam_xl.vocabulary import Lang
from kam_xl.workbook.coerce import shown
from kam_xl.workbook.layout import RowKey, Sheet
from kam_xl.workbook.layout import pick as _t
from kam_xl.workbook.merge import merge_inputs, pick_cell, same
from kam_xl.workbook.names import NamedRef

if TYPE_CHECKING:
    from kam_xl.settings_block import ControllerSettings

#: A refused carried input: (defined name, the value shown, what is allowed).
InputProblem = tuple[str, Any, str]
#: A refused cell of a per-account block: (defined name, account id, column, the value shown, what is allowed).
RowProblem = tuple[str, str, str, Any, str]
#: Per-account inputs of a kind: block name → account id → the account's row (a :attr:`AccountBlock.Row`).
AccountRows = dict[str, dict[str, BaseModel]]


@dataclass(frozen=True)
class AccountBlock:
    """A block of typed inputs with one row per account, carried over on regeneration by account id.

    The kind writes the account ids into the column named ``ids`` (written by kam_xl, not an input) and the
    inputs beside them into the block named ``name``: one row per id, one column per field of ``Row`` in field
    order. ``Row`` is a pydantic model of one account's inputs whose fields all default to ``None`` (an empty
    cell); its validators say what a cell allows and turn a typed word into the value kept (e.g. ``yes`` →
    ``ja``), so that a value reads the same in either language. ``label`` (de, en) names the block in the status
    line; ``headings`` (de, en) the columns as the sheet heads them, by field (a refused cell is named with its
    column's heading; a field without one by its name)."""

    ids: str
    name: str
    Row: type[BaseModel]
    label: tuple[str, str]
    headings: Mapping[str, tuple[str, str]] = field(default_factory=dict, hash=False)

    def heading(self, column: str, lang: Lang) -> str:
        """The heading of the field ``column`` in ``lang`` (its name when the block gives none)."""
        return _t(lang, *self.headings[column]) if column in self.headings else column

    @property
    def columns(self) -> tuple[str, ...]:
        """The fields of ``Row``, one per column of the block."""
        return tuple(self.Row.model_fields)

    @property
    def key(self) -> RowKey:
        """Rows of the id column and of the input block belong to the account id in the id column."""
        return RowKey(self.ids, (self.ids, self.name))

    def values(self, rows: Mapping[str, BaseModel]) -> dict[str, list[list[Any]]]:
        """``rows`` (account id → row, in sheet order) as the id column and the input block by defined name."""
        return {self.ids: [[a] for a in rows],
                self.name: [[getattr(r, c) for c in self.columns] for r in rows.values()]}


@dataclass(frozen=True)
class NotKept:
    """An input typed on a controller workbook that regeneration does not carry over (or ``collect`` does not
    export), said where the user finds it: ``file``, ``sheet`` and ``cell`` (A1) where it was typed in the
    workbook read, the ``label`` the status line names it by (in the workbook's language; a per-account input
    with its account and column), the ``value`` as typed (:func:`~kam_xl.workbook.coerce.shown`), what is
    ``allowed`` (in English, as the plans' problems are) and ``what`` befell it (``not kept``: the new controller
    has the data's value there)."""

    file: str
    sheet: str
    cell: str
    label: str
    value: Any
    allowed: str
    what: str = "not kept"

    @property
    def problem(self) -> str:
        """What became of it and what is allowed, as a problem line and collect_errors.csv's problem column say.

        >>> NotKept("Controller.xlsm", "ABC-XYZ", "C4", "Schwelle A", 0.97, "at most Schwelle B (95 %)").problem
        'Schwelle A: not kept — allowed: at most Schwelle B (95 %)'
        """
        return f"{self.label}: {self.what} — allowed: {self.allowed}"


@dataclass(frozen=True)
class OldCells:
    """Where an old controller's inputs were typed: its file name and where its defined names point
    (:attr:`~kam_xl.workbook.names.NamedValues.refs`, as read), to name a refused input by sheet and cell."""

    file: str
    refs: Mapping[str, NamedRef] = field(default_factory=dict)

    def not_kept(self, name: str, label: str, value: Any, allowed: str, row: int = 0, col: int = 0,
                 what: str = "not kept") -> NotKept:
        """The input ``name`` (the cell at ``row``, ``col`` of a block) refused; a name the file does not point
        to (never read from it) is named as its cell."""
        ref = self.refs.get(name)
        sheet, cell = (ref.sheet, ref.address(row, col)) if ref is not None else ("", name)
        return NotKept(self.file, sheet, cell, label, value, allowed, what)


@dataclass(frozen=True)
class TableExport:
    """A data-book table as a controller kind exports it: its ``rows``, and which rows of the data book they
    replace — those whose ``column`` holds one of ``covers`` (the accounts the controller showed, or the
    setting keys it had), so that an account's rating cleared on the controller is cleared in the data too."""

    rows: list[dict[str, Any]]
    column: str
    covers: frozenset[str]


@dataclass
class BuildContext:
    """What a controller sheet kind builds from. ``when`` is the generation time (ISO text), ``status`` the
    whole status line of the settings sheet, ``inputs`` each kind's typed inputs by kind key, ``built`` the
    sheets of the kinds built so far by kind key."""

    db: DataBook
    lang: Lang
    settings: ControllerSettings
    catalogue: Catalogue | None
    when: str
    status: str
    inputs: Mapping[str, BaseModel] = field(default_factory=dict)
    built: dict[str, list[Sheet]] = field(default_factory=dict)
    #: each kind's per-account inputs by kind key (:class:`AccountBlock`), see :meth:`row`
    rows: Mapping[str, AccountRows] = field(default_factory=dict)
    #: what a kind computed that a later kind shows too, computed once per build, by a key its module names
    #: (the KAOP accounts' figures: :data:`~kam_xl.workbook.controller.kaop.KAOP_ITEMS`)
    shared: dict[str, Any] = field(default_factory=dict)

    def row(self, kind: str, block: AccountBlock, account_id: str) -> BaseModel:
        """The inputs of ``account_id`` in ``block`` of the kind ``kind`` (an empty row when it has none)."""
        found = self.rows.get(kind, {}).get(block.name, {})
        return found.get(account_id) or found.get(key_of(account_id) or "") or block.Row()

    def sheet(self, key: str) -> Sheet | None:
        """The (first) sheet of the kind ``key``, ``None`` when it built none. Raises :class:`KeyError` when that
        kind is not built yet — it belongs in the asking kind's :attr:`~ControllerSheet.needs`."""
        if key not in self.built:
            raise KeyError(f"controller sheet kind {key!r} is not built yet: add it to `needs`")
        sheets = self.built[key]
        return sheets[0] if sheets else None


class ControllerSheet(ABC):
    """One sheet kind of the controller workbook; subclasses override the hooks (see the module docstring)."""

    key: ClassVar[str]
    needs: ClassVar[tuple[str, ...]] = ()
    #: its typed inputs carried over on regeneration, as a model whose field aliases are the defined names
    Inputs: ClassVar[type[BaseModel] | None] = None
    #: its typed inputs per account, carried over by account id
    blocks: ClassVar[tuple[AccountBlock, ...]] = ()
    #: the data-book tables it owns (e.g. the programme tables typed on its sheet), as data; registering the kind
    #: (the list ``CONTROLLER_SHEETS`` or :func:`register_controller`) adds them to :data:`kam_xl.databook.TABLES`
    tables: ClassVar[tuple[Table, ...]] = ()

    @abstractmethod
    def build(self, ctx: BuildContext) -> Sheet | list[Sheet]:
        """Its sheet(s) in ``ctx.lang`` (an empty list: none in this workbook)."""

    def defaults(self, db: DataBook, lang: Lang) -> BaseModel | None:
        """Its inputs in a freshly generated controller (default: the model's field defaults)."""
        return self.Inputs() if self.Inputs is not None else None

    def account_rows(self, db: DataBook, lang: Lang) -> AccountRows:
        """Its per-account inputs in a freshly generated controller: per block, every account of ``db`` in its
        order → its row (default: empty rows)."""
        return {b.name: {a.account_id: b.Row() for a in db.accounts} for b in self.blocks}

    def export(self, inputs: BaseModel | None, rows: AccountRows, lang: Lang) -> dict[str, TableExport]:
        """What was typed on its sheet (``inputs``, and ``rows`` as :meth:`account_rows` gives them) as
        data-book tables by name (default: none)."""
        return {}

    def input_names(self) -> tuple[str, ...]:
        """The defined names of its carried inputs (the per-account blocks with their id columns)."""
        blocks = tuple(n for b in self.blocks for n in (b.ids, b.name))
        if self.Inputs is None:
            return blocks
        return tuple(f.alias or n for n, f in self.Inputs.model_fields.items() if not f.exclude) + blocks

    def label(self, name: str, lang: Lang) -> str:
        """How the status line names the input ``name`` (default: its field's description, else the name)."""
        assert self.Inputs is not None
        found = next((f for n, f in self.Inputs.model_fields.items() if (f.alias or n) == name), None)
        return (found.description if found and found.description else None) or name

    def worded(self, text: str, lang: Lang) -> str:
        """``text`` (what a refused input allows) with each of this kind's inputs it names by field or defined
        name — the other threshold of a pair, ``at most abc_b (95 %)`` — named by its :meth:`label` instead. Only
        names with an underscore are taken as names (a field called ``lang`` is also a word)."""
        if self.Inputs is None:
            return text
        names = {n: f.alias or n for n, f in self.Inputs.model_fields.items() if not f.exclude}
        found = sorted({k for pair in names.items() for k in pair if "_" in k}, key=len, reverse=True)
        if not found:
            return text
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, found)) + r")\b")
        return pattern.sub(lambda m: self.label(names.get(m[1], m[1]), lang), text)


def as_sheets(built: Sheet | list[Sheet]) -> list[Sheet]:
    """A kind's :meth:`~ControllerSheet.build` result as a list."""
    return [built] if isinstance(built, Sheet) else list(built)


def build_order(kinds: Sequence[ControllerSheet]) -> list[ControllerSheet]:
    """``kinds`` in the order to build them: list order, each kind after the kinds it needs.

    Raises :class:`ValueError` for a need that is not in ``kinds``, a duplicate key or a cycle."""
    by_key = {k.key: k for k in kinds}
    if len(by_key) != len(kinds):
        raise ValueError(f"controller sheet kinds with the same key: {[k.key for k in kinds]}")
    order: list[ControllerSheet] = []
    visiting: set[str] = set()

    def visit(kind: ControllerSheet) -> None:
        if kind in order:
            return
        if kind.key in visiting:
            raise ValueError(f"controller sheet kinds need each other in a cycle through {kind.key!r}")
        visiting.add(kind.key)
        for need in kind.needs:
            if need not in by_key:
                raise ValueError(f"controller sheet kind {kind.key!r} needs {need!r}, which is not registered")
            visit(by_key[need])
        visiting.discard(kind.key)
        order.append(kind)

    for kind in kinds:
        visit(kind)
    return order


def register_controller(kind: ControllerSheet, sheets: list[ControllerSheet], before: str | None = None
                        ) -> ControllerSheet:
    """Add a controller sheet kind to ``sheets`` (at the end, or before the kind ``before``).

    Raises :class:`ValueError` when its key, one of its input names or one of its tables is taken by another
    kind."""
    if any(k.key == kind.key for k in sheets):
        raise ValueError(f"controller sheet kind {kind.key!r} is registered already")
    taken = {n for k in sheets for n in k.input_names()}
    if clash := taken & set(kind.input_names()):
        raise ValueError(f"controller sheet kind {kind.key!r}: inputs {sorted(clash)} belong to another kind")
    register_tables(f"controller sheet kind {kind.key!r}", kind.tables)
    at = next((i for i, k in enumerate(sheets) if k.key == before), len(sheets)) if before else len(sheets)
    sheets.insert(at, kind)
    return kind


def parse_inputs(model: type[BaseModel], values: Mapping[str, Any], base: BaseModel
                 ) -> tuple[BaseModel, list[InputProblem]]:
    """The inputs in ``values`` (by defined name) on top of ``base``: a value that breaks its field's rule is
    reported as (name, value shown, what is allowed) and ``base``'s value kept for it."""
    data = {**base.model_dump(by_alias=True), **values}
    problems: list[InputProblem] = []
    for _ in range(len(data) + 1):  # each pass drops the values found wrong
        try:
            return model.model_validate(data), problems
        except ValidationError as exc:
            wrong = [(where, allowed) for where, allowed in validation_problems(exc) if where in data]
            if not wrong:
                raise
            for where, allowed in wrong:
                problems.append((where, shown(values.get(where)), allowed))
                data[where] = base.model_dump(by_alias=True)[where]
    raise AssertionError("the base inputs are valid, so dropping every given value ends the loop")


def carry_inputs(kind: ControllerSheet, defaults: BaseModel, old: Mapping[str, Any],
                 snapshot: Mapping[str, Any] | None, lang: Lang) -> tuple[BaseModel, list[str], list[InputProblem]]:
    """A kind's inputs taken over from an old controller (its values ``old`` by defined name, and the snapshot of
    the old generation's defaults) merged with ``defaults`` as the settings are
    (:func:`kam_xl.workbook.controller.settings.carry_settings`), the status-line parts saying so, and the
    inputs refused (left at the default; :func:`refused_inputs` names them by sheet and cell)."""
    assert kind.Inputs is not None
    new = defaults.model_dump(by_alias=True)
    old_values = {k: v for k, v in old.items() if k in new}
    if not old_values:
        return defaults, [], []
    # merged over the names the old controller holds: one it lacks (its section was not shown, e.g. no resources
    # table) follows the data — the merge would take it for cleared and refuse the empty value
    orig = {k: v for k, v in snapshot.items() if k in old_values} if snapshot is not None else None
    merged = {**new, **merge_inputs(orig, old_values, {k: new[k] for k in old_values})[0]}
    inputs, problems = parse_inputs(kind.Inputs, _as_their_cells(merged, old_values), defaults)
    now = inputs.model_dump(by_alias=True)
    kept = [kind.label(n, lang) for n in old_values if not same(now[n], new[n])]
    parts = [_t(lang, "Eingaben übernommen: ", "Inputs kept: ") + ", ".join(kept)] if kept else []
    parts += [_t(lang, f"{kind.label(n, lang)} = {v!r} nicht übernommen (erlaubt: {a})",
                 f"{kind.label(n, lang)} = {v!r} not kept (allowed: {a})") for n, v, a in problems]
    return inputs, parts, problems


def refused_inputs(kind: ControllerSheet, problems: Sequence[InputProblem], cells: OldCells, lang: Lang,
                   what: str = "not kept") -> list[NotKept]:
    """The refused inputs of a kind (:func:`carry_inputs`, :func:`parse_inputs`) by sheet and cell of the old
    controller ``cells``, each with its label and what is allowed in the user's words (:meth:`~ControllerSheet.
    worded`)."""
    return [cells.not_kept(n, kind.label(n, lang), v, kind.worded(a, lang), what=what) for n, v, a in problems]


def refused_cells(block: AccountBlock, problems: Sequence[RowProblem], old: Mapping[str, Any], cells: OldCells,
                  lang: Lang, what: str = "not kept") -> list[NotKept]:
    """The refused cells of a per-account block (:func:`carry_rows`, :func:`parse_rows` of ``old``, the old
    controller's values by defined name) by sheet and cell of the old controller ``cells``: the account's row in
    the old block, the column's place in it; labelled with the block, the account and the column."""
    if not problems:
        return []
    rows: dict[str, int] = {}
    for i, id_row in enumerate(_grid(old.get(block.ids))):
        key = key_of(id_row[0] if id_row else None)
        if key is not None:
            rows.setdefault(key, i)
    label, account = _t(lang, *block.label), _t(lang, "Kunde", "account")
    return [cells.not_kept(block.name, f"{label}, {account} {a}, {block.heading(c, lang)}", v, why, rows.get(a, 0),
                           block.columns.index(c), what) for _, a, c, v, why in problems]


def _as_their_cells(merged: Mapping[str, Any], old: Mapping[str, Any]) -> dict[str, Any]:
    """``merged`` with a number of a percent-formatted cell (its ``old`` value read as a
    :class:`~kam_xl.cells.PercentNumber`) as one too — the data's 0.95 where nothing was typed is the "95 %" its cell
    shows, and a problem names it so, like the typed value beside it (a trial saw "97 % … (0.95)")."""
    return {k: PercentNumber(v) if isinstance(old.get(k), PercentNumber) and type(v) is float else v
            for k, v in merged.items()}


def _grid(value: Any) -> list[list[Any]]:
    """A named block's value as rows (a one-cell block reads as its value)."""
    if value is None:
        return []
    return [list(r) if isinstance(r, list | tuple) else [r] for r in value] if isinstance(value, list) else [[value]]


def parse_rows(block: AccountBlock, values: Mapping[str, Any], base: Mapping[str, BaseModel] | None = None
               ) -> tuple[dict[str, BaseModel], list[RowProblem]]:
    """The block's rows in ``values`` (its id column and input block by defined name) as account id → row. A
    cell that breaks its column's rule is reported as (name, account id, column, value shown, what is allowed)
    and takes the value of ``base``'s row of that account (else stays empty); a row without an id is left out.
    """
    ids, cells = _grid(values.get(block.ids)), _grid(values.get(block.name))
    out: dict[str, BaseModel] = {}
    problems: list[RowProblem] = []
    for id_row, row in zip(ids, cells, strict=False):
        account = key_of(id_row[0] if id_row else None)
        if account is None:
            continue
        data = dict(zip(block.columns, row, strict=False))
        fallback = (base or {}).get(account) or block.Row()
        for _ in range(len(data) + 1):  # each pass drops the cells found wrong
            try:
                out[account] = block.Row.model_validate(data)
                break
            except ValidationError as exc:
                wrong = [(where, allowed) for where, allowed in validation_problems(exc) if where in data]
                if not wrong:
                    raise
                for where, allowed in wrong:
                    problems.append((block.name, account, where, shown(data[where]), allowed))
                    data[where] = getattr(fallback, where)
    return out, problems


def carry_rows(kind: ControllerSheet, defaults: AccountRows, old: Mapping[str, Any],
               snapshot: Mapping[str, Any] | None, lang: Lang
               ) -> tuple[AccountRows, list[str], dict[str, list[RowProblem]]]:
    """A kind's per-account inputs taken over from an old controller, merged three-way with ``defaults`` cell
    by cell like its other inputs (:func:`carry_inputs`), rows matched by account id
    (:class:`~kam_xl.workbook.layout.RowKey`, :func:`~kam_xl.workbook.merge.merge_inputs`): an account the data
    book added gets the data's row, one it removed is dropped, and every other keeps what was typed for it
    wherever its row is now. Returns the rows (every account of ``defaults``), the status-line parts and the
    refused cells of the old controller per block name (:func:`refused_cells` names them by sheet and cell)."""
    out: AccountRows = {}
    parts: list[str] = []
    refused: dict[str, list[RowProblem]] = {}
    for block in kind.blocks:
        new_rows = defaults.get(block.name, {})
        if block.name not in old or block.ids not in old:
            out[block.name] = dict(new_rows)
            continue
        rows, kept, problems = _carried_block(block, new_rows, old, snapshot)
        out[block.name] = rows
        if problems:
            refused[block.name] = problems
        label = _t(lang, *block.label)
        if kept:
            parts.append(_t(lang, f"{label} übernommen für {kept} Kunden", f"{label} kept for {kept} account(s)"))
        parts += [_t(lang, f"{label}, Kunde {a}, {c} = {v!r} nicht übernommen (erlaubt: {why})",
                     f"{label}, account {a}, {c} = {v!r} not kept (allowed: {why})") for _, a, c, v, why in problems]
    return out, parts, refused


def _carried_block(block: AccountBlock, new_rows: Mapping[str, BaseModel], old: Mapping[str, Any],
                   snapshot: Mapping[str, Any] | None) -> tuple[dict[str, BaseModel], int, list[RowProblem]]:
    """One block of :func:`carry_rows`: its rows (every account of ``new_rows``), how many were kept as typed and
    the refused cells. Each version of the block is let go as soon as the next step has what it needs — the old
    and snapshot rows as models once they are values, those values once merged, the merged values once parsed
    — so that a block of 10,000 accounts is held in two or three forms at a time, not in seven."""
    orig_rows = None
    if snapshot is not None and block.name in snapshot and block.ids in snapshot:
        orig_rows = parse_rows(block, snapshot)[0]
    # old words read as the data holds them before comparing; a refused cell counts as untouched
    old_rows, problems = parse_rows(block, old, orig_rows if orig_rows is not None else
                                    {key_of(a) or "": r for a, r in new_rows.items()})
    orig = block.values(orig_rows) if orig_rows is not None else None
    del orig_rows
    typed = block.values(old_rows)
    del old_rows
    fresh = block.values(new_rows)
    merged = _merged_by_account(block, orig, typed, fresh)
    if merged is None:  # ids that are not one plain key each: the general merge (rows matched by RowKey)
        merged = merge_inputs(orig, typed, fresh, (block.key,))[0]
    del orig, typed, fresh
    carried = parse_rows(block, merged, new_rows)[0]
    del merged
    # the carried rows equal to the data's are let go: one model per account is held, not two
    rows, kept = _carried_or_fresh(carried, new_rows)
    return rows, kept, problems


def _keyed_rows(block: AccountBlock, values: Mapping[str, Any]) -> dict[str, list[Any]] | None:
    """A version of the block (its id column and input block by name, as :meth:`AccountBlock.values` gives
    them) as account key (:func:`~kam_xl.text.key_of`) → the row's cells — or ``None`` unless every row has a
    plain id (no error value, not empty) of its own and the id column and the block have as many rows, both as
    lists of rows."""
    ids, cells = values.get(block.ids), values.get(block.name)
    if not isinstance(ids, list) or not isinstance(cells, list) or len(ids) != len(cells):
        return None
    out: dict[str, list[Any]] = {}
    for id_row, row in zip(ids, cells, strict=True):
        if not isinstance(id_row, list) or not id_row or not isinstance(row, list):
            return None
        key = None if isinstance(id_row[0], CellError) else key_of(id_row[0])
        if key is None or key in out:
            return None
        out[key] = row
    return out


def _merged_by_account(block: AccountBlock, orig: Mapping[str, Any] | None, old: Mapping[str, Any],
                       new: Mapping[str, Any]) -> dict[str, list[list[Any]]] | None:
    """What :func:`~kam_xl.workbook.merge.merge_inputs` gives the block's accounts of ``new`` — each account's
    row merged three-way cell by cell (:func:`~kam_xl.workbook.merge.pick_cell`), an account the KAM removed
    from the old controller left out, the block's columns those of ``old`` and ``new`` — computed row by row
    in place, without the general merge's cells by (row, column) of all three versions (at 10,000 accounts
    some 60 MiB for a moment). The rows of accounts only the old controller has are not given: no account of
    the data reads them. ``None`` when a version's ids are not one plain key per row (then the general merge
    applies)."""
    o, n = _keyed_rows(block, old), _keyed_rows(block, new)
    g = _keyed_rows(block, orig) if orig is not None else None
    if o is None or n is None or (orig is not None and g is None):
        return None
    has = g is not None
    width = max((len(r) for rows in (o, n) for r in rows.values()), default=0)
    ids: list[list[Any]] = []
    rows: list[list[Any]] = []
    for key, n_row in n.items():
        o_row = o.get(key)
        if o_row is None:
            if has and key in g:  # type: ignore[operator]  # the KAM removed the account's row: not carried
                continue
            o_row = []
        g_row = g.get(key, ()) if has else ()  # type: ignore[union-attr]
        ids.append([key])
        rows.append([_cell(g_row, o_row, n_row, j, has) for j in range(width)])
    return {block.ids: ids, block.name: rows}


def _cell(g_row: Sequence[Any], o_row: Sequence[Any], n_row: Sequence[Any], j: int, has: bool) -> Any:
    """Column ``j`` of an account's row merged (:func:`~kam_xl.workbook.merge.pick_cell`): a cell the old row
    lacks takes the data unless there is a snapshot."""
    n = n_row[j] if j < len(n_row) else None
    if not has and j >= len(o_row):
        return n
    g = g_row[j] if j < len(g_row) else None
    o = o_row[j] if j < len(o_row) else None
    return pick_cell(g, o, n, has)[0]


def _carried_or_fresh(carried: Mapping[str, BaseModel], fresh: Mapping[str, BaseModel]
                      ) -> tuple[dict[str, BaseModel], int]:
    """Each account's row of ``fresh`` (by account id as the data gives it) replaced by its ``carried`` row where
    that differs, and how many differ. An equal carried row is not kept: the data's row object stands for it
    (the fresh rows are held anyway, for the snapshot of defaults), so a controller of 10,000 accounts does not
    hold every row twice."""
    rows: dict[str, BaseModel] = {}
    kept = 0
    for a, row in fresh.items():
        other = carried.get(key_of(a) or "")
        if other is not None and other != row:
            row = other
            kept += 1
        rows[a] = row
    return rows, kept


def input_names(kinds: Iterable[ControllerSheet]) -> set[str]:
    """The defined names of all carried inputs of ``kinds``."""
    return {n for k in kinds for n in k.input_names()}
