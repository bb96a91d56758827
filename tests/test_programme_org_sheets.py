"""Issue 12's controller sheets Koordination, Organisation and St. Gallen: every formula recalculated by LibreOffice
equals the pure functions (demo data, the Tabelle 4/5 test vector and the awkward cases, one soffice call); what a
controller types there is carried over by regeneration and exported by collect into the data book the next
``generate`` reads; a data book with one mistake per new table gives one precise problem each."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kam_xl.batch import consolidate, with_controller_tables, write_controller
from kam_xl.company_settings import company_settings
from kam_xl.coordination import databook_coordination
from kam_xl.databook import DataBook, DataBookError, demo_databook, read_databook
from kam_xl.organisation import decisions
from kam_xl.testing.recalc import error_cells, mismatches, read_defined_names, read_values, recalculate
from kam_xl.workbook.controller import controller_workbook, read_controller_export
from kam_xl.workbook.layout import Book
from kam_xl.workbook.names import read_named
from kam_xl.workbook.render import write_book
from tests.shared import type_into

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
SHEETS = {"de": ("Koordination", "Organisation", "St. Gallen"), "en": ("Coordination", "Organisation", "St. Gallen")}
DEMO = Path(__file__).resolve().parents[1] / "kam_xl" / "demo_data"


def _edge() -> DataBook:
    """The demo with the awkward cases: other thresholds, an account without ratings and one without a span,
    Tabelle 5 weighted to zero, Tabelle 4 weighted, fields and logics left open, no phase."""
    db = demo_databook()
    t = {k: [dict(r) for r in v] if v is not None else None for k, v in db.tables.items()}
    t["coordination"] = [r for r in t["coordination"] if r["account_id"] != "KA-003"]
    t["settings"] = [{"key": "coord_bu_high", "value": "3,5"}, {"key": "coord_territory_regional", "value": "2"},
                     {"key": "coord_territory_global", "value": "4"}, {"key": "decision_weight_t4_1", "value": "3"},
                     *({"key": f"decision_weight_t5_{n}", "value": "0"} for n in range(1, 8))]
    t["st_gallen"] = [r for r in t["st_gallen"] if r["field"] not in (2, 5)] + [
        {"field": 2.0, "current": 1.0, "target": None}]
    t["st_gallen_logics"] = [r for r in t["st_gallen_logics"] if r["logic"] != "Topics"]
    accounts = [a.model_copy(update={"kam_span": None}) if a.account_id == "KA-005" else a for a in db.accounts]
    return DataBook(source="edge", accounts=accounts, tables=t)


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    """{case: (data book, book of the three sheets, recalculated values, recalculated defined names)}."""
    cases = {"de": (demo_databook(), "de"), "en": (demo_databook(), "en"), "edge": (_edge(), "de")}
    src = tmp_path_factory.mktemp("src")
    books = {}
    for key, (db, lang) in cases.items():
        full = controller_workbook(db, lang, NOW)
        books[key] = (db, Book(template_id=full.template_id, template_version=full.template_version, lang=lang,
                               sheets=[full.sheet(n) for n in SHEETS[lang]]))
    files = [write_book(book, src / f"{key}.xlsx") for key, (_, book) in books.items()]
    outs = recalculate(files, tmp_path_factory.mktemp("out"))
    return {key: (db, book, read_values(out), read_defined_names(out))
            for (key, (db, book)), out in zip(books.items(), outs, strict=True)}


@pytest.mark.parametrize("case", ["de", "en", "edge"])
def test_every_formula_of_the_three_sheets_equals_the_pure_functions(recalculated, case: str) -> None:
    _, book, values, _ = recalculated[case]
    assert error_cells(values) == []
    assert mismatches(book, values) == []
    kinds = {c.formula.split("(")[0] for _, c in book.formula_cells()}
    assert kinds == {"=IF", "=SUM"}  # means, results, shortfall, gap, extreme, shift (IF…), Σ weights (SUM)
    assert len(book.formula_cells()) == 14 * 5 + 2 * 3 + 9 * 2 + 8  # per account 5, per table 3, per field 2, logic 1


def test_the_tabelle_4_and_5_vector_and_the_demo_lights(recalculated) -> None:
    _, _, _, names = recalculated["de"]
    assert names["ctl_org_t4_result"] == [[20, -20]]
    assert names["ctl_org_t5_result"][0] == pytest.approx([100 / 7, -100 / 7], abs=1e-12)
    results = {i[0]: r for i, r in zip(names["coord_ids"], names["ctl_coord_results"], strict=True)}
    # KA-005: territory mean 5.75 → global, served nationally: the one shortfall of the demo
    assert results["KA-005"] == [5, "hoch", 5.75, "global", "national", "ja"]
    assert [a for a, r in results.items() if r[-1] == "ja"] == ["KA-005"]
    assert results["KA-007"][3:] == ["regional", "global", "nein"]  # better coordinated than the account: fine
    fields = names["ctl_sg_fields"]
    assert fields[7] == [-3, -1, 2, "ja"] and fields[4] == [-2, 1, 3, "nein"]
    assert names["ctl_sg_logics"][1] == [1, 3, "ja"]  # Tools: focus above current use
    assert names["sg_phase"] == "aufbauen"


def test_the_awkward_cases_recalculate_to_empty_or_other_words(recalculated) -> None:
    db, _, _, names = recalculated["edge"]
    assert names["ctl_org_t5_result"] == [[None, None]]  # Σ weights 0: no score
    assert names["ctl_org_t4_result"] == [[pytest.approx(300 / 7), pytest.approx(-300 / 7)]]
    results = {i[0]: r for i, r in zip(names["coord_ids"], names["ctl_coord_results"], strict=True)}
    assert results["KA-003"] == [None, None, None, None, "national", None]  # no ratings: nothing to say
    assert results["KA-005"][-2:] == [None, None]  # no span: no shortfall light
    assert results["KA-002"][1] == "niedrig" and results["KA-010"][1] == "hoch"  # bu_high 3.5: 2.83 / 4.25
    assert results["KA-013"][3] == "niedrig" and results["KA-001"][3] == "regional"  # 1.8 < 2 ≤ 3.8 < 4
    fields = names["ctl_sg_fields"]
    assert fields[2] == [1, None, None, "nein"] and fields[5] == [None, None, None, "nein"]
    assert names["ctl_sg_logics"][4] == [None, None, None]
    assert names["sg_phase"] is None
    assert decisions(company_settings(db)).line is None


def test_typed_inputs_are_carried_over_and_exported_for_the_next_generate(tmp_path: Path) -> None:
    db = demo_databook()
    target = tmp_path / "Controller.xlsx"
    write_controller(db, target, "de", NOW)
    ids = [r[0] for r in read_named(target).values["coord_ids"]]
    type_into(target, "decision_weight_t4_1", 3)
    type_into(target, "decision_weight_t5_3", 12.3456789)  # exported exactly, not to six digits
    type_into(target, "sg_target_7", 0)
    type_into(target, "sg_phase", " Professionalisieren")  # as typed, not picked: matched to the drop-down
    type_into(target, "coord_territory_global", 6)
    type_into(target, "coord_ratings", 1, row=ids.index("KA-002"), col=6)  # KA-002, territory item 1
    write_controller(db, target, "de", LATER)
    values = read_named(target).values
    assert (values["decision_weight_t4_1"], values["sg_target_7"], values["sg_phase"]) == (3, 0, "professionalisieren")
    assert values["ctl_org_t4_result"] == [[300 / 7, -300 / 7]]
    assert values["coord_territory_global"] == 6
    assert values["coord_ratings"][ids.index("KA-002")][6] == 1
    results = {i[0]: r for i, r in zip(values["coord_ids"], values["ctl_coord_results"], strict=True)}
    assert results["KA-005"][3:] == ["regional", "national", "ja"]  # 5.75 < 6: regional now, still above
    # collect: what was typed becomes the data book the next generate reads
    tables, problems = read_controller_export(target)
    assert problems == []
    nxt = with_controller_tables(db, tables)
    settings = company_settings(nxt)
    assert (settings.decision_weight_t4_1, settings.decision_weight_t5_3, settings.coord_territory_global,
            settings.phase) == (3, 12.3456789, 6, "professionalisieren")
    assert {r["field"]: r["target"] for r in nxt.table("st_gallen")}[7] == 0
    ka002 = next(c for c in databook_coordination(nxt) if c.account_id == "KA-002")
    first_territory = [r for r in nxt.table("coordination") if r["account_id"] == "KA-002"
                       and r["scale"] == "territory" and r["item"] == 1]
    assert [r["rating"] for r in first_territory] == [1]
    assert ka002.territory.mean == pytest.approx((1 + 2 + 2 + 2 + 2) / 5)  # the demo's other rated items


def test_a_refused_typed_value_is_named_and_not_carried(tmp_path: Path) -> None:
    db = demo_databook()
    target = tmp_path / "Controller.xlsx"
    write_controller(db, target, "en", NOW)
    type_into(target, "decision_weight_t5_2", -1)
    type_into(target, "sg_current_3", 5)
    type_into(target, "coord_territory_global", 2)  # below regional (3)
    _, problems = read_controller_export(target, "en")
    # a pair in reverse order is refused as a pair (else carrying it could never end); each named by sheet and cell
    assert [(p.sheet, p.cell, p.label, p.value, p.allowed) for p in problems] == [
        ("Coordination", "C4", "Cross-territory regional from mean", 3,
         "a mean ≤ Cross-territory global from mean (2)"),
        ("Coordination", "C5", "Cross-territory global from mean", 2,
         "a mean ≥ Cross-territory regional from mean (3)"),
        ("Organisation", "C17", "Weight Table 5 criterion 2", -1, "Input should be greater than or equal to 0"),
        ("St. Gallen", "C9", "St. Gallen field 3 current", 5, "Input should be less than or equal to 3")]
    assert {p.what for p in problems} == {"not exported"}
    write_controller(db, target, "en", LATER)
    values = read_named(target).values
    assert (values["decision_weight_t5_2"], values["sg_current_3"], values["coord_territory_global"]) == (1, -1, 5)
    assert "Weight Table 5 criterion 2 = -1 not kept" in values["ctl_status"]
    assert "Cross-territory global from mean = 2 not kept (allowed: a mean ≥ coord_territory_regional (3))" in (
        values["ctl_status"])
    # a regional threshold typed above the global one is refused with it; the data's pair comes back
    type_into(target, "coord_territory_regional", 6)
    write_controller(db, target, "en", LATER)
    values = read_named(target).values
    assert (values["coord_territory_regional"], values["coord_territory_global"]) == (3, 5)


def test_one_mistake_per_new_table_gives_one_precise_problem(tmp_path: Path) -> None:
    book = tmp_path / "book"
    shutil.copytree(DEMO, book)

    def edit(name: str, old: str, new: str) -> None:
        path = book / f"{name}.csv"
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    edit("coordination", "KA-001,bu,1,3", "KA-001,bu,1,8")  # rating off the seven circles
    edit("st_gallen", "7,-3,-1", "7,-3,-4")  # target beyond −3
    edit("st_gallen_logics", "Tools,1,3", "Tools,1.5,3")  # not a whole number
    header, first, *rest = (book / "accounts.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    cells = first.rstrip("\n").split(",")  # KA-001 has no quoted cell; the span found by its header, anywhere
    assert cells[0] == "KA-001"
    cells[header.rstrip("\n").split(",").index("kam_span")] = "weltweit"
    (book / "accounts.csv").write_text("".join([header, ",".join(cells) + "\n", *rest]), encoding="utf-8")
    with pytest.raises(DataBookError) as exc:
        read_databook(book)
    shown = sorted(str(p).replace(str(book) + "/", "") for p in exc.value.problems)
    assert shown == [
        "accounts.csv, row 2, column kam_span: value 'weltweit': allowed: one of national, regional, global",
        "coordination.csv, row 2, column rating: value '8': is above 7 — allowed: a whole number from 1 to 7",
        "st_gallen.csv, row 9, column target: value '-4': is below -3 — allowed: a whole number from -3 to 3",
        "st_gallen_logics.csv, row 3, column current: value '1.5': is not a whole number — allowed: a whole number "
        "from 0 to 3"]


def test_collecting_plans_keeps_the_kam_span_the_plans_do_not_carry() -> None:
    """A plan's cover carries master data and the supplier role, not the KAM span: consolidating collected plans
    onto the data book keeps the span (else the controller's shortfall light would go dark after collect)."""
    base = demo_databook()
    from_plan = base.account("KA-005").model_copy(update={"kam_span": None, "supplier_role": "Systempartner"})
    merged = consolidate(base, DataBook(source="plans", accounts=[from_plan], tables={}))
    account = merged.account("KA-005")
    assert (account.kam_span, account.supplier_role) == ("national", "Systempartner")
    assert next(c for c in databook_coordination(merged) if c.account_id == "KA-005").shortfall is True


def test_collecting_plans_takes_the_target_role_the_kam_typed_on_the_position_sheet() -> None:
    """The target supplier role is a plan input (Lieferantenposition): consolidating keeps the plan's value, not
    the data book's (KA-005's is Stammlieferant there); the span still comes from the data book."""
    base = demo_databook()
    from_plan = base.account("KA-005").model_copy(update={"kam_span": None, "target_supplier_role": "Systempartner"})
    account = consolidate(base, DataBook(source="plans", accounts=[from_plan], tables={})).account("KA-005")
    assert (account.target_supplier_role, account.kam_span) == ("Systempartner", "national")
