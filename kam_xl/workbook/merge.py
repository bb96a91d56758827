"""Carry what a KAM typed into a regenerated workbook — pure functions over input values by defined name.

Three versions of every input cell meet: ``orig`` (what the data said when the old workbook was generated,
kept in its ``_meta`` sheet), ``old`` (what the old workbook holds now) and ``new`` (what the data says now).

* old = orig: the KAM did not touch the cell → the new data wins;
* old ≠ orig: the KAM typed → the KAM's value wins; if the data changed too (new ≠ orig) and differs from
  what the KAM typed, the cell is a **conflict**, reported with all three values.

Without an ``orig`` (a workbook from before snapshots) every cell where old ≠ new keeps the KAM's value and is
reported as a conflict, so nothing is lost silently.

>>> merged, conflicts = merge_inputs(orig={"a": 1.0, "b": 1.0}, old={"a": 1.0, "b": 5.0}, new={"a": 2.0, "b": 3.0})
>>> merged
{'a': 2.0, 'b': 5.0}
>>> [(c.name, c.orig, c.kam, c.data) for c in conflicts]
[('b', 1.0, 5.0, 3.0)]

**Rows follow their key.** The layouts declare which blocks' rows belong to which key
(:class:`~kam_xl.workbook.layout.RowKey`: KAOP products, CDB activities, Kgb criteria and supplier columns,
potential goals, measures, excellence criteria) and which numbered cards belong to which key
(:class:`~kam_xl.workbook.layout.KeyedFamily`: the Kgb cards by segment). Rows (columns, cards) of the three
versions are matched by key — compared after the one text rule :func:`kam_xl.text.key_of`, so
``"Farbstoff Blau 86 "`` is the product ``"Farbstoff Blau 86"`` — never by position; only rows without a key
(spare rows) are matched by position. A value therefore never moves to another key, whatever the data book
inserts, removes, reorders or renames (a renamed key is one key removed and one added):

* a key the data book adds gets its own row;
* a key only the KAM has (typed into a spare row) stays, with everything typed in it;
* a key the KAM removed from the workbook (its key cell cleared or renamed) stays removed; data changes in
  it are reported as conflicts;
* **a key the data book removed is dropped from the plan** — the data decides which products, criteria and
  activities the plan has, and a row it no longer has cannot be carried on consistently (a Kgb card's
  weights would no longer sum to 100 %). Every value the KAM had typed in such a row is reported as a
  conflict (data value empty, note ``removed from the data book``) and stays in the backup of the old file,
  so nothing is lost silently and regeneration is never blocked by it;
* a key whose row the re-laid sheet does not keep (a KAOP product typed without any number: the KAOP reader
  makes no row of a name alone) is reported too (:func:`keys_not_in`).

Without a snapshot rows are still matched by key; every row only the old workbook has is kept (it cannot be
told whether the KAM or the data put it there) and reported.

For checking, :func:`by_key` gives every value of a workbook's keyed blocks by (block, row key, column) — the
same before and after regeneration for every key the data still has — and :attr:`Merge.fates` says per key
what happened to its row.

**Error values and cleared cells stay as the KAM left them.** A cell holding a
:class:`~kam_xl.cells.CellError` (``#DIV/0!``, a formula without result) is kept as it is and reported; a
cell the KAM cleared where the data has a value stays empty, and so does every other empty input (a reader
that counts an empty price as 0 does not put a 0 into the cell). These cells are *held*: :func:`parse_view`
gives the sheet readers a value they accept for them, :func:`overlay` writes the held content back into the
re-laid workbook at the cell of the same key. Cached results of formulas that depend on a held cell are
computed from what the readers were given; the spreadsheet application recalculates them on opening
(xlsxwriter sets ``fullCalcOnLoad``).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

from kam_xl.cells import CellError
from kam_xl.text import key_of
from kam_xl.workbook.layout import Book, KeyedFamily, KeySpec, RowKey

SNAPSHOT_CHUNK = 30_000  # characters per _meta cell (Excel allows 32,767)
#: a row's (or column's) identity inside a block: ("k", key text, occurrence) or ("#", position) when unkeyed
Token = tuple[Any, ...]
_TokenCache = dict[tuple[int, str, int, str], list[Token]]  # (id of a version, key block, column, axis) → tokens
Fate = Literal["merge", "data_removed", "kam_removed"]
REMOVED_BY_DATA = "removed from the data book — not carried over; the KAM's value is in the backup"
REMOVED_BY_KAM = "the KAM removed this row from the workbook; the data changed it"
ERROR_KEPT = "error value or formula kept as the KAM left it"
NOT_IN_PLAN = "not in the regenerated plan: the sheet keeps no row with only this key (type its values)"


@dataclass(frozen=True)
class Conflict:
    """A cell where the data changed although a KAM had typed a value (the KAM's value was kept), or a value
    regeneration reports for another reason (``note``).

    ``row``/``col`` are the cell's position inside the merged block (``None`` for a single cell, and for a
    cell whose row was dropped); ``row_key``/``col_key`` the key texts of its row / column; ``old_at`` the
    (name, row, col) of the cell in the old workbook."""

    name: str
    row: int | None
    col: int | None
    orig: Any
    kam: Any
    data: Any
    row_key: str | None = None
    col_key: str | None = None
    note: str = ""
    old_at: tuple[str, int | None, int | None] | None = None


@dataclass(frozen=True)
class Held:
    """A cell whose exact content the re-laid workbook must show although the sheet readers may not take it:
    ``kind`` ``"error"`` (a :class:`~kam_xl.cells.CellError`), ``"cleared"`` (empty where the data has a value)
    or ``"empty"`` (empty in both; a reader may still count it as 0). ``data`` is the data's value there (what
    :func:`parse_view` gives the readers when they refuse the empty cell)."""

    name: str
    row: int | None
    col: int | None
    value: Any
    data: Any
    row_key: str | None = None
    col_key: str | None = None
    kind: Literal["error", "cleared", "empty"] = "empty"

    @property
    def kept(self) -> bool:
        """An error value or a cleared cell: reported, and a reader's complaint about it does not stop
        regeneration."""
        return self.kind != "empty"


@dataclass
class Merge:
    """The result of :func:`merge_keyed`: ``values`` as the regenerated workbook must hold them (blocks as
    lists of rows in merged order), the ``conflicts``, the ``held`` cells, and per key what happened
    (``fates``: (key block, key text) → ``"data"`` / ``"kam"`` / ``"both"`` / ``"data_removed"`` /
    ``"kam_removed"``)."""

    values: dict[str, Any]
    conflicts: list[Conflict] = field(default_factory=list)
    held: list[Held] = field(default_factory=list)
    fates: dict[tuple[str, str], str] = field(default_factory=dict)
    #: (name, row, col) in ``values`` → (name, row, col) of the cell in the old workbook it came from
    origin: dict[tuple[str, int | None, int | None], tuple[str, int | None, int | None]] = field(
        default_factory=dict)
    token_cache: _TokenCache = field(default_factory=dict, repr=False)  # key tokens while merging


def same(a: Any, b: Any) -> bool:
    """Equal as cell values: blanks are equal, numbers within 1e-9 (relative), text exactly."""
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool | str):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def pick_cell(orig: Any, old: Any, new: Any, has_orig: bool) -> tuple[Any, bool]:
    """The merged value of one cell and whether it is a conflict (see the module doc): ``orig``, ``old``, ``new``
    its three versions, ``has_orig`` whether there is a snapshot of the old generation's data."""
    if (has_orig and same(old, orig)) or (not has_orig and same(old, new)):
        return new, False
    return old, not same(new, old) and (not has_orig or not same(new, orig))


