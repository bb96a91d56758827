"""Regeneration soak: many ``generate`` cycles with random typing and random structural data-book changes,
checked against an oracle kept here — does every value a KAM typed stay at its key?

    python tools/regen_soak.py --cycles 200 --seed 7 [--accounts KA-001,KA-002,KA-005] [--uno-every 20]

A cycle: (1) the KAM types random values into the account plans — KAOP volumes, prices, shares of wallet and
cost values, Kgb ratings, activity quantities and rates, CDB amounts — with openpyxl (every ``--uno-every``-th
cycle with LibreOffice through ``tests/uno_client.py`` instead); (2) the data book changes: KAOP products,
Kgb criteria and activities are added, removed, reordered and renamed, cost lines removed and added again,
values changed; (3) the plans are regenerated from the changed data book (``kam_xl.batch.generate_plan``);
(4) the oracle reads each new plan by its defined names, maps every input cell to its *key* (product and
quarter, criterion and supplier, activity, cost category and quarter, CDB line) and checks:

* **lost** — a typed value that is neither at its key nor reported as a conflict;
* **moved** — a typed value found at another key;
* **wrong** — an untouched cell that holds neither the new data nor (for a key the data dropped) the old data;
* **refused** — a regeneration that stopped with a problem (the typing here is always valid input, so a
  refusal comes from the data change: the plan is then stuck until someone repairs it by hand);
* **conflicts** — expected where the data changed under a typed value or dropped its key (the regeneration
  must keep the KAM's value and list it); *reported* are those listed with the KAM's value; listed *for values
  no longer at their key* are those about a typed value already counted as moved; *spurious* those listed
  where nothing was typed.

Typed values are unique within the run, so a value found elsewhere is unambiguous. The oracle uses the
product's defined names and the data book's own reader, nothing of the merge it checks. Exit code 0 when
lost, moved, wrong, refused and unreported conflicts are all 0, else 1. This lives in ``tools/`` (next to the demo
data builder), not in ``benchmarks/``: it measures correctness, not time; ``tests/test_regen_soak.py`` runs a
short version in the suite.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kam_xl.batch import PlanResult, generate_plan, plan_filename
from kam_xl.databook import DataBook, demo_databook, read_databook, write_databook
from kam_xl.kaop import COST_CATEGORIES
from kam_xl.text import key_of
from kam_xl.workbook.account_plan import AccountPlanData
from kam_xl.workbook.kaop_sheet import BASIS_WORDS
from kam_xl.workbook.merge import same
from kam_xl.workbook.names import NamedValues, read_named

Key = tuple[Any, ...]
Cell = tuple[str, int, int]  # defined name, row and column inside it
AMOUNTS = ("gross_sales", "deductions", "product_cost", "freight", "development_cost", "production_cost",
           "service_cost", "sales_cost")
UNO_CLIENT = Path(__file__).resolve().parents[1] / "tests" / "uno_client.py"
DEFAULT_ACCOUNTS = ("KA-001", "KA-002", "KA-005")


# --- keys: what each input cell of a plan means ---------------------------------------------------------------

def plan_cells(values: dict[str, Any]) -> dict[Key, tuple[Cell, Any]]:
    """Every checked input cell of a plan (its values by defined name) by key: ``("cdb", line)``,
    ``("act", activity, "quantity"|"rate")``, ``("kgb", segment, criterion, supplier)``,
    ``("kaop", scenario, product, quarter, "volume"|"price"|"sow")``, ``("cost", scenario, category, quarter)``
    → ((name, row, col), value). Rows without a name have no key and are left out."""
    out: dict[Key, tuple[Cell, Any]] = {}
    for line in AMOUNTS:
        out[("cdb", line)] = ((f"cdb_in_{line}", 0, 0), values.get(f"cdb_in_{line}"))
    for r, (name,) in enumerate(values.get("cdb_act_activity") or []):
        if key_of(name) is not None:
            for what, block in (("quantity", "cdb_act_quantity"), ("rate", "cdb_act_rate")):
                out[("act", key_of(name), what)] = ((block, r, 0), values[block][r][0])
    n = 1
    while f"kgb_{n}_segment" in values:
        p, segment = f"kgb_{n}_", key_of(values[f"kgb_{n}_segment"])
        suppliers = values[p + "suppliers"][0]
        for r, (crit,) in enumerate(values[p + "criteria"]):
            for c, sup in enumerate(suppliers):
                if key_of(crit) is not None and key_of(sup) is not None:
                    key = ("kgb", segment, key_of(crit), key_of(sup))
                    out[key] = ((p + "ratings", r, c), values[p + "ratings"][r][c])
        n += 1
    for sc in ("plan", "actual"):
        for r, (product,) in enumerate(values.get(f"kaop_{sc}_products") or []):
            if key_of(product) is None:
                continue
            for q in range(4):
                for what in ("volume", "price", "sow"):
                    block = f"kaop_{sc}_{what}"
                    out[("kaop", sc, key_of(product), q + 1, what)] = ((block, r, q), values[block][r][q])
        for i, category in enumerate(COST_CATEGORIES):
            for q in range(4):
                block = f"kaop_{sc}_cost_value"
                out[("cost", sc, category, q + 1)] = ((block, i, q), values[block][i][q])
    return out


def data_cells(db: DataBook, account_id: str) -> dict[Key, Any]:
    """What the data book says for every key of :func:`plan_cells` (the values a fresh plan shows)."""
    data = AccountPlanData.from_databook(db, account_id)
    out: dict[Key, Any] = {}
    if data.cdb is not None:
        out.update((("cdb", line), getattr(data.cdb, line)) for line in AMOUNTS)
    for a in data.activities:
        out[("act", key_of(a.activity), "quantity")] = a.driver_quantity
        out[("act", key_of(a.activity), "rate")] = a.cost_rate
    for card in data.kgb_cards:
        for sup, ratings in card.ratings.items():
            for crit in card.criteria:
                out[("kgb", key_of(card.segment), key_of(crit.name), key_of(sup))] = ratings.get(crit.name)
    if data.kaop is not None:
        for sc, (products, costs) in (("plan", data.kaop.plan), ("actual", data.kaop.actual)):
            for p in products:
                for what, v in (("volume", p.volume), ("price", p.price), ("sow", p.share_of_wallet)):
                    out[("kaop", sc, key_of(p.product), p.quarter, what)] = v
            for c in costs:
                out[("cost", sc, c.category, c.quarter)] = c.amount if c.amount is not None else c.rate_of_revenue
        # a product of either scenario has a row in both blocks; every cost category has its rows: their empty
        # quarters are keys too (blank in the data), so typing there is not typing into a removed key
        names = {key_of(p.product) for p in [*data.kaop.plan[0], *data.kaop.actual[0]]}
        for sc in ("plan", "actual"):
            for q in (1, 2, 3, 4):
                for product in names:
                    for what in ("volume", "price", "sow"):
                        out.setdefault(("kaop", sc, product, q, what), None)
                for category in COST_CATEGORIES:
                    out.setdefault(("cost", sc, category, q), None)
    return out


# --- the data-book changes ----------------------------------------------------------------------------------

Tables = dict[str, list[dict[str, Any]]]


def _regroup(rows: list[dict[str, Any]], pick: Callable[[dict[str, Any]], bool], group: str,
             change: Callable[[list[str]], list[str]]) -> None:
    """Re-lay the rows ``pick`` selects, grouped by the column ``group``, in the group order ``change`` returns
    (a group left out is removed), at the place of the first selected row."""
    mine = [r for r in rows if pick(r)]
    if not mine:
        return
    at = rows.index(mine[0])
    order = list(dict.fromkeys(r[group] for r in mine))
    new_order = change(order)
    kept = [r for g in new_order for r in mine if r[group] == g]
    rest = [r for r in rows if not pick(r)]
    rows[:] = rest[:at] + kept + rest[at:]


def _insert(rows: list[dict[str, Any]], pick: Callable[[dict[str, Any]], bool], field: str, names: list[str],
            new: str, rng: random.Random) -> int:
    """Move the (already added) rows of ``new`` to a random position among ``names``; returns the position."""
    at = rng.randrange(len(names) + 1)
    order = [*names[:at], new, *names[at:]]
    _regroup(rows, pick, field, lambda _: order)
    return at


def _remove(rows: list[dict[str, Any]], pick: Callable[[dict[str, Any]], bool], field: str, victim: str) -> None:
    _regroup(rows, pick, field, lambda o: [g for g in o if g != victim])


def _reorder(rows: list[dict[str, Any]], pick: Callable[[dict[str, Any]], bool], field: str, names: list[str],
             rng: random.Random) -> list[str]:
    """Shuffle the groups of ``names`` into another order; returns it."""
    order = names[:]
    while order == names:
        rng.shuffle(order)
    _regroup(rows, pick, field, lambda _: order)
    return order


def _rename(rows: list[dict[str, Any]], pick: Callable[[dict[str, Any]], bool], field: str, victim: str,
            cycle: int) -> str:
    new = f"{victim} neu{cycle}"
    for r in rows:
        if pick(r) and r[field] == victim:
            r[field] = new
    return new


def mutate(tables: Tables, account_id: str, rng: random.Random, cycle: int) -> str:
    """One random structural or value change of the account's data; returns what was done, in words."""
    kind = rng.choice(["product", "product", "criterion", "criterion", "activity", "activity", "cost", "value"])
    how = rng.choice(["add", "remove", "reorder", "rename"])
    if kind == "product":
        rows = tables["kaop_products"]
        pick = (lambda r: r["account_id"] == account_id)  # noqa: E731
        names = list(dict.fromkeys(r["product"] for r in rows if pick(r)))
        if how == "add" or len(names) < 2:
            new = f"Produkt S{cycle}-{len(rows)}"  # unique even when added twice in a cycle
            year = next(r["year"] for r in rows if pick(r))
            extra = [{"account_id": account_id, "year": year, "scenario": sc, "quarter": q, "product": new,
                      "volume": float(rng.randint(10, 900)), "price": float(rng.randint(500, 5000)),
                      "share_of_wallet": round(rng.uniform(0.05, 0.9), 3)}
                     for sc, qs in (("plan", (1, 2, 3, 4)), ("actual", (1, 2))) for q in qs]
            rows.extend(extra)
            at = _insert(rows, pick, "product", names, new, rng)
            return f"{account_id}: product {new!r} added at position {at + 1}"
        victim = rng.choice(names)
        if how == "remove":
            _remove(rows, pick, "product", victim)
            return f"{account_id}: product {victim!r} removed"
        if how == "reorder":
            order = _reorder(rows, pick, "product", names, rng)
            return f"{account_id}: products reordered {names} → {order}"
        new = _rename(rows, pick, "product", victim, cycle)
        return f"{account_id}: product {victim!r} renamed {new!r}"
    if kind == "criterion":
        rows = tables["kgb"]
        segments = list(dict.fromkeys(r["segment"] for r in rows if r["account_id"] == account_id))
        segment = rng.choice(segments)
        pick = (lambda r: r["account_id"] == account_id and r["segment"] == segment)  # noqa: E731
        crits = list(dict.fromkeys(r["criterion"] for r in rows if pick(r)))
        weight = {r["criterion"]: r["weight"] for r in rows if pick(r)}
        if how == "add" or len(crits) < 3:
            new = f"Kriterium S{cycle}-{len(rows)}"
            donor = max(crits, key=lambda c: weight[c])
            step = 5.0 if weight[donor] > 5 else weight[donor] / 2
            for r in rows:
                if pick(r) and r["criterion"] == donor:
                    r["weight"] -= step
            suppliers = [(r["supplier"], r["own"]) for r in rows if pick(r) and r["criterion"] == crits[0]]
            rows.extend({"account_id": account_id, "segment": segment, "criterion": new, "weight": step,
                         "supplier": s, "own": own, "rating": float(rng.randrange(0, 101, 5))}
                        for s, own in suppliers)
            at = _insert(rows, pick, "criterion", crits, new, rng)
            return (f"{account_id}/{segment}: criterion {new!r} added at position {at + 1} ({step:g} points from "
                    f"{donor!r})")
        victim = rng.choice(crits)
        if how == "remove":
            heir = rng.choice([c for c in crits if c != victim])
            for r in rows:
                if pick(r) and r["criterion"] == heir:
                    r["weight"] += weight[victim]
            _remove(rows, pick, "criterion", victim)
            return f"{account_id}/{segment}: criterion {victim!r} removed (its weight to {heir!r})"
        if how == "reorder":
            _reorder(rows, pick, "criterion", crits, rng)
            return f"{account_id}/{segment}: criteria reordered"
        new = _rename(rows, pick, "criterion", victim, cycle)
        return f"{account_id}/{segment}: criterion {victim!r} renamed {new!r}"
    if kind == "activity":
        rows = tables["activities"]
        year = max(r["year"] for r in tables["cdb"] if r["account_id"] == account_id)
        pick = (lambda r: r["account_id"] == account_id and r["year"] == year)  # noqa: E731
        names = list(dict.fromkeys(r["activity"] for r in rows if pick(r)))
        if how == "add" or len(names) < 2:
            new = f"Aktivität S{cycle}-{len(rows)}"
            rows.append({"account_id": account_id, "year": year, "activity": new,
                         "stage": rng.choice(["development", "production", "service", "sales"]),
                         "driver_quantity": float(rng.randint(1, 200)), "cost_rate": float(rng.randint(50, 3000))})
            at = _insert(rows, pick, "activity", names, new, rng)
            return f"{account_id}: activity {new!r} added at position {at + 1}"
        victim = rng.choice(names)
        if how == "remove":
            _remove(rows, pick, "activity", victim)
            return f"{account_id}: activity {victim!r} removed"
        if how == "reorder":
            _reorder(rows, pick, "activity", names, rng)
            return f"{account_id}: activities reordered"
        new = _rename(rows, pick, "activity", victim, cycle)
        return f"{account_id}: activity {victim!r} renamed {new!r}"
    if kind == "cost":
        rows = tables["kaop_costs"]
        mine = [r for r in rows if r["account_id"] == account_id and r["scenario"] == "plan"]
        category = rng.choice(COST_CATEGORIES)
        lines = [r for r in mine if r["category"] == category]
        if lines and how in ("remove", "rename"):
            rows[:] = [r for r in rows if not any(r is x for x in lines)]
            return f"{account_id}: plan cost line {category} removed"
        year = next(r["year"] for r in [*tables["kaop_costs"], *tables["kaop_products"]]
                    if r["account_id"] == account_id and r["scenario"] == "plan")
        rows[:] = [r for r in rows if not any(r is x for x in lines)]
        rows.extend({"account_id": account_id, "year": year, "scenario": "plan", "quarter": q, "category": category,
                     "amount": float(rng.randint(1000, 90000)), "rate_of_revenue": None} for q in (1, 2, 3, 4))
        return f"{account_id}: plan cost line {category} (re)added as amounts"
    # a value changes under whatever the KAM may have typed there
    table, column = rng.choice([("kaop_products", "volume"), ("kaop_products", "price"), ("kgb", "rating"),
                                ("activities", "driver_quantity"), ("cdb", "gross_sales"), ("cdb", "freight")])
    mine = [r for r in tables[table] if r["account_id"] == account_id]
    if table == "cdb":
        mine = [max(mine, key=lambda r: r["year"])]
    if not mine:
        return f"{account_id}: no {table} row to change"
    row = rng.choice(mine)
    old = row[column]
    row[column] = (float(rng.randrange(0, 101, 5)) if column == "rating"
                   else round((old or 100) * rng.uniform(0.5, 1.5), 2))
    return f"{account_id}: {table}.{column} {old} → {row[column]} ({', '.join(str(v) for v in list(row.values())[:6])})"


