"""Demo data of the team and strategy tools (issue 11): RACI (``team_roles``), SWOT along the 6-P (``swot``), KASP
(``kasp``), the KAOP measures naming them (``kaop_measures``), the supplier position (``position``) and each
account's target role (``accounts.target_supplier_role``, :func:`target_role`, written by ``gen_accounts``).

Its own random stream (:data:`SEED`), so the other demo tables stay byte for byte as they were. Called from
``make_demo_data.main()`` after ``accounts.csv`` is written; :func:`self_check` proves the promises of the issue
on the files written: the seed's three RACI rows as the company default plus one account-specific task per
account, one lever left empty in every SWOT, 2–4 KASP projects per account with one outside the horizon and one
starting in the plan year without a KAOP measure.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

SEED = 20261130
HORIZON = 3  # the company default (no settings row in the demo)
LEVERS = ("Produkt", "Preis", "Promotion", "Platzierung", "Person", "Performance")
ROLES = ("gelegentlicher Lieferant", "Stammlieferant", "Vorzugslieferant", "Systempartner")
COLUMNS = {
    "team_roles": ["account_id", "task", "role", "letters"],
    "swot": ["account_id", "quadrant", "lever", "entry"],
    "kasp": ["account_id", "project", "lever", "goal", "kpi", "target", "start_year", "end_year", "owner", "budget",
             "status", "review_date"],
    "kaop_measures": ["account_id", "year", "measure", "lever", "owner", "resources", "due_quarter", "status",
                      "kasp_project", "swot_entry"],
    "position": ["account_id", "yardstick", "rating"],
}
#: The seed's three rows (seed 004, l. 193–238), the company default (empty account_id).
DEFAULT_RACI = [("Globaler Rahmenvertrag", "GKAM", "R"), ("Globaler Rahmenvertrag", "Management", "A"),
                ("Globaler Rahmenvertrag", "Innendienst", "S"), ("Globaler Rahmenvertrag", "NKAM", "I, C"),
                ("Globales Beziehungsmanagement", "GKAM", "R, A"),
                ("Globales Beziehungsmanagement", "Innendienst", "S"),
                ("Nationale Angebote basierend auf Rahmenvertrag", "NKAM", "R, A")]
#: One account-specific task each (the third has no A, the fourth two: the sheet's lights have something to show).
OWN_TASKS = [("Jahresgespräch vorbereiten", [("NKAM", "R"), ("GKAM", "A"), ("Innendienst", "S")]),
             ("Reklamationen klären", [("Innendienst", "R"), ("NKAM", "A, I")]),
             ("Messeauftritt beim Kunden", [("NKAM", "R"), ("Management", "I")]),
             ("Preisverhandlung Folgejahr", [("GKAM", "R, A"), ("Management", "A"), ("NKAM", "C")]),
             ("Anwendungstechnik im Werk", [("Anwendungstechnik", "R"), ("NKAM", "A"), ("Innendienst", "I")])]
SWOT_POOL = {
    "Produkt": [("Stärke", "Retentionssystem mit bester Leistungsfähigkeit im Vergleich"),
                ("Schwäche", "Sortiment ohne biobasierte Alternative"),
                ("Chance", "Neue Anlage braucht angepasste Chemie")],
    "Preis": [("Schwäche", "Listenpreise über Marktniveau"), ("Risiko", "Ausschreibung über den Zentraleinkauf"),
              ("Chance", "Mehrjahresvertrag mit Preisgleitklausel")],
    "Promotion": [("Stärke", "Referenzgeschichte aus dem Schwesterwerk"),
                  ("Chance", "Fachtagung des Kunden im Herbst")],
    "Platzierung": [("Stärke", "Konsignationslager im Werk"), ("Risiko", "Wettbewerber baut Lager in der Region")],
    "Person": [("Stärke", "Langjähriger Kontakt zur Werksleitung"), ("Risiko", "Einkaufsleiter wechselt"),
               ("Chance", "Neuer Technikleiter offen für Versuche")],
    "Performance": [("Schwäche", "Liefertreue 2025 unter 95 %"), ("Stärke", "Anwendungstechnik in 24 h vor Ort")],
}
PROJECTS = [("Systempartnerschaft Retention", "Produkt", "Rolle Systempartner", "Anteil am Bedarf in %", 60),
            ("Digitaler Bestellprozess", "Platzierung", "Bestellungen per EDI", "EDI-Anteil in %", 90),
            ("Werkstoffwechsel biobasiert", "Produkt", "Biobasierte Hilfsmittel eingeführt", "Anlagen", 3),
            ("Key-Account-Team Süd", "Person", "Team mit Anwendungstechnik", "Besuche je Jahr", 24),
            ("Rahmenvertrag Gruppe", "Preis", "Vertrag für alle Werke", "Werke im Vertrag", 4)]
OWNERS = ("GKAM", "NKAM", "Management", "Anwendungstechnik")


def _write(out: Path, name: str, rows: list[list[object]]) -> Path:
    path = out / f"{name}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS[name])
        w.writerows([["" if v is None else v for v in row] for row in rows])
    return path


def _accounts(out: Path) -> list[dict[str, str]]:
    with (out / "accounts.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def target_role(role: str | None) -> str:
    """An account's target role: one rung up (a Systempartner stays one); without a role, Stammlieferant."""
    return ROLES[min(ROLES.index(role) + 1, len(ROLES) - 1)] if role in ROLES else ROLES[1]