def merge_inputs(orig: dict[str, Any] | None, old: dict[str, Any], new: dict[str, Any],
                 keys: Iterable[KeySpec] = ()) -> tuple[dict[str, Any], list[Conflict]]:
    """Merge input values by name (see the module doc); the values and the conflicts of :func:`merge_keyed`.
    Names only in ``new`` take the new data; names only in ``old`` are dropped (the template no longer has
    them). Blocks without a key merge cell by cell over the union of both shapes, so rows a KAM filled
    beyond the new data's block are kept."""
    m = merge_keyed(orig, old, new, tuple(keys))
    return m.values, m.conflicts


# --- tokens: which key each row / column belongs to ------------------------------------------------------------

def _rows(value: Any) -> list[list[Any]] | None:
    if value is None:
        return None
    return value if isinstance(value, list) else [[value]]


def _tokens(key_rows: list[list[Any]] | None, col: int, axis: str, fallback: int) -> list[Token]:
    """One token per row (``axis="rows"``: the key in column ``col``) or per column (``"cols"``: row 0)."""
    if key_rows is None:
        return [("#", i) for i in range(fallback)]
    texts = ([r[col] if col < len(r) else None for r in key_rows] if axis == "rows"
             else list(key_rows[0]) if key_rows else [])
    seen: Counter[str] = Counter()
    out: list[Token] = []
    for i, t in enumerate(texts):
        k = None if isinstance(t, CellError) else key_of(t)
        if k is None:
            out.append(("#", i))
        else:
            seen[k] += 1
            out.append(("k", k, seen[k]))
    return out