# --- typing -----------------------------------------------------------------------------------------------

@dataclass
class Typed:
    """A value the KAM typed: where, what, and the data's value there when it was typed."""

    key: Key
    name: str
    value: float
    data: Any
    cycle: int


def _fresh(rng: random.Random, used: set[float], low: float, high: float, digits: int) -> float:
    while True:
        v = round(rng.uniform(low, high), digits)
        if v not in used:
            used.add(v)
            return v


def choose_typing(values: dict[str, Any], cells: dict[Key, tuple[Cell, Any]], rng: random.Random,
                  used: set[float], n: int) -> list[tuple[Key, Cell, float]]:
    """``n`` random input cells of a plan and the unique value to type into each."""
    def allowed(key: Key) -> bool:  # a share of wallet needs a volume or a price in its quarter (else refused)
        return not (key[0] == "kaop" and key[-1] == "sow") or any(
            cells.get((*key[:4], what), (None, None))[1] is not None for what in ("volume", "price"))

    keys = sorted((k for k in cells if allowed(k)), key=repr)
    out = []
    for key in rng.sample(keys, min(n, len(keys))):
        cell = cells[key][0]
        if key[0] == "kgb":
            v = _fresh(rng, used, 0, 100, 2)
        elif key[0] == "kaop" and key[-1] == "sow":
            v = _fresh(rng, used, 0.01, 0.99, 5)
        elif key[0] == "cost" and values[f"kaop_{key[1]}_cost_type"][cell[1]][0] in (
                BASIS_WORDS["de"]["rate"], BASIS_WORDS["en"]["rate"]):
            v = _fresh(rng, used, 0.001, 0.9, 6)
        else:
            v = _fresh(rng, used, 1, 500_000, 2)
        out.append((key, cell, v))
    return out


