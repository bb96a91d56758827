"""Excel functions of the customer contribution margin (Kundendeckungsbeitrag, CDB I–III; seed 000;
:mod:`kam_xl.cdb`).

The amounts of an account are one row or column of eight cells in the order of the statement: gross sales,
deductions, product cost, freight, development, production, service and sales cost (empty = 0). Activity-based
cost lines are an optional block of four columns — activity, stage, driver quantity, cost rate — whose stage is
``development``, ``production``, ``service`` or ``sales`` or the word the account plan shows (Entwicklung,
Produktion, Service, Vertrieb); empty rows are skipped.
"""

from __future__ import annotations

from typing import Annotated, Any

import xlwings as xw

from kam_xl.cdb import STAGES, STATEMENT_LINES, ActivityLine, CdbInput, CdbStatement, Stage, cdb_statement
from kam_xl.vocabulary import STAGE_LABELS
from udfs._cells import (
    CellError,
    Grid,
    build,
    cell_arg,
    choice,
    count,
    excel_errors,
    numbers,
    range_arg,
    required,
    table_rows,
    text,
)

#: The eight input amounts in statement order: the fields of :class:`~kam_xl.cdb.CdbInput`.
AMOUNT_FIELDS = tuple(CdbInput.model_fields)
ACTIVITY_COLUMNS = ("activity", "stage", "driver quantity", "cost rate")
STAGE_WORDS: dict[str, Stage] = {
    **{s: s for s in STAGES},
    **{STAGE_LABELS[s][0]: s for s in STAGES},
    **{STAGE_LABELS[s][1]: s for s in STAGES},
}
LANGS = {"de": "de", "en": "en"}
RELATIVE_LABELS = {"de": "{} (% vom Nettoumsatz)", "en": "{} (% of net sales)"}


Amounts = Annotated[Any, range_arg(
    "8 cells in statement order: gross sales, deductions, product cost, freight, development, production, "
    "service, sales cost (empty = 0)")]
Activities = Annotated[Any, range_arg(
    "optional block of activity-based costs, 4 columns: activity, stage (development, production, "
    "service, sales), driver quantity, cost rate")]
LabelLanguage = Annotated[Any, cell_arg("language of the labels: de (default) or en")]


def _input(amounts: Any, activities: Any) -> tuple[CdbInput, list[ActivityLine]]:
    values = numbers(amounts, "amounts")
    if len(values) != len(AMOUNT_FIELDS):
        allowed = f"{len(AMOUNT_FIELDS)} ({', '.join(AMOUNT_FIELDS)})"
        raise CellError(f"amounts: {count(len(values), 'cell')} — allowed: {allowed}")
    if values[0] is None:
        raise CellError("amounts: cell 1 (gross_sales) is empty — allowed: the gross sales, a number ≥ 0")
    fields = {f: 0.0 if v is None else v for f, v in zip(AMOUNT_FIELDS, values, strict=True)}
    where = {f: f"cell {i + 1} ({f})" for i, f in enumerate(AMOUNT_FIELDS)}
    cdb_input = build(CdbInput, "amounts", where, **fields)
    lines = []
    for i, row in enumerate(table_rows(activities, "activities", ACTIVITY_COLUMNS)):
        if row is None:
            continue
        at = f"activities: row {i + 1}"
        lines.append(build(
            ActivityLine, at, None,
            activity=text(row[0], f"{at}, activity"),
            stage=choice(row[1], f"{at}, stage", STAGE_WORDS),
            driver_quantity=required(row[2], f"{at}, driver quantity"),
            cost_rate=required(row[3], f"{at}, cost rate"),
        ))
    return cdb_input, lines


def _statement(amounts: Any, activities: Any) -> CdbStatement:
    return cdb_statement(*_input(amounts, activities))


@xw.func(category="KAM")
@excel_errors
def kam_cdb_statement(amounts: Amounts, activities: Activities = None, lang: LabelLanguage = None) -> Grid:
    """The whole CDB I–III statement as 15 rows of label and value: gross sales down to CDB III, then CDB I, II
    and III as fractions of net sales (empty when net sales are 0).

    Activity-based costs are added to the amount of their stage, as on the account plan's CDB sheet.
    """
    language = choice(lang, "lang", LANGS, "de")
    st = _statement(amounts, activities)
    rows: Grid = [[de if language == "de" else en, getattr(st, field)] for field, de, en, _ in STATEMENT_LINES]
    for field, de, en, _ in STATEMENT_LINES:
        if field.startswith("cdb_"):
            label = RELATIVE_LABELS[language].format(de if language == "de" else en)
            rows.append([label, getattr(st, f"{field}_rel")])
    return rows


@xw.func(category="KAM")
@excel_errors
def kam_cdb_iii(amounts: Amounts, activities: Activities = None) -> float:
    """Customer contribution margin III (Kundendeckungsbeitrag III) of an account: net sales minus product cost,
    freight and the customer-specific development, production, service and sales cost."""
    return _statement(amounts, activities).cdb_iii
