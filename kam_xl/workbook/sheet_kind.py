"""The interface between the pipeline and a sheet of the account plan: one class per sheet kind.

The pipeline is the same for every sheet — data book → plan data → layout (:class:`~kam_xl.workbook.layout.Sheet`)
→ one renderer → reading back by defined name → three-way merge on regeneration → tidy export → data book. A
sheet kind fills in its part by overriding the hooks of :class:`PlanSheet` (as each of XlsxWriter's chart
classes overrides the one hook that writes its kind of chart):

* :attr:`~PlanSheet.key` — its id and the slot of its data in :class:`~kam_xl.workbook.account_plan.AccountPlanData`
  (``data.parts[key]`` unless :meth:`~PlanSheet.get`/:meth:`~PlanSheet.put` map it to a field of its own);
* :attr:`~PlanSheet.Names` — an enum of its defined names (the inputs the reader looks for); the first one marks
  that a workbook holds the sheet (:meth:`~PlanSheet.present`);
* :attr:`~PlanSheet.tables` — the data-book tables it owns, as data (:class:`kam_xl.databook.Table`); registering
  the kind adds them to :data:`kam_xl.databook.TABLES`, the one list the data book reads and writes;
* :meth:`~PlanSheet.from_databook` — its data of one account from a data book;
* :meth:`~PlanSheet.layout` — its ``Sheet`` from the plan data and the language, with its keyed blocks
  (``Sheet.keys``, :class:`~kam_xl.workbook.layout.RowKey`) so that regeneration matches rows by key;
* :meth:`~PlanSheet.parse` — its data read back from the defined names, every refused value reported to
  ``problem(name, row, col, value, allowed)`` and the data's value kept for it;
* :meth:`~PlanSheet.export` — its data as tidy rows per data-book table.

The account plan is the list :data:`kam_xl.workbook.account_plan.PLAN_SHEETS` of such kinds, in workbook
order; generating, reading back (``parse_inputs``), the export (``plans_to_databook``), regeneration and the
shipped templates loop over it. Adding a sheet is one module with one class plus one line in that list.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Mapping, MutableMapping, MutableSequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from kam_xl.databook import DataBook, Table
from kam_xl.databook.schema import register_tables
from kam_xl.errors import ReportProblem
from kam_xl.vocabulary import Lang
from kam_xl.workbook.layout import Sheet

if TYPE_CHECKING:
    from kam_xl.workbook.account_plan import AccountPlanData

#: Where a reader reports a refused value: ``problem(defined name, row, col, value shown, what is allowed)``
#: (row/col inside the named block, ``None`` for a single cell).
OnProblem = ReportProblem  # a reader's callback for a refused cell (kam_xl.errors.ReportProblem)
#: Tidy rows per data-book table: table name → rows (column name → value).
Rows = dict[str, list[dict[str, Any]]]


class PlanSheet(ABC):
    """One sheet kind of the account plan; subclasses override the hooks (see the module docstring)."""

    key: ClassVar[str]
    Names: ClassVar[type[StrEnum]]
    tables: ClassVar[tuple[Table, ...]] = ()
    #: data-book tables it owns whose schema stays in :data:`kam_xl.databook.TABLES` (the sheets that were
    #: there before the registry); a new kind declares its tables in :attr:`tables` instead
    databook_tables: ClassVar[tuple[str, ...]] = ()
    #: data-book tables this kind writes rows into without owning them (shared with another kind of file,
    #: e.g. the excellence answers of questionnaires): exported only when it has rows
    shares: ClassVar[tuple[str, ...]] = ()
    #: the column by which collected rows replace a data book's rows, per table (default ``account_id``: a
    #: collected plan replaces its account's rows)
    replaced_by: ClassVar[dict[str, str]] = {}
    #: the fields of :class:`~kam_xl.databook.AccountRow` its inputs set (``put`` writes them into the plan
    #: data's account): collecting takes them from the plan, the account's other fields from the data book
    account_fields: ClassVar[tuple[str, ...]] = ()

    def owned(self) -> tuple[str, ...]:
        """The names of the data-book tables this kind owns: always exported, as lists (empty when no rows)."""
        return (*(t.name for t in self.tables), *self.databook_tables)

    @property
    def marker(self) -> str:
        """The defined name whose presence means a workbook's values hold this sheet."""
        return next(iter(self.Names)).value

    def get(self, data: AccountPlanData) -> Any:
        """This kind's part of the plan data."""
        return data.parts.get(self.key)

    def put(self, data: AccountPlanData, part: Any) -> AccountPlanData:
        """The plan data with this kind's part replaced."""
        return dataclasses.replace(data, parts={**data.parts, self.key: part})

    def from_databook(self, db: DataBook, data: AccountPlanData) -> Any:
        """This kind's part for ``data.account`` from a validated data book (``data`` holds the master data
        and the CDB year); ``None`` when the data book has nothing for it."""
        return None

    @abstractmethod
    def layout(self, data: AccountPlanData, lang: Lang) -> Sheet:
        """The sheet for this plan data in ``lang``: cells, styles, inputs, defined names and keyed blocks."""

    def present(self, values: Mapping[str, Any]) -> bool:
        """Whether ``values`` (defined name → value) hold this sheet."""
        return self.marker in values

    def parse(self, values: Mapping[str, Any], data: AccountPlanData, lang: Lang, problem: OnProblem) -> Any:
        """This kind's part read back from ``values`` on top of ``data`` (called when :meth:`present`)."""
        return self.get(data)

    def export(self, data: AccountPlanData) -> Rows:
        """This kind's part of one plan as tidy rows per data-book table (only its own or shared tables)."""
        return {}


def register(kind: PlanSheet, sheets: MutableSequence[PlanSheet],
             tables: MutableMapping[str, Table] | None = None) -> PlanSheet:
    """Add a sheet kind to a plan's list and its tables to the data book's :data:`~kam_xl.databook.TABLES`.

    Raises :class:`ValueError` when the kind's key or a table name is taken by another kind."""
    if any(k.key == kind.key for k in sheets):
        raise ValueError(f"sheet kind {kind.key!r} is registered already")
    register_tables(f"sheet kind {kind.key!r}", kind.tables, tables)
    sheets.append(kind)
    return kind
