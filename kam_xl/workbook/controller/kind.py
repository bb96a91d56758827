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
  (:func:`carry_inputs`).

Adding a controller sheet is one module with one such class plus one line in ``CONTROLLER_SHEETS``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ValidationError

from kam_xl.databook import DataBook, Table
from kam_xl.databook.schema import register_tables
from kam_xl.errors import validation_problems
from kam_xl.excellence import Catalogue
from kam_xl.vocabulary import Lang
from kam_xl.workbook.coerce import shown
from kam_xl.workbook.layout import Sheet
from kam_xl.workbook.layout import pick as _t
from kam_xl.workbook.merge import merge_inputs, same

if TYPE_CHECKING:
    from kam_xl.settings_block import ControllerSettings

#: A refused carried input: (defined name, the value shown, what is allowed).
InputProblem = tuple[str, Any, str]


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
    #: the data-book tables it owns (e.g. the programme tables typed on its sheet), as data; registering the kind
    #: (the list ``CONTROLLER_SHEETS`` or :func:`register_controller`) adds them to :data:`kam_xl.databook.TABLES`
    tables: ClassVar[tuple[Table, ...]] = ()

    @abstractmethod
    def build(self, ctx: BuildContext) -> Sheet | list[Sheet]:
        """Its sheet(s) in ``ctx.lang`` (an empty list: none in this workbook)."""

    def defaults(self, db: DataBook, lang: Lang) -> BaseModel | None:
        """Its inputs in a freshly generated controller (default: the model's field defaults)."""
        return self.Inputs() if self.Inputs is not None else None

    def input_names(self) -> tuple[str, ...]:
        """The defined names of its carried inputs."""
        if self.Inputs is None:
            return ()
        return tuple(f.alias or n for n, f in self.Inputs.model_fields.items() if not f.exclude)

    def label(self, name: str, lang: Lang) -> str:
        """How the status line names the input ``name`` (default: its field's description, else the name)."""
        assert self.Inputs is not None
        found = next((f for n, f in self.Inputs.model_fields.items() if (f.alias or n) == name), None)
        return (found.description if found and found.description else None) or name


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
                 snapshot: Mapping[str, Any] | None, lang: Lang) -> tuple[BaseModel, list[str]]:
    """A kind's inputs taken over from an old controller (its values ``old`` by defined name, and the snapshot of
    the old generation's defaults) merged with ``defaults`` as the settings are
    (:func:`kam_xl.workbook.controller.settings.carry_settings`), and the status-line parts saying so."""
    assert kind.Inputs is not None
    new = defaults.model_dump(by_alias=True)
    old_values = {k: v for k, v in old.items() if k in new}
    if not old_values:
        return defaults, []
    orig = {k: v for k, v in snapshot.items() if k in new} if snapshot is not None else None
    merged, _ = merge_inputs(orig, old_values, new)
    inputs, problems = parse_inputs(kind.Inputs, merged, defaults)
    now = inputs.model_dump(by_alias=True)
    kept = [kind.label(n, lang) for n in old_values if not same(now[n], new[n])]
    parts = [_t(lang, "Eingaben übernommen: ", "Inputs kept: ") + ", ".join(kept)] if kept else []
    parts += [_t(lang, f"{kind.label(n, lang)} = {v!r} nicht übernommen (erlaubt: {a})",
                 f"{kind.label(n, lang)} = {v!r} not kept (allowed: {a})") for n, v, a in problems]
    return inputs, parts


def input_names(kinds: Iterable[ControllerSheet]) -> set[str]:
    """The defined names of all carried inputs of ``kinds``."""
    return {n for k in kinds for n in k.input_names()}
