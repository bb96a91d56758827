"""Generate the kam_xl demo data set (``kam_xl/demo_data/*.csv``).

Story
-----
*Rheinauen Spezialchemie GmbH* is a fictional German mid-sized supplier of process chemicals
(retention aids, sizing agents, fixing agents, defoamers, dyestuffs) to the paper, packaging and
textile industry. Its key account management (KAM) serves 14 key accounts in three sales regions
(Nord, Süd, West); every region also has one "Small Accounts" bucket. All figures are in EUR,
volumes in tonnes. The contribution margin (CDB I–III) years are 2024 and 2025, the operating
plan (KAOP) year is 2026 with actuals for Q1 and Q2. All company and person names are fictional.

Built-in properties (checked by :func:`self_check` on the written files)
-------------------------------------------------------------------------
* 14 key accounts; names include umlauts ("Färberei Donauried GmbH") and ampersands
  ("Holsten Wellpappe GmbH & Co. KG"); no name starts with "=".
* CDB: gross sales 0.8–12 million, deductions 3–9 % of gross, product cost 50–65 % and freight
  3–8 % of net sales. Exactly one account is loss-making after CDB III in 2025 (KA-009
  "Färberei Donauried GmbH": heavy application service and special filling for a shrinking dye
  house; CDB I stays positive). All other accounts have a relative CDB III of 2–15 % in 2025,
  four of them above 10 %.
* Activities: activity-based cost lines for 7 of 14 accounts, 2024 and 2025. They explain part of
  the stage costs: as the data-book format says, they are added to the amount of their stage in
  cdb, so the cdb table carries the stage cost less the activity lines (never below 0).
* Portfolio: potential (customer's demand for our categories in 3–5 years, t), share of wallet and
  margin factor for both years; our 2025 volume = share of wallet × current demand.
* Resources: 17 cells (14 key accounts + 3 Small Accounts buckets). actual_revenue of a key
  account equals its cdb 2025 gross sales, potential equals its portfolio 2025 potential.
  KA-001 "Papierfabrik Weserbogen AG" (a mill that will shut a paper machine) is strongly
  over-resourced: its share of all FTE is ≥ 2.5 × its share of potential (the only such cell).
  KA-003 "Kartonagen Elbmarsch GmbH" (large, growing, low share of wallet) is clearly
  under-served (FTE share ≤ 0.4 × potential share).
* KAOP 2026: two products per account, plan Q1–Q4 with seasonality by business unit, actuals
  Q1–Q2 within ±15 % of plan (volume and price). Costs: sales_staff and tech_service as amounts,
  product_cost, freight and other as rates of revenue; exactly one of amount / rate per row.
  Plan profitability is positive for all accounts except the loss-making KA-009.
* Kgb: one card per account, three accounts with two procurement segments; 4–6 criteria per
  card whose weights (points) sum to exactly 100; our company "Rheinauen" plus 2–3 fictional
  competitors rate on every criterion (complete cards); own = true only for Rheinauen.
* Excellence: three respondents (KAM, Vertriebsleitung, BU-Leitung) × all criteria of
  ``kam_xl/data/excellence_catalogue.json``; 3–5 "n.r." and 2–4 unanswered per respondent,
  several 75/100 ratings without evidence, ≥ 3 criteria with a spread of ≥ 50 points, and the
  BU head rated fewer than half of the SW criteria (thin dimension).

Format: UTF-8, comma, header row, '.' decimal point, no thousands separators, empty cell for
missing values, booleans true/false, fractions as fractions. Money is rounded to 2 decimals, FTE
to 1 decimal, fractions to 4 decimals. The generator uses a fixed seed and only the standard
library, so running it twice gives byte-identical files.

Usage: ``python tools/make_demo_data.py`` (from anywhere; paths are relative to the repo root).
"""

from __future__ import annotations

import csv
import json
import random
import re
import sys
import time
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import demo_org  # tools/ (this script's folder) is on sys.path
import demo_people  # tools/demo_people.py beside this script
import demo_team  # tools/demo_team.py, beside this script (issue 11's tables)
from demo_programme import write_programme

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "kam_xl" / "demo_data"
CATALOGUE = ROOT / "kam_xl" / "data" / "excellence_catalogue.json"
SEED = 20260214
PLAN_YEAR = 2026
CDB_YEARS = (2024, 2025)
OWN = "Rheinauen"

COLUMNS = {
    "accounts": [
        "account_id",
        "name",
        "region",
        "business_unit",
        "kam",
        "currency",
        "plan_year",
        "supplier_role",
        "target_supplier_role",
        "kam_span",
    ],
    "cdb": [
        "account_id",
        "year",
        "gross_sales",
        "deductions",
        "product_cost",
        "freight",
        "development_cost",
        "production_cost",
        "service_cost",
        "sales_cost",
    ],
    "activities": ["account_id", "year", "activity", "stage", "driver_quantity", "cost_rate"],
    "portfolio": ["account_id", "year", "potential", "share_of_wallet", "margin_factor"],
    "resources": [
        "region",
        "account_id",
        "field_sales_fte",
        "inside_sales_fte",
        "tech_service_fte",
        "communication",
        "actual_volume",
        "actual_revenue",
        "potential",
    ],
    "regions": ["region", "market_size"],
    "kaop_products": [
        "account_id",
        "year",
        "scenario",
        "quarter",
        "product",
        "volume",
        "price",
        "share_of_wallet",
    ],
    "kaop_costs": ["account_id", "year", "scenario", "quarter", "category", "amount", "rate_of_revenue"],
    "kgb": ["account_id", "segment", "criterion", "weight", "supplier", "own", "rating"],
    "excellence": ["respondent", "role", "criterion_id", "rating", "evidence"],
}