def _fate(t: Token, in_g: bool, in_o: bool, in_n: bool, has_orig: bool) -> Fate | None:
    """What happens to the row of token ``t`` (``None``: it is in no version worth keeping)."""
    if t[0] == "#" or not has_orig:
        return "merge" if in_o or in_n else None
    if in_n and in_o:
        return "merge"
    if in_n:
        return "kam_removed" if in_g else "merge"
    if in_o:
        return "data_removed" if in_g else "merge"
    return None


@dataclass(frozen=True)
class _Axis:
    """The tokens of one axis of a block in the three versions, their fates and the merged order."""

    g: list[Token]
    o: list[Token]
    n: list[Token]
    fates: dict[Token, Fate]
    order: list[Token]
    keyed: bool

    @classmethod
    def build(cls, g: list[Token], o: list[Token], n: list[Token], has_orig: bool, keyed: bool) -> _Axis:
        sg, so, sn = set(g), set(o), set(n)
        fates: dict[Token, Fate] = {}
        for t in dict.fromkeys([*n, *o, *g]):
            f = _fate(t, t in sg, t in so, t in sn, has_orig)
            if f is not None:
                fates[t] = f
        order = [t for t in dict.fromkeys([*n, *o]) if fates.get(t) == "merge"]
        return cls(g, o, n, fates, order, keyed)


def _text(t: Token) -> str | None:
    return t[1] if t[0] == "k" else None


def _cells(rows: list[list[Any]] | None, rt: list[Token], ct: list[Token]) -> dict[tuple[Token, Token], Any]:
    if rows is None:
        return {}
    return {(rt[i], ct[j]): v for i, row in enumerate(rows) if i < len(rt)
            for j, v in enumerate(row) if j < len(ct)}


# --- one block ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Keying:
    """How one block is keyed: (key block, key column) for its rows and (key block, 0) for its columns;
    ``skip_empty``: unkeyed empty rows may be left out (the key block is merged too, so rows stay aligned)."""

    rows: tuple[str, int] | None = None
    cols: tuple[str, int] | None = None
    skip_empty: bool = False

    @property
    def keyed(self) -> bool:
        return self.rows is not None or self.cols is not None

    def is_key(self, name: str, rt: Token, ct: Token) -> bool:
        """True for a key cell of ``name`` (its content is the key itself)."""
        if self.rows is not None and name == self.rows[0] and rt[0] == "k" and ct == ("#", self.rows[1]):
            return True
        return self.cols is not None and name == self.cols[0] and ct[0] == "k"


def _axis_tokens(spec: tuple[str, int] | None, axis: str, version: dict[str, Any] | None, block: Any,
                 fallback: dict[str, Any], cache: _TokenCache | None = None) -> list[Token]:
    """The tokens of a block's rows (columns): from its key block in ``version`` (in ``fallback`` when
    ``version`` lacks it), by position when unkeyed. ``cache`` keeps the tokens of each key block, which
    several blocks share (valid while the version dicts live and are not changed)."""
    shape = _rows(block) or []
    n = len(shape) if axis == "rows" else max((len(r) for r in shape), default=0)
    if spec is None:
        return [("#", i) for i in range(n)]
    key_name, col = spec
    source = version if version is not None and key_name in version else fallback
    key_rows = _rows(source.get(key_name))
    if key_rows is None or cache is None:
        return _tokens(key_rows, col, axis, n)
    ck = (id(source), key_name, col, axis)
    found = cache.get(ck)
    if found is None:
        found = cache[ck] = _tokens(key_rows, col, axis, n)
    return found


@dataclass(frozen=True)
class _Versions:
    """The three versions of one block as cells by (row token, column token)."""

    has: bool
    rax: _Axis
    cax: _Axis
    g: dict[tuple[Token, Token], Any]
    o: dict[tuple[Token, Token], Any]
    n: dict[tuple[Token, Token], Any]
    o_pos: tuple[dict[Token, int], dict[Token, int]]

    def old_at(self, name: str, rt: Token, ct: Token) -> tuple[str, int | None, int | None] | None:
        i, j = self.o_pos[0].get(rt), self.o_pos[1].get(ct)
        return (name, i, j) if i is not None and j is not None else None