def type_openpyxl(path: Path, nv: NamedValues, typing: list[tuple[Key, Cell, float]]) -> None:
    """Type the values with openpyxl (the file stays an .xlsx LibreOffice and Excel open)."""
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path)
    for _, (name, r, c), v in typing:
        ref = nv.refs[name]
        wb[ref.sheet].cell(row=ref.first_row + r + 1, column=ref.first_col + c + 1).value = v
    wb.save(path)


def type_libreoffice(paths: dict[Path, list[tuple[Key, Cell, float]]], timeout: int = 120) -> list[str]:
    """Type the values with LibreOffice (en-US locale, as a user types them), save as .xlsx in place; returns
    the cells whose stored value differs from the one meant (an empty list when Calc stored each exactly)."""
    tmp = Path(tempfile.mkdtemp(prefix="kam_xl_soak_uno_"))
    try:
        job = {"locale": "en-US", "timeout": timeout, "workbooks": [
            {"path": str(p), "save": [{"path": str(tmp / p.name), "format": "xlsx"}],
             "actions": [{"op": "type", "name": name, "row": r, "col": c, "text": repr(v)}
                         for _, (name, r, c), v in typing]} for p, typing in paths.items()]}
        (tmp / "job.json").write_text(json.dumps(job), encoding="utf-8")
        proc = subprocess.run(["/usr/bin/python3", str(UNO_CLIENT), str(tmp / "job.json")], capture_output=True,
                              timeout=timeout + 15, start_new_session=True)
        report = json.loads(proc.stdout or b"{}")
        if "workbooks" not in report:
            raise RuntimeError(f"LibreOffice client failed: {report.get('error') or proc.stderr.decode()[-500:]}")
        off = [f"{w['path']} {cell['sheet']}!{cell['cell']}: typed {a['text']}, Calc stored {cell['value']!r}"
               for w in report["workbooks"] for cell, a in zip(w["cells"], [c["action"] for c in w["cells"]],
                                                                strict=True)
               if not math.isclose(cell["value"], float(a["text"]), rel_tol=1e-12)]
        for p in paths:
            os.replace(tmp / p.name, p)
        return off
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --- the oracle ---------------------------------------------------------------------------------------------