def _raci(ids: list[str]) -> list[list[object]]:
    rows: list[list[object]] = [["", t, r, x] for t, r, x in DEFAULT_RACI]
    for i, aid in enumerate(ids):
        task, cells = OWN_TASKS[i % len(OWN_TASKS)]
        rows += [[aid, task, role, letters] for role, letters in cells]
    return rows


def _swot(rng: random.Random, aid: str) -> tuple[list[list[object]], str]:
    empty = rng.choice(LEVERS)
    rows = []
    for lever in LEVERS:
        if lever == empty:
            continue
        for quadrant, entry in rng.sample(SWOT_POOL[lever], rng.randint(1, min(2, len(SWOT_POOL[lever])))):
            rows.append([aid, quadrant, lever, entry])
    return rows, empty


def _kasp(rng: random.Random, aid: str, year: int) -> tuple[list[list[object]], list[list[object]]]:
    """2–4 projects: the first starts in the plan year with a KAOP measure, the second starts in the plan year
    without one, the third (if any) runs beyond the horizon, the fourth starts the year after."""
    n = rng.randint(2, 4)
    picked = rng.sample(PROJECTS, n)
    spans = [(year, year + 2), (year, year + 1), (year + 1, year + HORIZON + 1), (year + 1, year + 3)]
    statuses = ["laufend", "geplant", "geplant", "geplant"]
    projects, measures = [], []
    for k, ((name, lever, goal, kpi, target), (start, end)) in enumerate(zip(picked, spans, strict=False)):
        budget = rng.randrange(20, 200, 10) * 1000
        review = f"{year}-{rng.choice(('03-31', '06-30', '09-30'))}"
        projects.append([aid, name, lever, goal, kpi, target, start, end, rng.choice(OWNERS), budget, statuses[k],
                         review])
    first = projects[0]
    measures.append([aid, year, f"Auftakt {first[1]}", first[2], first[8], "2 Personentage", 1, "in Arbeit",
                     first[1], None])
    if n == 2:  # an account without a third project still gets its outside-horizon one: the second ends late
        projects[1][7] = year + HORIZON + 1
    return projects, measures


def write(out: Path, plan_year: int) -> list[Path]:
    """Write the tables into ``out``; returns the files written."""
    rng = random.Random(SEED)
    ids = [r["account_id"] for r in _accounts(out)]
    swot, kasp, measures, position = [], [], [], []
    for aid in ids:
        rows, _ = _swot(rng, aid)
        swot += rows
        projects, ms = _kasp(rng, aid, plan_year)
        kasp += projects
        if swot and rows:  # the measure of the first project answers one of the account's SWOT entries
            ms[0][9] = rows[0][3]
        measures += ms
        position += [[aid, n, rng.randrange(30, 95, 5)] for n in (1, 2, 3, 4, 5)]
    return [_write(out, "team_roles", _raci(ids)), _write(out, "swot", swot),
            _write(out, "kasp", kasp), _write(out, "kaop_measures", measures), _write(out, "position", position)]


def _read(out: Path, name: str) -> list[dict[str, str]]:
    with (out / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def self_check(out: Path, plan_year: int) -> list[str]:
    """The issue's promises on the files written (an empty list when all hold)."""
    errors = []
    ids = [r["account_id"] for r in _accounts(out)]
    raci = _read(out, "team_roles")
    if [(r["task"], r["role"], r["letters"]) for r in raci if not r["account_id"]] != DEFAULT_RACI:
        errors.append("team_roles: the company default is not the seed's three rows")
    swot, kasp, measures = _read(out, "swot"), _read(out, "kasp"), _read(out, "kaop_measures")
    for aid in ids:
        if len({r["task"] for r in raci if r["account_id"] == aid}) != 1:
            errors.append(f"team_roles: {aid} has not exactly one account-specific task")
        if len(set(LEVERS) - {r["lever"] for r in swot if r["account_id"] == aid}) < 1:
            errors.append(f"swot: {aid} has no empty lever")
        projects = [r for r in kasp if r["account_id"] == aid]
        named = {r["kasp_project"] for r in measures if r["account_id"] == aid}
        if not 2 <= len(projects) <= 4:
            errors.append(f"kasp: {aid} has {len(projects)} projects")
        if not any(int(p["end_year"]) > plan_year + HORIZON for p in projects):
            errors.append(f"kasp: {aid} has no project outside the horizon")
        if not any(int(p["start_year"]) == plan_year and p["project"] not in named for p in projects):
            errors.append(f"kasp: {aid} has no project starting {plan_year} without a KAOP measure")
        if not named <= {p["project"] for p in projects}:
            errors.append(f"kaop_measures: {aid} names a project it does not have")
    if any(not r["target_supplier_role"] for r in _accounts(out)):
        errors.append("accounts: an account without target_supplier_role")
    return errors