def _versions(name: str, k: _Keying, orig: dict[str, Any] | None, old: dict[str, Any],
              new: dict[str, Any], cache: _TokenCache | None = None) -> _Versions:
    has = orig is not None and name in orig
    g_b, o_b, n_b = (orig or {}).get(name), old.get(name), new.get(name)
    g_src = orig if has else None
    rax, cax = (_Axis.build(_axis_tokens(spec, axis, g_src, g_b, old, cache),
                            _axis_tokens(spec, axis, old, o_b, old, cache),
                            _axis_tokens(spec, axis, new, n_b, new, cache), has, spec is not None)
                for spec, axis in ((k.rows, "rows"), (k.cols, "cols")))
    return _Versions(has, rax, cax, _cells(_rows(g_b) if has else None, rax.g, cax.g),
                     _cells(_rows(o_b), rax.o, cax.o), _cells(_rows(n_b), rax.n, cax.n),
                     ({t: i for i, t in enumerate(rax.o)}, {t: j for j, t in enumerate(cax.o)}))


def _report_removed(name: str, old_name: str, k: _Keying, v: _Versions, out: Merge) -> None:
    """The KAM's values in rows (columns) the data book removed, and data changes in rows the KAM removed."""
    if not v.has or all(f == "merge" for ax in (v.rax, v.cax) for f in ax.fates.values()):
        return
    for cell in dict.fromkeys([*v.o, *v.g, *v.n]):
        rt, ct = cell
        fates = (v.rax.fates.get(rt), v.cax.fates.get(ct))
        if k.is_key(name, rt, ct):
            continue
        g, o, n = v.g.get(cell), v.o.get(cell), v.n.get(cell)
        if "data_removed" in fates and not same(o, g):
            out.conflicts.append(Conflict(name, None, None, g, o, None, _text(rt), _text(ct), REMOVED_BY_DATA,
                                          v.old_at(old_name, rt, ct)))
        elif "kam_removed" in fates and "data_removed" not in fates and not same(n, g):
            out.conflicts.append(Conflict(name, None, None, g, None, n, _text(rt), _text(ct), REMOVED_BY_KAM))


def _record_fates(name: str, k: _Keying, v: _Versions, out: Merge) -> None:
    for spec, ax in ((k.rows, v.rax), (k.cols, v.cax)):
        if spec is None or spec[0] != name:
            continue
        o, n = set(ax.o), set(ax.n)
        for t, fate in ax.fates.items():
            if t[0] == "k":
                kept = "both" if t in o and t in n else "data" if t in n else "kam"
                out.fates[(name, t[1] if t[2] == 1 else f"{t[1]} ({t[2]})")] = kept if fate == "merge" else fate


def _held_kind(value: Any, data: Any) -> Literal["error", "cleared", "empty"] | None:
    if isinstance(value, CellError):
        return "error"
    if value is None or value == "":
        return "empty" if data is None or data == "" else "cleared"
    return None


def _merge_block(name: str, k: _Keying, orig: dict[str, Any] | None, old: dict[str, Any], new: dict[str, Any],
                 old_name: str, out: Merge) -> Any:
    """The merged value of one name: a single cell, or a block's rows in merged order (new data's keys first,
    then the KAM's own), reporting conflicts and held cells into ``out``."""
    has = orig is not None and name in orig
    g_b, o_b, n_b = (orig or {}).get(name), old.get(name), new.get(name)
    if not k.keyed and not any(isinstance(b, list) for b in (g_b, o_b, n_b)):
        value, conflict = pick_cell(g_b, o_b, n_b, has)
        if conflict:
            out.conflicts.append(Conflict(name, None, None, g_b if has else None, o_b, n_b,
                                          old_at=(old_name, None, None)))
        elif isinstance(value, CellError):
            out.conflicts.append(Conflict(name, None, None, g_b if has else None, value, n_b, note=ERROR_KEPT,
                                          old_at=(old_name, None, None)))
        kind = _held_kind(value, n_b)
        if kind is not None:
            out.held.append(Held(name, None, None, value, n_b, kind=kind))
        return value
    v = _versions(name, k, orig, old, new, out.token_cache)
    _report_removed(name, old_name, k, v, out)
    _record_fates(name, k, v, out)
    rows_out: list[list[Any]] = []
    for rt in v.rax.order:
        row: list[Any] = []
        held: list[Held] = []
        origin: dict[tuple[str, int | None, int | None], tuple[str, int | None, int | None]] = {}
        for ct in v.cax.order:
            where = (len(rows_out), len(row))
            cell = (rt, ct)
            if cell in v.o:
                origin[(name, *where)] = v.old_at(old_name, rt, ct) or (old_name, None, None)
            if k.is_key(name, rt, ct):
                row.append(rt[1] if rt[0] == "k" else ct[1])  # the key, as the text rule writes it
                continue
            in_g = v.has and (k.keyed or cell in v.g)
            g, o, n = (v.g.get(cell) if in_g else None), v.o.get(cell), v.n.get(cell)
            # a cell the old workbook does not have (its row or column is new) takes the data
            value, conflict = pick_cell(g, o, n, in_g) if in_g or cell in v.o else (n, False)
            note = "" if conflict else ERROR_KEPT if isinstance(value, CellError) else None
            if note is not None:
                out.conflicts.append(Conflict(name, *where, g, o, n, _text(rt), _text(ct), note,
                                              v.old_at(old_name, rt, ct)))
            kind = _held_kind(value, n)
            if kind is not None:
                held.append(Held(name, *where, value, n, _text(rt), _text(ct), kind))
            row.append(value)
        if k.skip_empty and rt[0] == "#" and all(x is None for x in row):
            continue  # an empty spare row: the re-laid sheet adds its own
        rows_out.append(row)
        out.held.extend(held)
        out.origin.update(origin)
    return rows_out