@dataclass
class Counts:
    cycles: int = 0
    regenerations: int = 0
    refused: int = 0
    typed: int = 0
    typed_libreoffice: int = 0
    checked: int = 0
    kept: int = 0
    lost: int = 0
    moved: int = 0
    wrong: int = 0
    conflicts_expected: int = 0
    conflicts_reported: int = 0
    conflicts_spurious: int = 0
    conflicts_elsewhere: int = 0
    ever_typed: set[float] = field(default_factory=set)
    seen_wrong: set[tuple[Key, Any]] = field(default_factory=set)
    removed_kept: int = 0
    zero_filled: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (self.lost == self.moved == self.wrong == self.refused == 0
                and self.conflicts_reported == self.conflicts_expected)

    def line(self) -> str:
        return (f"cycles {self.cycles}, regenerations {self.regenerations} (refused {self.refused}), typed "
                f"{self.typed} (LibreOffice {self.typed_libreoffice}), checks {self.checked}: kept {self.kept}, "
                f"lost {self.lost}, moved {self.moved}, wrong {self.wrong}; conflicts reported "
                f"{self.conflicts_reported}/{self.conflicts_expected} expected, for values no longer at their key "
                f"{self.conflicts_elsewhere}, spurious {self.conflicts_spurious}; "
                f"removed keys kept in the plan {self.removed_kept}; blanks shown as 0 beside a typed value "
                f"{self.zero_filled}")