# ---------------------------------------------------------------------------------------------
# Story parameters per key account
# id, name, region, business unit, KAM, supplier role,
# gross sales 2025 (million EUR), growth 2024->2025, relative CDB III 2025, average price EUR/t,
# share of wallet 2025, potential factor (potential in 3-5 years / current demand),
# resource intensity (1 = normal coverage for the account's revenue)
ACCOUNTS = [
    (
        "KA-001",
        "Papierfabrik Weserbogen AG",
        "Nord",
        "Papier",
        "Jana Petersen",
        "Vorzugslieferant",
        4.6,
        -0.04,
        0.041,
        1950,
        0.72,
        0.70,
        1.6,
    ),
    (
        "KA-002",
        "Holsten Wellpappe GmbH & Co. KG",
        "Nord",
        "Verpackung",
        "Jana Petersen",
        "Stammlieferant",
        7.8,
        0.06,
        0.118,
        1500,
        0.45,
        1.15,
        1.0,
    ),
    (
        "KA-003",
        "Kartonagen Elbmarsch GmbH",
        "Nord",
        "Verpackung",
        "Ole Hansen",
        "gelegentlicher Lieferant",
        1.3,
        0.12,
        0.067,
        1450,
        0.12,
        1.60,
        0.6,
    ),
    (
        "KA-004",
        "Nordsee Feinpapiere GmbH",
        "Nord",
        "Papier",
        "Ole Hansen",
        "Stammlieferant",
        3.1,
        0.03,
        0.088,
        2450,
        0.38,
        1.05,
        1.0,
    ),
    (
        "KA-005",
        "Textilwerke Emsland GmbH",
        "Nord",
        "Textil",
        "Ole Hansen",
        "",
        0.9,
        -0.02,
        0.052,
        2900,
        0.25,
        0.90,
        0.9,
    ),
    (
        "KA-006",
        "Textilveredlung Allgäu GmbH",
        "Süd",
        "Textil",
        "Markus Huber",
        "Vorzugslieferant",
        5.4,
        0.05,
        0.134,
        3300,
        0.55,
        1.10,
        1.0,
    ),
    (
        "KA-007",
        "Papierwerk Isartal AG",
        "Süd",
        "Papier",
        "Markus Huber",
        "Systempartner",
        11.6,
        0.04,
        0.146,
        2100,
        0.68,
        1.10,
        0.9,
    ),
    (
        "KA-008",
        "Schwäbische Faltschachtel GmbH",
        "Süd",
        "Verpackung",
        "Stefanie Brandt",
        "Stammlieferant",
        2.7,
        0.08,
        0.073,
        1650,
        0.31,
        1.20,
        1.0,
    ),
    (
        "KA-009",
        "Färberei Donauried GmbH",
        "Süd",
        "Textil",
        "Stefanie Brandt",
        "Stammlieferant",
        1.9,
        -0.07,
        -0.048,
        3000,
        0.40,
        0.95,
        1.0,
    ),
    (
        "KA-010",
        "Spezialpapiere Chiemgau GmbH",
        "Süd",
        "Papier",
        "Markus Huber",
        "",
        2.2,
        0.10,
        0.094,
        2800,
        0.22,
        1.30,
        0.9,
    ),
    (
        "KA-011",
        "Rheinische Kartonfabrik Müller & Söhne KG",
        "West",
        "Verpackung",
        "Thomas Wagner",
        "Vorzugslieferant",
        6.3,
        0.02,
        0.109,
        1550,
        0.50,
        1.00,
        1.0,
    ),
    (
        "KA-012",
        "Papiermühle Siegtal GmbH",
        "West",
        "Papier",
        "Thomas Wagner",
        "Stammlieferant",
        3.8,
        0.05,
        0.061,
        2250,
        0.35,
        1.10,
        1.1,
    ),
    (
        "KA-013",
        "Sauerland Verpackungen GmbH",
        "West",
        "Verpackung",
        "Lena Schröder",
        "gelegentlicher Lieferant",
        1.6,
        0.15,
        0.028,
        1500,
        0.18,
        1.35,
        1.0,
    ),
    (
        "KA-014",
        "Niederrhein Tuchveredlung AG",
        "West",
        "Textil",
        "Lena Schröder",
        "Stammlieferant",
        2.4,
        0.01,
        0.083,
        3000,
        0.33,
        0.95,
        1.0,
    ),
]
LOSS_ACCOUNT = "KA-009"
OVER_RESOURCED = "KA-001"
UNDER_SERVED = "KA-003"
REGIONS = ["Nord", "Süd", "West"]
# Small Accounts bucket per region: revenue (million EUR), average price EUR/t, potential (t)
SMALL_ACCOUNTS = {"Nord": (4.2, 2100, 9500), "Süd": (5.6, 2300, 12000), "West": (3.5, 2000, 8000)}

ACTIVITY_TYPES = {
    # activity: (stage, cost rate EUR per driver unit 2025, plausible driver quantity per year)
    "Technikumsversuche": ("development", 2400.0, (6, 30)),
    "Musterversand": ("development", 185.0, (20, 120)),
    "Kundenspezifische Rezepturanpassung": ("development", 3200.0, (4, 15)),
    "Sonderabfüllung": ("production", 42.5, (200, 1500)),
    "Kleinchargenfertigung": ("production", 680.0, (10, 60)),
    "Anwendungstechnische Besuche": ("service", 950.0, (24, 150)),
    "Schulungen beim Kunden": ("service", 1800.0, (4, 16)),
    "Jahresgespräche und Lieferantentage": ("sales", 1250.0, (4, 12)),
}
ACTIVITY_PLAN = {
    "KA-001": ["Anwendungstechnische Besuche", "Jahresgespräche und Lieferantentage"],
    "KA-003": ["Musterversand"],
    "KA-006": ["Technikumsversuche", "Schulungen beim Kunden"],
    "KA-007": ["Technikumsversuche", "Sonderabfüllung", "Anwendungstechnische Besuche"],
    "KA-009": ["Anwendungstechnische Besuche", "Sonderabfüllung", "Kleinchargenfertigung"],
    "KA-011": ["Kundenspezifische Rezepturanpassung", "Musterversand"],
    "KA-013": ["Musterversand", "Jahresgespräche und Lieferantentage"],
}

PRODUCTS = {
    "Papier": [
        ("Retentionsmittel RM 40", 2300),
        ("Leimungsmittel AKD 7", 1650),
        ("Fixiermittel FX 12", 2100),
        ("Entschäumer DF 3", 2900),
    ],
    "Verpackung": [
        ("Leimungsmittel AKD 7", 1650),
        ("Nassfestmittel NF 25", 1900),
        ("Retentionsmittel RM 40", 2300),
        ("Entschäumer DF 3", 2900),
    ],
    "Textil": [("Farbstoff Blau 86", 9800), ("Fixiermittel FX 12", 2100), ("Egalisiermittel EG 9", 3400)],
}
SEASONALITY = {  # quarterly weights of the year volume
    "Papier": [0.25, 0.25, 0.24, 0.26],
    "Verpackung": [0.23, 0.24, 0.25, 0.28],
    "Textil": [0.27, 0.22, 0.28, 0.23],
}