# --- cards (families) --------------------------------------------------------------------------------------------

def _family_tokens(fam: KeyedFamily, values: dict[str, Any] | None) -> list[Token]:
    if values is None:
        return []
    keys: list[list[Any]] = []
    while fam.key_name(len(keys) + 1) in values:
        keys.append([values[fam.key_name(len(keys) + 1)]])
    return _tokens(keys, 0, "rows", 0)


def _member(fam: KeyedFamily, name: str) -> tuple[int, str] | None:
    """(card number, rest of the name) for a name of the family, else ``None``."""
    if not name.startswith(fam.prefix):
        return None
    number, _, rest = name[len(fam.prefix):].partition("_")
    return (int(number), rest) if number.isdigit() and rest else None


def _renumber(fam: KeyedFamily, values: dict[str, Any], slot: dict[int, int]) -> dict[str, Any]:
    """``values`` with card ``n`` renamed to card ``slot[n]`` (cards without a slot left out)."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        m = _member(fam, name)
        if m is None:
            out[name] = value
        elif m[0] in slot:
            out[f"{fam.prefix}{slot[m[0]]}_{m[1]}"] = value
    return out


def _card(fam: KeyedFamily, values: dict[str, Any], n: int) -> dict[str, Any]:
    """Card ``n`` of ``values`` renumbered as card 1."""
    return {f"{fam.prefix}1_{m[1]}": v for x, v in values.items() if (m := _member(fam, x)) and m[0] == n}


def _report_dropped_card(fam: KeyedFamily, gi: int, oi: int, orig: dict[str, Any], old: dict[str, Any],
                         old_names: dict[str, str], rowkeys: list[RowKey], out: Merge) -> None:
    """Every value the KAM typed in a card the data book removed, as a conflict (the card is dropped)."""
    g1, o1 = _card(fam, orig, gi), _card(fam, old, oi)
    keying = _keying(rowkeys, set(g1) | set(o1))
    for name in o1:
        k = keying.get(name, _Keying())
        v = _versions(name, k, g1, o1, {})
        old_name = old_names.get(f"{fam.prefix}{oi}_{name[len(fam.prefix) + 2:]}", name)
        for cell in dict.fromkeys([*v.o, *v.g]):
            if not k.is_key(name, *cell) and not same(v.o.get(cell), v.g.get(cell)):
                out.conflicts.append(Conflict(old_name, None, None, v.g.get(cell), v.o.get(cell), None,
                                              _text(cell[0]), _text(cell[1]), REMOVED_BY_DATA,
                                              v.old_at(old_name, *cell)))


def _align_family(fam: KeyedFamily, orig: dict[str, Any] | None, old: dict[str, Any], new: dict[str, Any],
                  old_names: dict[str, str], rowkeys: list[RowKey], out: Merge
                  ) -> tuple[dict[str, Any] | None, dict[str, Any], dict[str, Any], dict[str, str]]:
    """Number the cards of all three versions after their keys: the new data's cards first, then the KAM's
    own; a card the data removed is dropped with the KAM's values reported (see the module doc). Returns the
    renumbered versions and, per renumbered name, its name in the old workbook."""
    g, o, n = _family_tokens(fam, orig), _family_tokens(fam, old), _family_tokens(fam, new)
    ax = _Axis.build(g, o, n, orig is not None, True)
    for t, fate in ax.fates.items():
        if fate == "data_removed" and orig is not None:
            _report_dropped_card(fam, g.index(t) + 1, o.index(t) + 1, orig, old, old_names, rowkeys, out)
        if t[0] == "k" and fate != "merge":
            out.fates[(f"{fam.prefix}{{n}}_{fam.key}", t[1])] = fate
    slot_of = {t: m for m, t in enumerate(ax.order, start=1)}

    def slots(tokens: list[Token]) -> dict[int, int]:
        return {i: slot_of[t] for i, t in enumerate(tokens, start=1) if t in slot_of}

    old2, new2 = _renumber(fam, old, slots(o)), _renumber(fam, new, slots(n))
    names = {f"{fam.prefix}{slots(o)[m[0]]}_{m[1]}": old_names.get(x, x)
             for x in old if (m := _member(fam, x)) and m[0] in slots(o)}
    orig2 = None
    if orig is not None:
        g_slots = set(slots(g).values())
        orig2 = _renumber(fam, orig, slots(g))
        for name in [*old2, *new2]:
            m = _member(fam, name)
            if m is not None and m[0] not in g_slots:
                orig2.setdefault(name, None)  # a card not there at generation: its cells were empty then
    return orig2, old2, new2, {**{x: y for x, y in old_names.items() if _member(fam, x) is None}, **names}


# --- the whole workbook ------------------------------------------------------------------------------------------

def _keying(rowkeys: list[RowKey], names: set[str]) -> dict[str, _Keying]:
    """How each block of ``names`` is keyed (declarations with ``{n}`` expanded for every card present)."""
    rows: dict[str, tuple[str, int]] = {}
    cols: dict[str, tuple[str, int]] = {}
    skip: dict[str, bool] = {}
    for rk in rowkeys:
        cards: list[int | None] = [None]
        if "{n}" in rk.key:
            cards = []
            while rk.names(len(cards) + 1)[0] in names or any(b in names for b in rk.names(len(cards) + 1)[1]):
                cards.append(len(cards) + 1)
        for n in cards:
            key, blocks = rk.names(n)
            if rk.axis == "rows":  # the key block follows its own keys too (also when it is no input)
                rows.setdefault(key, (key, rk.col))
            for b in blocks:
                (rows if rk.axis == "rows" else cols)[b] = (key, rk.col)
                if rk.axis == "rows":
                    skip[b] = key in blocks and key in names
    return {b: _Keying(rows.get(b), cols.get(b), skip.get(b, False)) for b in {*rows, *cols}}


def merge_keyed(orig: dict[str, Any] | None, old: dict[str, Any], new: dict[str, Any],
                keys: tuple[KeySpec, ...] = ()) -> Merge:
    """Merge input values by name, rows by key (see the module doc).

    ``orig``/``old``/``new``: defined name → value or list of rows (``orig`` ``None`` without a snapshot);
    ``keys``: the layout's declarations (:meth:`~kam_xl.workbook.layout.Book.key_specs`), and for a key block that
    is not an input (excellence criterion ids) its values must be in all three. Names only in ``new`` take the
    data; names only in ``old`` are dropped unless they belong to a card the merge keeps (the template no
    longer has them). Returns the :class:`Merge`; the values of blocks are rows in merged order — the data's
    keys in the data's order, then the KAM's own keys — and the conflicts name every value not carried over.
    """
    rowkeys = [k for k in keys if isinstance(k, RowKey)]
    out = Merge(values={})
    old_names = {x: x for x in old}
    for fam in (k for k in keys if isinstance(k, KeyedFamily)):
        orig, old, new, old_names = _align_family(fam, orig, old, new, old_names, rowkeys, out)
    in_family = {x for x in old for fam in keys if isinstance(fam, KeyedFamily) and _member(fam, x)}
    names = [*new, *(x for x in old if x not in new and x in in_family)]
    keying = _keying(rowkeys, set(names))
    for name in names:
        out.values[name] = _merge_block(name, keying.get(name, _Keying()), orig, old, new,
                                        old_names.get(name, name), out)
    out.token_cache.clear()  # keyed by the ids of dicts that die now
    return out


# --- after the merge: what the readers see, what the re-laid workbook shows --------------------------------------

def parse_view(m: Merge, use_data: bool = False) -> dict[str, Any]:
    """The merged values as the sheet readers should see them: a held cell (error value, or cleared where the
    data has a value) as empty — or, with ``use_data``, as the data's value there (for readers that refuse
    the empty cell); the re-laid workbook gets the held content back with :func:`overlay`."""
    values = dict(m.values)
    copied: set[str] = set()
    for h in m.held:
        if not h.kept:
            continue
        shown = h.data if use_data and not isinstance(h.data, CellError) else None
        if h.row is None or h.col is None:
            values[h.name] = shown
            continue
        if h.name not in copied:
            values[h.name] = [list(r) for r in values[h.name]]
            copied.add(h.name)
        values[h.name][h.row][h.col] = shown
    return values


def _index(tokens: list[Token], text: str | None, fallback: int | None) -> int | None:
    if text is None:
        return fallback if fallback is not None and ("#", fallback) in tokens else None
    return next((i for i, t in enumerate(tokens) if t[0] == "k" and t[1] == text), None)


class BookCells:
    """The cells of a (re-laid) book by name and key: :meth:`find` where a cell of a named block is, by its
    row and column keys (unkeyed rows and columns by position), :meth:`put` a value into an input cell.
    Built once per book; each lookup is then a dictionary access and a short scan of one block's keys."""

    def __init__(self, book: Book, keys: tuple[KeySpec, ...]):
        from kam_xl.workbook.layout import named_values

        self.book = book
        self.values = named_values(book)
        self.keying = _keying([x for x in keys if isinstance(x, RowKey)], set(self.values))
        self.origin: dict[str, tuple[int, int, int]] = {}  # name → (sheet index, first row, first col)
        for si, sheet in enumerate(book.sheets):
            for c in sheet.cells:
                if c.name:
                    self.origin[c.name] = (si, c.row, c.col)
            for name, (r0, c0, _, _) in sheet.ranges.items():
                self.origin[name] = (si, r0, c0)
        self.at = [{(c.row, c.col): i for i, c in enumerate(sheet.cells)} for sheet in book.sheets]
        self._tokens: dict[str, tuple[list[Token], list[Token]]] = {}

    def find(self, name: str, row_key: str | None, col_key: str | None, row: int | None,
             col: int | None) -> tuple[int, int] | None:
        """(row, col) inside the named block, (0, 0) for a named cell; ``None`` when there is no such cell."""
        value = self.values.get(name)
        if name not in self.values:
            return None
        if not isinstance(value, list):
            return (0, 0)
        if name not in self._tokens:
            k = self.keying.get(name, _Keying())
            self._tokens[name] = (_axis_tokens(k.rows, "rows", self.values, value, self.values),
                                  _axis_tokens(k.cols, "cols", self.values, value, self.values))
        rt, ct = self._tokens[name]
        r, c = _index(rt, row_key, row), _index(ct, col_key, col)
        return None if r is None or c is None else (r, c)

    def put(self, name: str, row: int, col: int, value: Any) -> bool:
        """Set the value of the input cell at (row, col) of ``name``; ``False`` if it is no input cell."""
        si, r0, c0 = self.origin[name]
        i = self.at[si].get((r0 + row, c0 + col))
        cells = self.book.sheets[si].cells
        if i is None or cells[i].input is None:
            return False
        if cells[i].value is not value:
            cells[i] = replace(cells[i], value=value)
        return True