def check(result: PlanResult, typed: dict[Key, Typed], before: dict[Key, Any], now: dict[Key, Any],
          cells: dict[Key, tuple[Cell, Any]], cycle: int, changes: list[str], counts: Counts) -> None:
    """Check a regenerated plan (its ``cells`` by key) against the oracle; ``typed`` is updated in place: keys
    whose value is gone (lost, moved or reported as removed) are dropped, the others' data baseline is the
    new data."""
    def fail(kind: str, text: str) -> None:
        counts.failures.append(f"cycle {cycle} [{'; '.join(changes)}] {result.account_id} {kind}: {text}")

    reported = [c for _, _, c in result.conflicts]
    matched: set[int] = set()
    where_value = {}
    for k, (_, v) in cells.items():
        if isinstance(v, float):
            where_value.setdefault(v, []).append(k)
    for key, t in list(typed.items()):
        counts.checked += 1
        hits = [i for i, c in enumerate(reported) if c.name == t.name and same(c.kam, t.value)]
        matched.update(hits)
        removed = key not in now
        data_changed = not removed and not same(now.get(key), t.data) and not same(now.get(key), t.value)
        if removed or data_changed:
            counts.conflicts_expected += 1
            if hits:
                counts.conflicts_reported += 1
            else:
                fail("conflict not reported", f"{key}: KAM typed {t.value} in cycle {t.cycle}; data "
                     f"{t.data!r} → {'(key removed)' if removed else repr(now.get(key))}")
        here = cells.get(key)
        elsewhere = [k for k in where_value.get(t.value, []) if k != key]
        if here is not None and same(here[1], t.value):
            counts.kept += 1
            if removed:
                counts.removed_kept += 1
            t.data = now.get(key)
            if elsewhere:
                counts.moved += 1
                fail("copied", f"{key}: value {t.value} also at {elsewhere}")
            continue
        del typed[key]
        if elsewhere:
            counts.moved += 1
            fail("moved", f"{key}: KAM's {t.value} (typed in cycle {t.cycle}) is now at {elsewhere}; "
                 f"at its key: {here[1] if here else '(no such row)'!r}")
        elif here is None and removed and hits:
            continue  # the key left the plan with the data, and the KAM's value is listed as a conflict
        else:
            counts.lost += 1
            fail("lost", f"{key}: KAM's {t.value} (typed in cycle {t.cycle}) gone; at its key: "
                 f"{here[1] if here else '(no such row)'!r}; data {t.data!r} → {now.get(key, '(removed)')!r}")
    for i, c in enumerate(reported):
        if i in matched:
            continue
        if isinstance(c.kam, float) and c.kam in counts.ever_typed:
            counts.conflicts_elsewhere += 1  # about a typed value already counted as moved or lost
        else:
            counts.conflicts_spurious += 1
            fail("spurious conflict", f"{c.name} row {c.row} col {c.col}: at last generation {c.orig!r}, kept "
                 f"{c.kam!r}, new data {c.data!r} — no value was typed there")
    for key, (_, v) in cells.items():
        if key in typed:
            continue
        allowed = [now.get(key)] + ([before.get(key)] if key not in now else [])
        if not any(same(v, a) for a in allowed) and v not in counts.ever_typed and (key, v) not in counts.seen_wrong:
            counts.seen_wrong.add((key, v))  # a moved typed value is counted once, as moved; others once each
            if key[0] == "kaop" and v == 0 and now.get(key) is None and any(
                    k[:4] == key[:4] for k in typed):  # the quarter counts once a driver is typed: the blank is 0
                counts.zero_filled += 1
                continue
            counts.wrong += 1
            fail("wrong", f"{key}: holds {v!r}, data {now.get(key, '(none)')!r} (before {before.get(key, '(none)')!r})")