SEGMENTS = {
    "Papier": ["Retentionssysteme", "Leimung"],
    "Verpackung": ["Leimung", "Nassfestausrüstung"],
    "Textil": ["Farbstoffe", "Textilhilfsmittel"],
}
TWO_SEGMENT_ACCOUNTS = {"KA-002", "KA-007", "KA-011"}
KGB_CRITERIA = [
    "Leistungsfähigkeit des Systems",
    "Sicherheit des Systems",
    "Preis",
    "Normung nach Standards",
    "Lieferzuverlässigkeit",
    "Technischer Service",
    "Anwendungstechnische Beratung",
    "Nachhaltigkeit",
]
# rating profile per supplier: general level and criterion-specific offsets
SUPPLIER_PROFILES = {
    OWN: (72, {"Technischer Service": 12, "Anwendungstechnische Beratung": 10, "Preis": -12}),
    "Nordchem": (66, {"Preis": 14, "Technischer Service": -10, "Nachhaltigkeit": -8}),
    "Polytex Chemicals": (64, {"Lieferzuverlässigkeit": -8, "Preis": 6}),
    "BaSiCo": (
        74,
        {
            "Leistungsfähigkeit des Systems": 10,
            "Normung nach Standards": 10,
            "Preis": -14,
            "Technischer Service": -6,
        },
    ),
}
ROLE_BONUS = {
    "": -8,
    "gelegentlicher Lieferant": -6,
    "Stammlieferant": 0,
    "Vorzugslieferant": 6,
    "Systempartner": 10,
}

RESPONDENTS = [  # name, role, bias in points, n.r. count, unanswered count
    ("Dr. Claudia Reimann", "KAM", 8, 4, 2),
    ("Frank Oberdorf", "Vertriebsleitung", 0, 5, 3),
    ("Sabine Kettler", "BU-Leitung", -6, 4, 3),
]
THIN = ("BU-Leitung", "SW")  # respondent role and dimension rated on fewer than half its criteria
DIMENSION_LEVEL = {"SW": 60, "OS": 45, "LM": 55, "BP": 68}
EVIDENCE = {
    "SW": [
        "KAM-Strategie 2026 vom Vorstand verabschiedet",
        "Auswahlkriterien für Key Accounts dokumentiert",
        "Kundenportfolio im Jahresgespräch",
        "Strategiepapier Vertrieb 2025–2028",
        "Key-Account-Liste jährlich überprüft",
    ],
    "OS": [
        "Organigramm KAM-Team liegt vor",
        "Rollenbeschreibung Key Account Manager",
        "Zielvereinbarungen mit KAM-Komponente",
        "Monatliches KAM-Review mit Vertriebsleitung",
        "Ressourcenverteilung 2025 ausgewertet",
    ],
    "LM": [
        "CDB-III-Rechnung 2025 liegt vor",
        "KAOP 2026 für alle Key Accounts erstellt",
        "Kgb-Bewertung mit drei Kunden durchgeführt",
        "Quartalsreview Plan/Ist im CRM",
        "Prozesskostensätze Anwendungstechnik 2025",
    ],
    "BP": [
        "Kontaktmatrix im CRM gepflegt",
        "Buying-Center-Analyse für Top-5-Kunden",
        "Kundenzufriedenheitsbefragung 2025",
        "Lieferantentag 2025 durchgeführt",
        "Besuchsberichte im CRM",
    ],
}


# ---------------------------------------------------------------------------------------------
# number formatting
def _q(x: float | Decimal, places: int) -> Decimal:
    d = x if isinstance(x, Decimal) else Decimal(repr(float(x)))
    return d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def money(x: float | Decimal) -> str:
    return format(_q(x, 2), "f")


def one_dec(x: float | Decimal) -> str:
    """FTE and tonnes: 1 decimal."""
    return format(_q(x, 1), "f")


def frac(x: float | Decimal) -> str:
    """Fraction rounded to 4 decimals, trailing zeros dropped (0.25, not 0.2500)."""
    d = _q(x, 4).normalize()
    s = format(d, "f")
    return "0" if s in ("-0", "0") else s


def r2(x: float) -> float:
    return float(_q(x, 2))


def r1(x: float) -> float:
    return float(_q(x, 1))


def r4(x: float) -> float:
    return float(_q(x, 4))


def write_table(name: str, rows: list[list]) -> Path:
    path = OUT_DIR / f"{name}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS[name])
        for row in rows:
            assert len(row) == len(COLUMNS[name]), (name, row)
            w.writerow(["" if v is None else v for v in row])
    return path


# ---------------------------------------------------------------------------------------------
# generators
def gen_accounts() -> list[list]:
    return [[a[0], a[1], a[2], a[3], a[4], "EUR", PLAN_YEAR, a[5], demo_team.target_role(a[5]), demo_org.KAM_SPAN[a[0]]]
            for a in ACCOUNTS]


def gen_cdb(rng: random.Random) -> tuple[list[list], dict]:
    """Return cdb rows and {(account, year): {column: float}} for later use."""
    rows, values = [], {}
    for a in ACCOUNTS:
        acc, gross25, growth, rel3_25 = a[0], a[6] * 1e6, a[7], a[8]
        for year in CDB_YEARS:
            if year == 2025:
                gross, rel3 = gross25 * rng.uniform(0.985, 1.015), rel3_25
            else:
                gross = gross25 / (1 + growth) * rng.uniform(0.99, 1.01)
                rel3 = 0.012 if acc == LOSS_ACCOUNT else rel3_25 + rng.uniform(-0.012, 0.012)
            gross = r2(gross)
            deductions = r2(gross * rng.uniform(0.035, 0.085))
            net = gross - deductions
            pc_rate = rng.uniform(0.52, 0.63)
            fr_rate = rng.uniform(0.035, 0.075)
            if acc == LOSS_ACCOUNT:  # long transports of small lots
                fr_rate = 0.072
            product_cost = r2(net * pc_rate)
            freight = r2(net * fr_rate)
            cdb1 = net - product_cost - freight
            remaining = cdb1 - rel3 * net  # customer-specific costs below CDB I
            if acc == LOSS_ACCOUNT:
                shares = [0.10, 0.22, 0.45]
            else:
                shares = [rng.uniform(0.12, 0.22), rng.uniform(0.15, 0.25), rng.uniform(0.22, 0.32)]
            dev, prod, serv = (r2(remaining * s) for s in shares)
            sales = r2(remaining - dev - prod - serv)
            v = {
                "gross_sales": gross,
                "deductions": deductions,
                "product_cost": product_cost,
                "freight": freight,
                "development_cost": dev,
                "production_cost": prod,
                "service_cost": serv,
                "sales_cost": sales,
            }
            values[(acc, year)] = v
            rows.append([acc, year] + [money(v[c]) for c in COLUMNS["cdb"][2:]])
    return rows, values