def overlay(book: Book, held: list[Held], keys: tuple[KeySpec, ...]) -> list[Held]:
    """Write every held cell's content (error value, formula or emptiness) into the re-laid ``book`` at the cell
    of the same name and keys; returns the kept cells (error, cleared) the book has no such cell for."""
    cells = BookCells(book, keys)
    missing: list[Held] = []
    for h in held:
        at = cells.find(h.name, h.row_key, h.col_key, h.row, h.col)
        if (at is None or not cells.put(h.name, *at, h.value)) and h.kept:
            missing.append(h)
    return missing


def keys_not_in(book: Book, m: Merge, keys: tuple[KeySpec, ...]) -> list[Conflict]:
    """The keys of the merged values that the re-laid ``book`` has no row for — a row a sheet reader leaves
    out (a KAOP product typed without any number) — as conflicts, so that no typed key goes unreported."""
    cells = BookCells(book, keys)
    lost: list[Conflict] = []
    for name, k in _keying([x for x in keys if isinstance(x, RowKey)], set(m.values)).items():
        if k.rows is None or k.rows[0] != name or not isinstance(m.values.get(name), list):
            continue
        for i, row in enumerate(m.values[name]):
            text = row[k.rows[1]] if k.rows[1] < len(row) else None
            if isinstance(text, str) and cells.find(name, text, None, None, k.rows[1]) is None:
                lost.append(Conflict(name, i, k.rows[1], None, text, None, text, note=NOT_IN_PLAN,
                                     old_at=m.origin.get((name, i, k.rows[1]))))
    return lost


