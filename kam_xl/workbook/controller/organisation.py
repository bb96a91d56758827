"""The controller's Organisation sheet: Tabelle 4 (full-time vs part-time KAM) and Tabelle 5 (line vs staff model)
of seed 000 with editable weights and each alternative's score as a formula (:mod:`kam_xl.organisation`).

The weights are the controller's typed inputs (:class:`OrganisationInputs`), named as their company settings
``decision_weight_t4_1`` … ``decision_weight_t5_7``: a fresh controller takes them from the data book's
``settings`` table (default 1 each), regeneration carries what was typed, collect exports them as settings."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, create_model

from kam_xl.company_settings import CompanySettings, company_settings, setting_text
from kam_xl.databook import DataBook
from kam_xl.maths import total
from kam_xl.organisation import TABLES, DecisionTable, decide
from kam_xl.vocabulary import LIGHT_FORMATS, Lang, sheet_title
from kam_xl.workbook.controller.common import _headers
from kam_xl.workbook.controller.kind import AccountRows, BuildContext, ControllerSheet, TableExport
from kam_xl.workbook.layout import Conditional, Input, Sheet
from kam_xl.workbook.layout import pick as _t
from kam_xl.years import year_span

#: The most a decision weight may be (SPEC §3.7: each criterion weighted 0–100).
WEIGHT_MAX: float = next(m.le for m in CompanySettings.model_fields["decision_weight_t4_1"].metadata
                         if hasattr(m, "le"))
#: The signs as the seed prints them.
SIGN_TEXT = {1: "+", -1: "–"}


def _weight_fields() -> dict[str, Any]:
    return {t.setting(n): (float, CompanySettings.model_fields[t.setting(n)])
            for t in TABLES for n in range(1, len(t.criteria) + 1)}


#: The typed inputs of the Organisation sheet: one weight per criterion of Tabelle 4 and 5, the company settings'
#: fields ``decision_weight_t4_1`` … (0–100, default 1), their keys the defined names.
OrganisationInputs: type[BaseModel] = create_model(
    "OrganisationInputs", __config__=ConfigDict(frozen=True), **_weight_fields())


def table_weights(inputs: BaseModel, table: DecisionTable) -> list[float]:
    """The weights of ``table``'s criteria in row order."""
    dumped = inputs.model_dump(by_alias=True)
    return [dumped[table.setting(n)] for n in range(1, len(table.criteria) + 1)]


def _table_block(s: Sheet, top: int, table: DecisionTable, weights: list[float], lang: Lang) -> int:
    """One decision table from row ``top``: criteria with weight inputs and signs, Σ weights and the score per
    alternative; returns the row after it."""
    s.put(top, 0, _t(lang, *table.title), style="subtitle")
    _headers(s, top + 1, 0, (_t(lang, "Kriteriengruppe", "Criteria group"), _t(lang, "Kriterium", "Criterion"),
                             _t(lang, "Gewicht", "Weight"), *(_t(lang, *w) for w in table.words)))
    first = top + 2
    last = first + len(table.criteria) - 1
    for i, (crit, w) in enumerate(zip(table.criteria, weights, strict=True)):
        r = first + i
        first_of_group = crit.group and (i == 0 or table.criteria[i - 1].group != crit.group)
        s.put(r, 0, _t(lang, *crit.group) if first_of_group else None)  # type: ignore[misc]
        s.put(r, 1, _t(lang, *crit.text))
        s.put(r, 2, w, style="number", name=table.setting(i + 1),
              input=Input(kind="number", minimum=0, maximum=WEIGHT_MAX, title=_t(lang, "Gewicht", "Weight"),
                          message=_t(lang, "Gewicht des Kriteriums, 0–100 (0 = zählt nicht; Standard 1 = gleich)",
                                     "Weight of the criterion, 0–100 (0 = does not count; default 1 = equal)")))
        for j, sign in enumerate(crit.signs):
            s.put(r, 3 + j, SIGN_TEXT[sign], style="bold")
    s.name_range(f"ctl_org_{table.id}_weights", first, 2, last, 2)
    w_ref = s.ref(first, 2, last, 2)
    total_row = last + 1
    s.put(total_row, 1, _t(lang, "Summe der Gewichte", "Sum of the weights"), style="level_label")
    weight_sum = s.put(total_row, 2, formula=f"=SUM({w_ref})", cached=total(weights), style="number")
    result_row = total_row + 1
    s.put(result_row, 1, _t(lang, "Ergebnis (−100 … +100)", "Score (−100 … +100)"), style="level_label")
    scores = decide(table, weights)
    for j, alt in enumerate(table.alternatives):
        signs = s.ref(first, 3 + j, last, 3 + j)
        s.put(result_row, 3 + j, style="score", cached=scores[alt],
              formula=f'=IF({weight_sum.address}=0,"",100*SUMPRODUCT({w_ref},2*({signs}="+")-1)'
                      f"/{weight_sum.address})")
    s.name_range(f"ctl_org_{table.id}_result", result_row, 3, result_row, 4)
    s.conditionals.append(Conditional(result_row, 3, result_row, 4, {
        "type": "cell", "criteria": ">", "value": 0, "format": LIGHT_FORMATS["green"]}))
    s.conditionals.append(Conditional(result_row, 3, result_row, 4, {
        "type": "cell", "criteria": "<", "value": 0, "format": LIGHT_FORMATS["red"]}))
    return result_row + 2


