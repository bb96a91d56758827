"""Adding a controller sheet is one class plus one registry line (issue 10): the example below — an account
selection sheet with one typed input, the minimum net sales of a key account, that counts the accounts over it
from the accounts sheet's range — declares its key, the kind it needs, its typed input and its build hook, and
nothing else in kam_xl changes. The tests prove it appears in the generated controller at its place, its
formula reads the accounts sheet, and its typed input is carried over (or refused and named) when
``write_controller`` rewrites the controller; the registry is as before afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from pydantic import BaseModel, ConfigDict, Field

from kam_xl.addin.xlsm import controller_xlsm_book
from kam_xl.batch import write_controller
from kam_xl.databook import demo_databook
from kam_xl.workbook.controller import CONTROLLER_SHEETS, controller_workbook
from kam_xl.workbook.controller.kind import BuildContext, ControllerSheet, build_order, register_controller
from kam_xl.workbook.layout import Input, Sheet
from kam_xl.workbook.layout import pick as _t
from kam_xl.workbook.names import read_named
from tests.shared import type_into

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
KINDS = ["cockpit", "accounts", "resources", "kaop", "kgb", "excellence", "relationships", "selection", "abc_xyz",
         "coordination", "organisation", "st_gallen", "cdb_data", "kaop_data", "settings"]


# --- the example controller sheet kind: this class and the one `register_controller` line are all it needs ---------

class SelectionInputs(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)

    min_net_sales: float = Field(1_000_000.0, alias="sel_min_net_sales", ge=0, description="Mindestumsatz")


class SelectionSheet(ControllerSheet):
    """Account selection: how many accounts have at least the minimum net sales (a typed input)."""

    key = "sales_filter"
    needs = ("accounts",)
    Inputs = SelectionInputs

    def build(self, ctx: BuildContext) -> Sheet:
        inputs = ctx.inputs[self.key]
        assert isinstance(inputs, SelectionInputs)
        accounts = ctx.sheet("accounts")
        assert accounts is not None
        first, col, last, _ = accounts.ranges["ctl_acc_net_sales"]
        column = [c.cached for c in accounts.all_cells() if c.col == col and first <= c.row <= last]
        cached = sum(v is not None and v >= inputs.min_net_sales for v in column)
        s = Sheet(_t(ctx.lang, "Umsatzfilter", "Sales filter"), widths={0: 40, 1: 16})
        s.put(0, 0, _t(ctx.lang, "Mindestumsatz", "Minimum net sales"), style="label")
        cell = s.put(0, 1, inputs.min_net_sales, style="money", name="sel_min_net_sales",
                     input=Input(kind="number", minimum=0, title="Mindestumsatz"))
        s.put(1, 0, _t(ctx.lang, "Kunden darüber", "Accounts above"), style="label")
        s.put(1, 1, formula=f'=COUNTIF({accounts.ref(first, col, last, col)},">="&{cell.address})', cached=cached,
              style="integer", name="sel_count")
        return s


@pytest.fixture
def with_selection() -> Iterator[SelectionSheet]:
    kind = register_controller(SelectionSheet(), CONTROLLER_SHEETS, before="cdb_data")  # the one registry line
    try:
        yield kind
    finally:
        CONTROLLER_SHEETS.remove(kind)


# --- the proof -------------------------------------------------------------------------------------------------------

def _count_over(values: dict, threshold: float) -> int:
    """The accounts whose net sales (read back from the accounts sheet) reach ``threshold``, counted here."""
    return sum(row[0] is not None and row[0] >= threshold for row in values["ctl_acc_net_sales"])


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm"])
def test_a_registered_controller_sheet_is_generated_and_its_typed_input_carried(tmp_path: Path, with_selection,
                                                                                suffix: str) -> None:
    db = demo_databook().model_copy(update={"source": "demo"})
    target = tmp_path / f"Controller{suffix}"
    write_controller(db, target, "de", NOW, xlsm_book=controller_xlsm_book)
    assert openpyxl.load_workbook(target).sheetnames[12:15] == ["St. Gallen", "Umsatzfilter", "CDB-Daten"]
    values = read_named(target).values
    assert values["sel_min_net_sales"] == 1_000_000
    assert values["sel_count"] == _count_over(values, 1_000_000)
    assert 0 < values["sel_count"] < len(db.accounts)  # the threshold splits the demo accounts

    # a controller types another threshold and a weight; regeneration keeps both and computes with them
    type_into(target, "sel_min_net_sales", 250_000)
    type_into(target, "res_weight_revenue", 1.0)
    write_controller(db, target, "de", LATER, xlsm_book=controller_xlsm_book)
    values = read_named(target).values
    assert (values["sel_min_net_sales"], values["res_weight_revenue"]) == (250_000, 1.0)
    assert values["sel_count"] == _count_over(values, 250_000) > _count_over(values, 1_000_000)
    assert values["ctl_status"] == (
        "Erzeugt 03.03.2026, 08:00:00 UTC; Einstellungen des alten Controllers übernommen: Gewicht Umsatzanteil; "
        "Eingaben übernommen: Mindestumsatz")

    # a value that breaks the input's rule is not carried: the default comes back and the status names it
    type_into(target, "sel_min_net_sales", -5)
    write_controller(db, target, "de", LATER, xlsm_book=controller_xlsm_book)
    values = read_named(target).values
    assert values["sel_min_net_sales"] == 1_000_000
    assert values["ctl_status"].endswith(
        "; Mindestumsatz = -5 nicht übernommen (erlaubt: Input should be greater than or equal to 0)")


def test_the_registry_is_as_before_after_the_example(tmp_path: Path) -> None:
    assert [k.key for k in CONTROLLER_SHEETS] == KINDS
    book = controller_workbook(demo_databook(), "en", NOW)
    assert [s.name for s in book.sheets] == [
        "Cockpit", "Accounts", "Resources", "KAOP", "Kgb", "Excellence", "Relationships", "Relationship data",
        "Selection", "ABC-XYZ", "Coordination", "Organisation", "St. Gallen", "CDB data", "KAOP data", "Settings"]
    # built in dependency order: each data sheet before the sheet whose formulas read it
    assert [k.key for k in build_order(CONTROLLER_SHEETS)] == [
        "cdb_data", "accounts", "resources", "kaop_data", "kaop", "cockpit", "kgb", "excellence", "relationships",
        "selection", "abc_xyz", "coordination", "organisation", "st_gallen", "settings"]


def test_a_kind_cannot_take_a_key_or_input_that_is_registered_nor_need_an_absent_kind() -> None:
    with pytest.raises(ValueError, match="'kgb' is registered already"):
        register_controller(type("Twin", (SelectionSheet,), {"key": "kgb"})(), list(CONTROLLER_SHEETS))
    clash = type("Clash", (SelectionSheet,), {"key": "clash", "Inputs": type(
        "ClashInputs", (BaseModel,), {"__annotations__": {"w": float},
                                      "w": Field(1.0, alias="res_weight_potential")})})()
    with pytest.raises(ValueError, match=r"inputs \['res_weight_potential'\] belong to another kind"):
        register_controller(clash, list(CONTROLLER_SHEETS))
    with pytest.raises(ValueError, match="'sales_filter' needs 'accounts', which is not registered"):
        build_order([SelectionSheet()])
    loop = [type("A", (SelectionSheet,), {"key": "a", "needs": ("b",)})(),
            type("B", (SelectionSheet,), {"key": "b", "needs": ("a",)})()]
    with pytest.raises(ValueError, match="cycle"):
        build_order(loop)