def by_key(values: dict[str, Any], keys: tuple[KeySpec, ...]) -> dict[tuple[str, str, str], Any]:
    """Every value of a keyed block by (block, row key, column): the column's key for key-columned blocks
    (Kgb suppliers), else its position — the view in which "no value moved to another key" can be checked:
    a key's values before and after regeneration compare equal. Kgb cards are named by segment
    (``kgb_{segment}_ratings``). Empty cells and key cells are left out."""
    fams = [k for k in keys if isinstance(k, KeyedFamily)]
    card_key = {}
    for fam in fams:
        for i, t in enumerate(_family_tokens(fam, values), start=1):
            card_key[f"{fam.prefix}{i}_"] = f"{fam.prefix}{_text(t) or '#' + str(i)}_"
    out: dict[tuple[str, str, str], Any] = {}
    for name, k in _keying([x for x in keys if isinstance(x, RowKey)], set(values)).items():
        if name not in values or not isinstance(values[name], list):
            continue
        rt = _axis_tokens(k.rows, "rows", values, values[name], values)
        ct = _axis_tokens(k.cols, "cols", values, values[name], values)
        label = next((name.replace(p, q, 1) for p, q in card_key.items() if name.startswith(p)), name)
        for (r, c), v in _cells(values[name], rt, ct).items():
            if v is None or k.is_key(name, r, c) or r[0] != "k":
                continue
            out[(label, r[1] if r[2] == 1 else f"{r[1]} ({r[2]})", _text(c) or str(c[1]))] = v
    return out