def organisation_sheet(inputs: BaseModel, lang: Lang, year: str | int | None = None) -> Sheet:
    """The ``Organisation`` sheet: Tabelle 4 and 5 with the weights ``inputs``; ``year`` (the plan year or
    years, ``2026`` or ``2025–2026``) goes into its title."""
    s = Sheet("Organisation", widths={0: 38, 1: 74, 2: 11, 3: 16, 4: 16})
    s.put(0, 0, sheet_title(lang, _t(lang, "Organisationsentscheidungen (Homburg/Jensen, Tabelle 4 und 5)",
                                     "Organisation decisions (Homburg/Jensen, tables 4 and 5)"), year, "balance"),
          style="title")
    s.put(1, 0, _t(lang, "„Keine der beiden Alternativen dominiert klar. Die Gestaltungsentscheidung hängt davon ab, "
                         "wie stark man die einzelnen Aspekte gewichtet.“ Gewicht je Kriterium 0–100; Ergebnis je "
                         "Alternative = 100 × Σ Gewicht × (+1 für +, −1 für –) ÷ Σ Gewicht.",
                   "“Neither alternative clearly dominates. The decision depends on how strongly one weights the "
                   "single aspects.” Weight per criterion 0–100; score per alternative = 100 × Σ weight × (+1 for "
                   "+, −1 for –) ÷ Σ weight."), style="note")
    row = 3
    for table in TABLES:
        row = _table_block(s, row, table, table_weights(inputs, table), lang)
    return s


class OrganisationSheet(ControllerSheet):
    """``Organisation``: the decision tables with their weights (typed inputs, carried on regeneration)."""

    key = "organisation"
    Inputs = OrganisationInputs

    def defaults(self, db: DataBook, lang: Lang) -> BaseModel:
        return OrganisationInputs.model_validate(company_settings(db).model_dump(include=set(self.input_names())))

    def label(self, name: str, lang: Lang) -> str:
        table, n = next((t, n) for t in TABLES for n in range(1, len(t.criteria) + 1) if t.setting(n) == name)
        return _t(lang, f"Gewicht {table.title[0].split(':')[0]} Kriterium {n}",
                  f"Weight {table.title[1].split(':')[0]} criterion {n}")

    def build(self, ctx: BuildContext) -> Sheet:
        return organisation_sheet(ctx.inputs[self.key], ctx.lang, year_span(a.plan_year for a in ctx.db.accounts))

    def export(self, inputs: BaseModel | None, rows: AccountRows, lang: Lang) -> dict[str, TableExport]:
        """The weights as ``settings`` rows (key, value), replacing those keys in the data book; a controller
        from before this kind (no inputs) exports nothing."""
        if inputs is None:
            return {}
        values = inputs.model_dump()
        return {"settings": TableExport(rows=[{"key": k, "value": setting_text(v)} for k, v in values.items()],
                                        column="key", covers=frozenset(values))}