def _write(db: DataBook, tables: Tables, folder: Path) -> DataBook:
    write_databook(DataBook(source=str(folder), accounts=db.accounts, tables={**db.tables, **tables}), folder)
    return read_databook(folder)  # what generate reads, validated: a mutation that breaks the rules fails here


def run(cycles: int, seed: int, work: Path, accounts: tuple[str, ...] = DEFAULT_ACCOUNTS, per_cycle: int = 6,
        uno_every: int = 0, log: Callable[[str], None] | None = None) -> Counts:
    """Run the soak (see the module doc) in ``work``; returns the counts and the failures in words."""
    rng = random.Random(seed)
    counts = Counts()
    plans = work / "plans"
    db = demo_databook()
    tables: Tables = {k: [dict(r) for r in v] for k in ("kaop_products", "kaop_costs", "kgb", "activities", "cdb")
                      if (v := db.table(k)) is not None}
    folder = work / "data" / "c000"
    current = _write(db, tables, folder)
    for a in accounts:
        assert generate_plan(str(folder), a, plans).status == "new"
    typed: dict[str, dict[Key, Typed]] = {a: {} for a in accounts}
    used: set[float] = set()
    last = {a: data_cells(current, a) for a in accounts}
    for cycle in range(1, cycles + 1):
        counts.cycles = cycle
        uno = uno_every > 0 and cycle % uno_every == 0
        jobs: dict[Path, list[tuple[Key, Cell, float]]] = {}
        for a in accounts:
            path = plans / plan_filename(current.account(a))
            nv = read_named(path)
            typing = choose_typing(nv.values, plan_cells(nv.values), rng, used, rng.randint(1, per_cycle))
            for key, (name, _, _), v in typing:
                typed[a][key] = Typed(key, name, v, last[a].get(key), cycle)
                counts.ever_typed.add(v)
            counts.typed += len(typing)
            if uno:
                jobs[path] = typing
                counts.typed_libreoffice += len(typing)
            else:
                type_openpyxl(path, nv, typing)
        if jobs:
            counts.failures += [f"cycle {cycle} LibreOffice typing: {x}" for x in type_libreoffice(jobs)]
        changes = [mutate(tables, rng.choice(accounts), rng, cycle) for _ in range(rng.randint(1, 3))]
        previous, folder = folder, work / "data" / f"c{cycle:03d}"
        current = _write(db, tables, folder)
        shutil.rmtree(previous, ignore_errors=True)
        for a in accounts:
            result = generate_plan(str(folder), a, plans)
            counts.regenerations += 1
            if result.status == "error":
                counts.refused += 1
                counts.failures.append(f"cycle {cycle} [{'; '.join(changes)}] {a} refused: {result.problems}")
                continue
            now = data_cells(current, a)
            check(result, typed[a], last[a], now, plan_cells(read_named(result.path).values), cycle, changes, counts)
            last[a] = now
        if log is not None:
            log(f"cycle {cycle}: {'; '.join(changes)} → {counts.line()}")
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--accounts", default=",".join(DEFAULT_ACCOUNTS))
    parser.add_argument("--per-cycle", type=int, default=6, help="at most this many values typed per plan and cycle")
    parser.add_argument("--uno-every", type=int, default=20, help="type with LibreOffice every N-th cycle (0: never)")
    parser.add_argument("--work", type=Path, default=None, help="working folder (default: a temporary one)")
    parser.add_argument("--show", type=int, default=40, help="failures to print")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="kam_xl_soak_"))
    work.mkdir(parents=True, exist_ok=True)
    counts = run(args.cycles, args.seed, work, tuple(args.accounts.split(",")), args.per_cycle, args.uno_every,
                 log=print if args.verbose else None)
    print(counts.line())
    for text in counts.failures[:args.show]:
        print("  •", text)
    if len(counts.failures) > args.show:
        print(f"  … and {len(counts.failures) - args.show} more")
    if args.work is None:
        with contextlib.suppress(OSError):
            shutil.rmtree(work)
    return 0 if counts.ok else 1


if __name__ == "__main__":
    sys.exit(main())