def gen_activities(rng: random.Random, cdb: dict) -> list[list]:
    stage_col = {
        "development": "development_cost",
        "production": "production_cost",
        "service": "service_cost",
        "sales": "sales_cost",
    }
    rows = []
    for acc, acts in ACTIVITY_PLAN.items():
        for year in CDB_YEARS:
            per_stage = defaultdict(int)
            for act in acts:
                per_stage[ACTIVITY_TYPES[act][0]] += 1
            for act in acts:
                stage, rate, (lo, hi) = ACTIVITY_TYPES[act]
                rate = rate * (1.0 if year == 2025 else 0.97)  # cost rates rose by ~3 %
                if acc == LOSS_ACCOUNT:  # the loss-making account uses the upper end
                    lo = (lo + hi) // 2
                budget = cdb[(acc, year)][stage_col[stage]] * 0.6 / per_stage[stage]
                qty = max(1, min(rng.randint(lo, hi), int(budget // rate)))
                rows.append([acc, year, act, stage, qty, money(rate)])
    return rows


def net_of_activities(cdb_rows: list[list], act_rows: list[list]) -> list[list]:
    """The data book adds activity lines to the amount of their stage: take them out of the cdb amounts so
    that the stage totals stay what the story intends."""
    column = {s: COLUMNS["cdb"].index(f"{s}_cost") for s in ("development", "production", "service", "sales")}
    out = [list(r) for r in cdb_rows]
    index = {(r[0], r[1]): r for r in out}
    for acc, year, _act, stage, qty, rate in act_rows:
        row = index[(acc, year)]
        row[column[stage]] = money(Decimal(row[column[stage]]) - Decimal(qty) * Decimal(rate))
    return out


def gen_portfolio(rng: random.Random, cdb: dict) -> tuple[list[list], dict]:
    rows, info = [], {}
    for a in ACCOUNTS:
        acc, price, sow25, pot_factor, rel3 = a[0], a[9], a[10], a[11], a[8]
        base_mf = min(1.28, max(0.82, 1.0 + (rel3 - 0.08) * 2.5))
        for year in CDB_YEARS:
            if year == 2025:
                sow, pf, p = sow25, pot_factor, price
                mf = base_mf
            else:
                sow = sow25 - rng.uniform(-0.03, 0.04)
                pf = pot_factor + rng.uniform(-0.06, 0.06)
                if acc == OVER_RESOURCED:  # machine shutdown announced in 2025
                    pf = pot_factor + 0.25
                p = price * 0.975
                mf = base_mf + rng.uniform(-0.04, 0.04)
            if acc == LOSS_ACCOUNT and year == 2024:
                mf = 0.95
            volume = r1(cdb[(acc, year)]["gross_sales"] / p)
            demand = volume / sow
            potential = round(demand * pf)
            sow = r4(volume / demand)
            info[(acc, year)] = {"volume": volume, "potential": potential, "sow": sow}
            rows.append([acc, year, potential, frac(sow), frac(round(mf, 2))])
    return rows, info


def gen_resources(rng: random.Random, cdb: dict, portfolio: dict) -> tuple[list[list], list[list]]:
    cells = []  # (region, account_id, revenue, volume, potential, intensity, business unit)
    for region in REGIONS:
        for a in ACCOUNTS:
            if a[2] != region:
                continue
            acc = a[0]
            cells.append(
                (
                    region,
                    acc,
                    cdb[(acc, 2025)]["gross_sales"],
                    portfolio[(acc, 2025)]["volume"],
                    portfolio[(acc, 2025)]["potential"],
                    a[12],
                    a[3],
                )
            )
        rev_m, price, pot = SMALL_ACCOUNTS[region]
        revenue = r2(rev_m * 1e6 * rng.uniform(0.98, 1.02))
        cells.append((region, "", revenue, r1(revenue / price), pot, 1.0, "Small"))
    rows = []
    market = defaultdict(float)
    for region, acc, revenue, volume, pot, intensity, bu in cells:
        # coverage grew historically with revenue and, to a lesser degree, with potential
        total = intensity * (0.5 * (revenue / 1e6) ** 0.8 + 0.09 * pot / 1000)
        if bu == "Small":
            field, inside, tech = 0.40 * total, 0.45 * total, 0.15 * total
        elif bu == "Textil":
            field, inside, tech = 0.40 * total, 0.20 * total, 0.40 * total
        else:
            field, inside, tech = 0.48 * total, 0.22 * total, 0.30 * total
        jitter = [rng.uniform(0.9, 1.1) for _ in range(3)]
        field, inside, tech = (
            max(0.1, r1(x * j)) for x, j in zip((field, inside, tech), jitter, strict=True)
        )
        communication = r2(round(revenue * rng.uniform(0.003, 0.007), -2))
        rows.append(
            [
                region,
                acc,
                one_dec(field),
                one_dec(inside),
                one_dec(tech),
                money(communication),
                one_dec(volume),
                money(revenue),
                pot,
            ]
        )
        market[region] += pot
    region_rows = [[r, int(round(market[r] * f, -3))] for r, f in zip(REGIONS, (1.9, 1.7, 2.1), strict=True)]
    return rows, region_rows


def _split_weights(rng: random.Random, n: int, points: int = 100, step: int = 5) -> list[int]:
    """n positive integer weights (multiples of step) summing exactly to points."""
    units = points // step
    raw = [rng.uniform(1.0, 4.0) for _ in range(n)]
    scaled = [r / sum(raw) * (units - n) for r in raw]  # every criterion gets at least one unit
    base = [int(s) for s in scaled]
    rest = units - n - sum(base)
    order = sorted(range(n), key=lambda i: (scaled[i] - base[i], -i), reverse=True)
    for i in order[:rest]:
        base[i] += 1
    return [(b + 1) * step for b in base]


def gen_kgb(rng: random.Random) -> list[list]:
    rows = []
    competitors = ["Nordchem", "Polytex Chemicals", "BaSiCo"]
    for a in ACCOUNTS:
        acc, bu, role = a[0], a[3], a[5]
        segments = SEGMENTS[bu] if acc in TWO_SEGMENT_ACCOUNTS else SEGMENTS[bu][:1]
        for seg in segments:
            n = rng.choice([4, 5, 5, 6])
            others = [c for c in KGB_CRITERIA if c not in ("Leistungsfähigkeit des Systems", "Preis")]
            crits = ["Leistungsfähigkeit des Systems", "Preis", *rng.sample(others, n - 2)]
            crits.sort(key=KGB_CRITERIA.index)
            weights = _split_weights(rng, n)
            comps = (
                competitors
                if rng.random() < 0.5
                else sorted(rng.sample(competitors, 2), key=competitors.index)
            )
            suppliers = [OWN, *comps]
            for crit, weight in zip(crits, weights, strict=True):
                for sup in suppliers:
                    level, offsets = SUPPLIER_PROFILES[sup]
                    score = level + offsets.get(crit, 0) + rng.uniform(-12, 12)
                    if sup == OWN:
                        score += ROLE_BONUS[role]
                    rating = int(min(100, max(0, 5 * round(score / 5))))
                    rows.append([acc, seg, crit, weight, sup, "true" if sup == OWN else "false", rating])
    return rows


def gen_kaop(rng: random.Random, cdb: dict, portfolio: dict) -> tuple[list[list], list[list]]:
    prod_rows, cost_rows = [], []
    for a in ACCOUNTS:
        acc, bu, rel3 = a[0], a[3], a[8]
        growth = rng.uniform(0.0, 0.07) if acc != LOSS_ACCOUNT else -0.05
        revenue_year = cdb[(acc, 2025)]["gross_sales"] * (1 + growth)
        products = rng.sample(PRODUCTS[bu], 2)
        split = rng.uniform(0.55, 0.7)
        sow_acc = portfolio[(acc, 2025)]["sow"]
        plan_rev = [0.0] * 4
        act_rev = [0.0] * 2
        for k, (product, list_price) in enumerate(products):
            rev = revenue_year * (split if k == 0 else 1 - split)
            price = round(list_price * rng.uniform(0.94, 1.06), -1)
            step_q3 = rng.choice([0.0, 0.0, 0.015, 0.02, -0.01])
            prices = [price, price, round(price * (1 + step_q3), -1), round(price * (1 + step_q3), -1)]
            season = [w * rng.uniform(0.96, 1.04) for w in SEASONALITY[bu]]
            season = [w / sum(season) for w in season]
            volume_year = rev / price
            sow = min(0.95, max(0.05, sow_acc + rng.uniform(-0.1, 0.1)))
            sow_step = rng.choice([0.0, 0.005, 0.01]) if growth > 0.02 else 0.0
            for qtr in range(4):
                vol = r1(volume_year * season[qtr])
                s = r4(round(sow + qtr * sow_step, 3))
                prod_rows.append(
                    [acc, PLAN_YEAR, "plan", qtr + 1, product, one_dec(vol), money(prices[qtr]), frac(s)]
                )
                plan_rev[qtr] += vol * prices[qtr]
                if qtr < 2:
                    avol = r1(vol * rng.uniform(0.88, 1.12))
                    aprice = round(prices[qtr] * rng.uniform(0.98, 1.02), -1)
                    asow = r4(min(0.99, max(0.01, s + rng.uniform(-0.03, 0.03))))
                    prod_rows.append(
                        [
                            acc,
                            PLAN_YEAR,
                            "actual",
                            qtr + 1,
                            product,
                            one_dec(avol),
                            money(aprice),
                            frac(round(asow, 3)),
                        ]
                    )
                    act_rev[qtr] += avol * aprice
        pc = round(rng.uniform(0.55, 0.62), 3)
        fr = round(rng.uniform(0.045, 0.075), 3)
        oth = round(rng.uniform(0.035, 0.075), 3)
        target = -0.035 if acc == LOSS_ACCOUNT else max(0.02, rel3 + rng.uniform(0.0, 0.015))
        fixed_year = sum(plan_rev) * (1 - pc - fr - oth - target)
        staff_share = rng.uniform(0.4, 0.55)
        staff_w = [rng.uniform(0.95, 1.05) for _ in range(4)]
        tech_w = [rng.uniform(0.7, 1.3) for _ in range(4)]
        staff = [round(fixed_year * staff_share * w / sum(staff_w), -2) for w in staff_w]
        tech = [round(fixed_year * (1 - staff_share) * w / sum(tech_w), -2) for w in tech_w]
        for scenario, quarters in (("plan", range(4)), ("actual", range(2))):
            for qtr in quarters:
                if scenario == "plan":
                    amounts = {"sales_staff": staff[qtr], "tech_service": tech[qtr]}
                    rates = {"product_cost": pc, "freight": fr, "other": oth}
                else:
                    amounts = {
                        "sales_staff": round(staff[qtr] * rng.uniform(0.95, 1.08), -2),
                        "tech_service": round(tech[qtr] * rng.uniform(0.85, 1.2), -2),
                    }
                    rates = {
                        "product_cost": round(pc + rng.uniform(-0.01, 0.01), 3),
                        "freight": round(fr + rng.uniform(-0.005, 0.005), 3),
                        "other": round(oth + rng.uniform(-0.005, 0.005), 3),
                    }
                for cat in ("sales_staff", "tech_service", "freight", "product_cost", "other"):
                    if cat in amounts:
                        cost_rows.append([acc, PLAN_YEAR, scenario, qtr + 1, cat, money(amounts[cat]), ""])
                    else:
                        cost_rows.append([acc, PLAN_YEAR, scenario, qtr + 1, cat, "", frac(rates[cat])])
    return prod_rows, cost_rows


# ---------------------------------------------------------------------------------------------
# excellence questionnaire
def _collect_ids(node, out: list[str]) -> None:
    """Collect criterion ids (e.g. "SW-2.1") in document order from any JSON structure."""
    if isinstance(node, dict):
        crits = node.get("criteria")
        if isinstance(crits, list) and crits and all(isinstance(c, dict) for c in crits):
            for c in crits:
                cid = c.get("id") or c.get("criterion_id")
                if isinstance(cid, str) and cid not in out:
                    out.append(cid)
            return
        for value in node.values():
            _collect_ids(value, out)
    elif isinstance(node, list):
        for value in node:
            _collect_ids(value, out)


def load_catalogue_ids(wait: bool = True) -> list[str]:
    deadline = time.monotonic() + 30 * 60
    while not CATALOGUE.exists():
        if not wait or time.monotonic() > deadline:
            raise SystemExit(f"catalogue not found: {CATALOGUE}")
        print(f"waiting for {CATALOGUE.relative_to(ROOT)} ...", flush=True)
        time.sleep(60)
    data = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    ids: list[str] = []
    _collect_ids(data, ids)
    if not ids:  # fall back: any string value that looks like a criterion id
        ids = list(dict.fromkeys(re.findall(r'"((?:SW|OS|LM|BP)-\d+\.\d+)"', CATALOGUE.read_text("utf-8"))))
    return ids


def dimension_of(cid: str) -> str:
    return cid.split("-", 1)[0]


def gen_excellence(rng: random.Random, ids: list[str]) -> list[list]:
    by_dim = defaultdict(list)
    for cid in ids:
        by_dim[dimension_of(cid)].append(cid)
    truth = {cid: DIMENSION_LEVEL.get(dimension_of(cid), 55) + rng.gauss(0, 15) for cid in ids}

    # n.r. and unanswered sets; two criteria are "not relevant" for everybody (no export business)
    common_nr = rng.sample([c for c in ids if dimension_of(c) != THIN[1]], 2)
    thin_dim = by_dim[THIN[1]]
    thin_skip = rng.sample(thin_dim, len(thin_dim) // 2 + 1)  # leaves fewer than half rated
    plan = {}
    taken: set[str] = set(common_nr) | set(thin_skip)
    for _name, role, _bias, n_nr, n_empty in RESPONDENTS:
        if role == THIN[0]:
            nr = list(thin_skip[: n_nr - 1])
            empty = list(thin_skip[n_nr - 1 :])
            nr += rng.sample([c for c in ids if c not in taken], 1)
            empty += rng.sample([c for c in ids if c not in taken | set(nr)], max(0, n_empty - len(empty)))
        else:
            pool = [c for c in ids if c not in taken]
            nr = common_nr + rng.sample(pool, n_nr - 2)
            empty = rng.sample([c for c in pool if c not in nr], n_empty)
        taken |= set(nr) | set(empty)
        plan[role] = (set(nr), set(empty))

    # criteria with a spread of >= 50 points (ratings KAM, Vertriebsleitung, BU-Leitung)
    disputed_pool = [c for c in ids if c not in taken]
    disputed = dict(
        zip(
            rng.sample(disputed_pool, 4),
            [(100, 75, 25), (25, 50, 75), (75, 25, 50), (100, 50, 50)],
            strict=True,
        )
    )

    rows = []
    for idx, (name, role, bias, _n_nr, _n_empty) in enumerate(RESPONDENTS):
        nr, empty = plan[role]
        ratings = {}
        for cid in ids:
            if cid in nr or cid in empty:
                continue
            if cid in disputed:
                ratings[cid] = disputed[cid][idx]
            else:
                score = truth[cid] + bias + rng.gauss(0, 8)
                ratings[cid] = int(min(100, max(0, 25 * round(score / 25))))
        # 3-5 high ratings (75/100) per respondent come without evidence
        high = [c for c, v in ratings.items() if v >= 75]
        no_evidence = set(rng.sample(high, min(len(high), rng.randint(3, 5))))
        for cid in ids:
            if cid in nr:
                rows.append([name, role, cid, "n.r.", ""])
                continue
            if cid in empty:
                rows.append([name, role, cid, "", ""])
                continue
            rating = ratings[cid]
            if rating >= 75:
                with_evidence = cid not in no_evidence
            elif rating >= 50:
                with_evidence = rng.random() < 0.6
            else:
                with_evidence = rng.random() < 0.15
            evidence = rng.choice(EVIDENCE.get(dimension_of(cid), EVIDENCE["LM"])) if with_evidence else ""
            rows.append([name, role, cid, str(rating), evidence])
    return rows


# ---------------------------------------------------------------------------------------------
# self-check on the written files
def _read(name: str) -> list[dict]:
    with (OUT_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == COLUMNS[name], (name, reader.fieldnames)
        return list(reader)


def self_check(catalogue_ids: list[str]) -> list[str]:
    D = Decimal
    errors: list[str] = []
    lines: list[str] = []

    def check(cond: bool, msg: str) -> None:
        if not cond:
            errors.append(msg)

    accounts = _read("accounts")
    names = {r["account_id"]: r["name"] for r in accounts}
    lines.append(f"accounts: {len(accounts)} key accounts in {len({r['region'] for r in accounts})} regions")
    check(len(accounts) == 14, "expected 14 accounts")
    check(any(ch in n for n in names.values() for ch in "äöüÄÖÜß"), "no umlaut in names")
    check(any("&" in n for n in names.values()), "no ampersand in names")
    check(not any(n.startswith("=") for n in names.values()), "name starts with '='")
    roles = {"", "gelegentlicher Lieferant", "Stammlieferant", "Vorzugslieferant", "Systempartner"}
    check(all(r["supplier_role"] in roles for r in accounts), "bad supplier_role")

    # CDB
    cdb = {
        (r["account_id"], int(r["year"])): {k: D(v) for k, v in r.items() if k not in ("account_id", "year")}
        for r in _read("cdb")
    }
    check(len(cdb) == 28, "cdb must have 14 accounts x 2 years")
    for r in _read("activities"):
        amount = cdb[(r["account_id"], int(r["year"]))][f"{r['stage']}_cost"]
        check(amount >= 0, f"cdb {r['stage']}_cost below 0 for {r['account_id']} {r['year']}")
        cdb[(r["account_id"], int(r["year"]))][f"{r['stage']}_cost"] = amount + D(r["driver_quantity"]) * D(
            r["cost_rate"]
        )
    rel3_25 = {}
    for (acc, year), v in cdb.items():
        check(all(x >= 0 for x in v.values()), f"negative amount in cdb {acc} {year}")
        gross = v["gross_sales"]
        net = gross - v["deductions"]
        cdb1 = net - v["product_cost"] - v["freight"]
        cdb3 = cdb1 - v["development_cost"] - v["production_cost"] - v["service_cost"] - v["sales_cost"]
        check(D("800000") <= gross <= D("12000000"), f"gross sales out of range {acc} {year}")
        check(D("0.03") <= v["deductions"] / gross <= D("0.09"), f"deductions out of range {acc} {year}")
        check(D("0.50") <= v["product_cost"] / net <= D("0.65"), f"product cost out of range {acc} {year}")
        check(D("0.03") <= v["freight"] / net <= D("0.08"), f"freight out of range {acc} {year}")
        check(cdb1 > 0, f"CDB I not positive {acc} {year}")
        if year == 2025:
            rel3_25[acc] = (cdb3, cdb3 / net)
    losers = [a for a, (c3, _) in rel3_25.items() if c3 < 0]
    check(losers == [LOSS_ACCOUNT], f"loss-making accounts 2025: {losers}")
    others = [rel for a, (_, rel) in rel3_25.items() if a not in losers]
    check(sum(rel > D("0.10") for rel in others) >= 2, "need >= 2 accounts above 10 %")
    check(sum(D(0) < rel <= D("0.10") for rel in others) >= 2, "need >= 2 accounts in 0-10 %")
    check(all(D("0.02") <= rel <= D("0.15") for rel in others), "relative CDB III outside 2-15 %")
    for acc in losers:
        c3, rel = rel3_25[acc]
        lines.append(f"loss-making 2025: {acc} {names[acc]}: CDB III {c3:.2f} EUR ({rel * 100:.1f} % of net)")
    lines.append(
        f"relative CDB III 2025: {sum(r > D('0.10') for r in others)} accounts > 10 %, "
        f"{sum(D(0) < r <= D('0.10') for r in others)} in 0-10 %, {len(losers)} < 0"
    )

    # activities
    acts = _read("activities")
    stage_col = {
        "development": "development_cost",
        "production": "production_cost",
        "service": "service_cost",
        "sales": "sales_cost",
    }
    per_stage = defaultdict(D)
    for r in acts:
        check(r["stage"] in stage_col, f"bad stage {r['stage']}")
        per_stage[(r["account_id"], int(r["year"]), r["stage"])] += D(r["driver_quantity"]) * D(
            r["cost_rate"]
        )
    for (acc, year, stage), cost in per_stage.items():
        check(cost <= cdb[(acc, year)][stage_col[stage]], f"activities exceed cdb {acc} {year} {stage}")
    lines.append(f"activities: {len(acts)} lines for {len({r['account_id'] for r in acts})} accounts")

    # portfolio
    port = _read("portfolio")
    check(len(port) == 28, "portfolio must have 14 accounts x 2 years")
    for r in port:
        check(D(0) <= D(r["share_of_wallet"]) <= D(1), f"share of wallet out of range {r}")
        check(D("0.8") <= D(r["margin_factor"]) <= D("1.3"), f"margin factor out of range {r}")
    pot25 = {r["account_id"]: D(r["potential"]) for r in port if r["year"] == "2025"}

    # resources
    res = _read("resources")
    fte_cols = ["field_sales_fte", "inside_sales_fte", "tech_service_fte"]
    for r in res:
        for c in fte_cols:
            check(D(r[c]) == D(r[c]).quantize(D("0.1")), f"FTE not a multiple of 0.1: {r}")
        if r["account_id"]:
            check(
                D(r["actual_revenue"]) == cdb[(r["account_id"], 2025)]["gross_sales"],
                f"actual revenue != cdb gross 2025 for {r['account_id']}",
            )
            check(
                D(r["potential"]) == pot25[r["account_id"]], f"potential != portfolio 2025 {r['account_id']}"
            )
    check(
        sorted(r["region"] for r in res if not r["account_id"]) == sorted(REGIONS), "small accounts buckets"
    )
    total_fte = sum(D(r[c]) for r in res for c in fte_cols)
    total_pot = sum(D(r["potential"]) for r in res)
    ratio = {}
    for r in res:
        fte = sum(D(r[c]) for c in fte_cols)
        ratio[r["account_id"] or f"Small Accounts {r['region']}"] = (fte / total_fte) / (
            D(r["potential"]) / total_pot
        )
    over = [k for k, v in ratio.items() if v >= D("2.5")]
    check(over == [OVER_RESOURCED], f"over-resourced cells: {over}")
    check(ratio[UNDER_SERVED] <= D("0.4"), f"{UNDER_SERVED} not clearly under-served")
    field_total = sum(D(r["field_sales_fte"]) for r in res)
    for r in res:
        if r["account_id"] == OVER_RESOURCED:
            field_ratio = (D(r["field_sales_fte"]) / field_total) / (D(r["potential"]) / total_pot)
    lines.append(
        f"over-resourced: {OVER_RESOURCED} {names[OVER_RESOURCED]}: FTE share / potential share = "
        f"{ratio[OVER_RESOURCED]:.2f} (field sales only {field_ratio:.2f})"
    )
    lines.append(
        f"under-served: {UNDER_SERVED} {names[UNDER_SERVED]}: FTE share / potential share = "
        f"{ratio[UNDER_SERVED]:.2f}"
    )
    lines.append(f"resources: {len(res)} cells, {total_fte} FTE, potential {total_pot} t")
    regions = {r["region"]: D(r["market_size"]) for r in _read("regions")}
    for reg in REGIONS:
        check(regions[reg] > sum(D(r["potential"]) for r in res if r["region"] == reg), f"market size {reg}")

    # KAOP
    prods = _read("kaop_products")
    costs = _read("kaop_costs")
    plan = {(r["account_id"], r["quarter"], r["product"]): r for r in prods if r["scenario"] == "plan"}
    revenue = defaultdict(D)
    for r in prods:
        check(r["year"] == str(PLAN_YEAR), "kaop year")
        revenue[(r["account_id"], r["scenario"], r["quarter"])] += D(r["volume"]) * D(r["price"])
        if r["scenario"] == "actual":
            p = plan[(r["account_id"], r["quarter"], r["product"])]
            check(r["quarter"] in ("1", "2"), "actuals only for Q1-Q2")
            for c in ("volume", "price"):
                dev = abs(D(r[c]) / D(p[c]) - 1)
                check(dev <= D("0.15"), f"actual {c} deviates {dev:.3f} from plan: {r}")
    check(
        all(len({r["product"] for r in prods if r["account_id"] == a[0]}) == 2 for a in ACCOUNTS),
        "two products per account",
    )
    profit = defaultdict(D)
    plan_rev_year = defaultdict(D)
    for r in costs:
        check((r["amount"] == "") != (r["rate_of_revenue"] == ""), f"exactly one of amount/rate: {r}")
        rev = revenue[(r["account_id"], r["scenario"], r["quarter"])]
        cost = D(r["amount"]) if r["amount"] else D(r["rate_of_revenue"]) * rev
        if r["scenario"] == "plan":
            profit[r["account_id"]] -= cost
    for (acc, scenario, _q4), rev in revenue.items():
        if scenario == "plan":
            profit[acc] += rev
            plan_rev_year[acc] += rev
    negative = [a for a, p in profit.items() if p < 0]
    check(negative == [LOSS_ACCOUNT], f"negative plan profitability: {negative}")
    lines.append(
        f"KAOP plan 2026 profitability: {len(profit) - len(negative)} positive; {LOSS_ACCOUNT} "
        f"{profit[LOSS_ACCOUNT]:.2f} EUR ({profit[LOSS_ACCOUNT] / plan_rev_year[LOSS_ACCOUNT] * 100:.1f} %)"
    )

    # Kgb
    kgb = _read("kgb")
    cards = defaultdict(dict)
    suppliers = defaultdict(lambda: defaultdict(set))
    for r in kgb:
        key = (r["account_id"], r["segment"])
        w = cards[key].setdefault(r["criterion"], r["weight"])
        check(w == r["weight"], f"weight differs within criterion {r}")
        check(
            (r["own"] == "true") == (r["supplier"] == OWN) and r["own"] in ("true", "false"), f"own flag {r}"
        )
        check(0 <= int(r["rating"]) <= 100, f"rating {r}")
        suppliers[key][r["supplier"]].add(r["criterion"])
    sums = {k: sum(int(w) for w in v.values()) for k, v in cards.items()}
    check(all(s == 100 for s in sums.values()), f"kgb weight sums: {sums}")
    check(all(4 <= len(v) <= 6 for v in cards.values()), "4-6 criteria per card")
    check(
        all(
            all(c == set(cards[k]) for c in suppliers[k].values())
            and 3 <= len(suppliers[k]) <= 4
            and OWN in suppliers[k]
            for k in cards
        ),
        "incomplete kgb cards",
    )
    check({k[0] for k in cards} == set(names), "every account needs a kgb card")
    lines.append(
        f"kgb: {len(cards)} cards ({len(cards) - len(names)} accounts with 2 segments), weight sums "
        f"{'all 100' if all(s == 100 for s in sums.values()) else sums}"
    )

    # excellence
    exc = _read("excellence")
    resp = list(dict.fromkeys(r["respondent"] for r in exc))
    check(len(resp) == 3, "three respondents")
    check(len(catalogue_ids) == 62, f"catalogue has {len(catalogue_ids)} criteria, expected 62")
    by_crit = defaultdict(list)
    for name in resp:
        rr = [r for r in exc if r["respondent"] == name]
        check(
            [r["criterion_id"] for r in rr] == catalogue_ids, f"{name}: not one row per catalogue criterion"
        )
        rated = [r for r in rr if r["rating"] not in ("", "n.r.")]
        n_nr = sum(r["rating"] == "n.r." for r in rr)
        n_empty = sum(r["rating"] == "" for r in rr)
        no_ev = sum(r["rating"] in ("75", "100") and not r["evidence"] for r in rr)
        check(all(r["rating"] in ("0", "25", "50", "75", "100", "n.r.", "") for r in rr), "bad rating value")
        check(3 <= n_nr <= 5 and 2 <= n_empty <= 4, f"{name}: n.r./empty counts {n_nr}/{n_empty}")
        check(no_ev >= 3, f"{name}: too few 75/100 without evidence")
        thin = []
        for dim in dict.fromkeys(dimension_of(c) for c in catalogue_ids):
            d_rows = [r for r in rr if dimension_of(r["criterion_id"]) == dim]
            n_rated = sum(r["rating"] not in ("", "n.r.") for r in d_rows)
            if n_rated * 2 < len(d_rows):
                thin.append(f"{dim} {n_rated}/{len(d_rows)}")
        lines.append(
            f"excellence {name} ({rr[0]['role']}): rated {len(rated)} / n.r. {n_nr} / empty {n_empty}; "
            f"75/100 without evidence {no_ev}" + (f"; thin: {', '.join(thin)}" if thin else "")
        )
        if rr[0]["role"] == THIN[0]:
            check(any(t.startswith(THIN[1]) for t in thin), "thin dimension missing")
        else:
            check(not thin, f"{name}: unexpected thin dimension")
        for r in rated:
            by_crit[r["criterion_id"]].append(int(r["rating"]))
    spread = [c for c, v in by_crit.items() if len(v) >= 2 and max(v) - min(v) >= 50]
    check(len(spread) >= 3, "need >= 3 criteria with spread >= 50")
    lines.append(f"excellence: {len(spread)} criteria with spread >= 50 points")

    for line in lines:
        print("  " + line)
    return errors


def main() -> int:
    rng = random.Random(SEED)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    written = [write_table("accounts", gen_accounts())]
    cdb_rows, cdb = gen_cdb(rng)
    act_rows = gen_activities(rng, cdb)
    written.append(write_table("cdb", net_of_activities(cdb_rows, act_rows)))
    written.append(write_table("activities", act_rows))
    port_rows, port = gen_portfolio(rng, cdb)
    written.append(write_table("portfolio", port_rows))
    res_rows, region_rows = gen_resources(rng, cdb, port)
    written.append(write_table("resources", res_rows))
    written.append(write_table("regions", region_rows))
    prod_rows, cost_rows = gen_kaop(rng, cdb, port)
    written.append(write_table("kaop_products", prod_rows))
    written.append(write_table("kaop_costs", cost_rows))
    written.append(write_table("kgb", gen_kgb(rng)))
    # the questionnaire uses its own random stream so the other tables don't depend on the catalogue
    ids = load_catalogue_ids()
    written.append(write_table("excellence", gen_excellence(random.Random(SEED + 1), ids)))
    written += demo_people.write_all(OUT_DIR, [(a[0], a[4]) for a in ACCOUNTS])  # issue 11, own random stream
    written += demo_team.write(OUT_DIR, PLAN_YEAR)  # issue 11: RACI, SWOT, KASP, position (its own random stream)
    written += write_programme(OUT_DIR)  # issue 12: own random stream and self-check (tools/demo_programme.py)
    written += demo_org.write(OUT_DIR)  # issue 12: coordination, St. Gallen, phase (own random stream)
    for path in written:
        n = sum(1 for _ in path.open(encoding="utf-8")) - 1
        print(f"wrote {path.relative_to(ROOT)} ({n} rows)")
    print("self-check:")
    errors = self_check(ids) + demo_team.self_check(OUT_DIR, PLAN_YEAR)
    if errors:
        print("SELF-CHECK FAILED:")
        for e in errors:
            print("  - " + e)
        return 1
    print("self-check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