def regen_values(book: Book, values: dict[str, Any] | None = None) -> dict[str, Any]:
    """What regeneration compares of a layout (``values``: a workbook read by name with that layout's names):
    its inputs (:func:`~kam_xl.workbook.layout.input_values`) and the key blocks that are no inputs
    (excellence criterion ids), so that rows can be paired by key."""
    from kam_xl.workbook.layout import input_values, named_values

    inputs = input_values(book)
    specs = book.key_specs()
    key_blocks = {k.key for k in specs if isinstance(k, RowKey) and "{n}" not in k.key}
    if values is None:
        missing = key_blocks - inputs.keys()
        named = named_values(book, missing) if missing else {}
        return {**inputs, **{k: named[k] for k in sorted(key_blocks) if k not in inputs and k in named}}
    # every card's inputs (the old workbook may have more cards than the layout from the data)
    card_inputs = {(f.prefix, m[1]) for f in specs if isinstance(f, KeyedFamily) for x in inputs
                   if (m := _member(f, x))}
    return {name: v for name, v in values.items()
            if name in inputs or name in key_blocks or any((f.prefix, m[1]) in card_inputs for f in specs
                                                           if isinstance(f, KeyedFamily) and (m := _member(f, name)))}


def _date_to_json(value: Any) -> dict[str, str]:
    """A date input (the KASP review date) in the snapshot: ``{"date": "2026-06-30"}`` (the snapshot's other
    values are numbers, texts and lists, never objects, so the form is unambiguous)."""
    if isinstance(value, date):
        return {"date": value.isoformat()}
    raise TypeError(f"{type(value).__name__} is no input value")


def _date_from_json(obj: dict[str, Any]) -> Any:
    """:func:`_date_to_json` read back (a date, as the package reader gives a date cell)."""
    if obj.keys() == {"date"} and isinstance(obj["date"], str):
        try:
            return date.fromisoformat(obj["date"])
        except ValueError:
            return obj
    return obj


def snapshot_meta(values: dict[str, Any]) -> dict[str, str]:
    """The input snapshot as ``_meta`` entries (``inputs_1``, ``inputs_2`` … of JSON text)."""
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":"), default=_date_to_json)
    chunks = [text[i:i + SNAPSHOT_CHUNK] for i in range(0, len(text), SNAPSHOT_CHUNK)] or [""]
    return {f"inputs_{i}": chunk for i, chunk in enumerate(chunks, start=1)}


def snapshot_from_meta(meta: dict[str, str]) -> dict[str, Any] | None:
    """Read the snapshot back; ``None`` when the workbook has none or it is damaged."""
    keys = sorted((k for k in meta if k.startswith("inputs_")), key=lambda k: int(k.split("_")[1]))
    if not keys:
        return None
    try:
        data = json.loads("".join(meta[k] for k in keys), object_hook=_date_from_json)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
