"""Demo data for the people of each key account (issue 11): ``buying_center``, ``contact_matrix``,
``touchpoints`` and ``team_rhythm`` (``kam_xl/demo_data/*.csv``), from their own random stream so that the other
demo tables stay byte-identical.

Built-in properties (checked by :func:`self_check` with kam_xl's own functions on the rows written):

* every account has 4–8 members; person names are fictional;
* KA-001 "Papierfabrik Weserbogen AG" has Max Müller (Bereichsleiter) with the touchpoint row of seed 004
  (Q1 article, Q2 reference story, Q3 meeting with a partner, Q4 Christmas gift), one member with two
  Manndeckers and one without;
* KA-004 covers only purchasing (warning ``only_purchasing``); KA-005 has no top management in its contact
  matrix; KA-006's core team meets only by phone/video (``no_meeting_in_person``); KA-007's influences were
  rated by one informant each (``single_informant``);
* touchpoints for the plan year: Q1 and Q2 mostly done (the KAOP's actual quarters), Q3 and Q4 open.
"""

from __future__ import annotations

import csv
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

SEED = 11_004
PLAN_YEAR = 2026
COLUMNS = {
    "buying_center": ["account_id", "person", "function", "position", "senior", "purchasing", "budget_authority",
                      "influence", "technical", "private", "career", "performance_vs_competition",
                      "sympathy_vs_competition", "colours", "motives", "informants", "min_contacts", "max_contacts"],
    "contact_matrix": ["account_id", "person", "our_person", "our_function", "top_management", "topics", "manndecker"],
    "touchpoints": ["account_id", "year", "quarter", "person", "our_person", "what", "channel", "done"],
    "team_rhythm": ["account_id", "year", "quarter", "format", "purpose"],
}
FIRST = ["Anna", "Bernd", "Carola", "Dieter", "Elke", "Florian", "Gisela", "Hannes", "Ingrid", "Jörg", "Katrin",
         "Lutz", "Monika", "Norbert", "Petra", "Rüdiger", "Susanne", "Till", "Ute", "Volker", "Wiebke", "Yvonne"]
LAST = ["Albrecht", "Böttcher", "Dreyer", "Engel", "Fuchs", "Gerlach", "Haase", "Jäger", "Kühn", "Lindner",
        "Martens", "Nowak", "Ohlsen", "Pohl", "Roth", "Schäfer", "Thiele", "Urban", "Vogel", "Wendt", "Ziegler"]
# function, position, senior, purchasing, budget authority
ROLES = [("Geschäftsführung", "Geschäftsführer", True, False, True),
         ("Einkauf", "Leiter Zentraleinkauf", True, True, True),
         ("Einkauf", "Strategischer Einkäufer", False, True, False),
         ("Technik", "Technischer Leiter", True, False, True),
         ("Produktion", "Leiter Papiermaschine", False, False, False),
         ("Produktion", "Schichtleiter", False, False, False),
         ("Qualität", "Leiterin Qualitätsmanagement", False, False, False),
         ("Controlling", "Controller Investitionen", False, False, False)]
CAREERS = ["Papieringenieur, seit 15 Jahren im Haus", "Kaufmann, vorher Automobilzulieferer", "Chemikerin, Promotion",
           "Wirtschaftsingenieur, Trainee-Programm", "Meister Papiertechnik", None]
COMPARISONS = ("besser", "gleich", "schlechter")
COLOURS = ("Rot", "Blau", "Grün", "Orange")
MOTIVES = ("Macht", "Unabhängigkeit", "Neugier", "Anerkennung", "Ordnung", "Sparen", "Ehre", "Idealismus", "Familie",
           "Status", "Rache", "Romantik", "Ernährung", "Körperliche Aktivität", "Ruhe", "Bequemlichkeit")
TOP = ("Dr. Henrik Albers", "Geschäftsführer")
TEAM = [("Anwendungstechnik", "Kai Brünning"), ("Innendienst", "Merle Hoffmann"), ("Anwendungstechnik", "Sven Ilić")]
#: Max Müller's row of seed 004 (l. 291–327), in the demo's chemical setting
SEED_ROW = [("Artikel aus dem Manager Magazin versenden", "Brief/E-Mail"),
            ("Referenzgeschichte als Brief aufbereiten und zur Verfügung stellen", "Brief/E-Mail"),
            ("Treffen mit unserem Partner Max Meier: erweitertes Leistungsspektrum zeigen", "Besuch"),
            ("Weihnachtsgeschenk mit Verbindung zur Anwendungstechnik versenden", "Brief/E-Mail")]
TOUCHES = [("Anwendungstechnischer Besuch an der Papiermaschine", "Besuch"),
           ("Quartalsgespräch Liefertreue", "Telefon/Video"),
           ("Kundenzeitschrift mit Fallstudie versenden", "Brief/E-Mail"),
           ("Einladung zum Fachforum Papierchemie", "Veranstaltung"),
           ("Versuchsergebnisse vorstellen", "Telefon/Video"), ("Werksbesichtigung in Rheinauen", "Veranstaltung"),
           ("Preisgespräch Rahmenvertrag", "Besuch")]
RHYTHM = [("persönlich", "Internationales Vertriebsmeeting; die Key-Account-Teams treffen sich am letzten Tag"),
          ("Telefon/Video", "Informationsaustausch per Telefon-/Internetkonferenz"),
          ("persönlich", "Key-Account-Plan-Workshop: Potenziale für das nächste Geschäftsjahr"),
          ("Telefon/Video", "Informationsaustausch per Telefon-/Internetkonferenz")]
ONLY_PURCHASING, NO_TOP, CALLS_ONLY, ONE_INFORMANT = "KA-004", "KA-005", "KA-006", "KA-007"


def _yn(flag: bool) -> str:
    return "ja" if flag else "nein"


def _member(rng: random.Random, aid: str, person: str, role: tuple[Any, ...]) -> list[Any]:
    function, position, senior, purchasing, budget = role
    low = rng.choice([None, 2, 3, 4])
    high = None if rng.random() < 0.3 else (low or 2) + rng.choice([0, 1, 2])
    return [aid, person, function, position, _yn(senior), _yn(purchasing), _yn(budget), rng.randint(1, 5),
            rng.choice(range(10, 95, 5)), rng.choice(range(5, 90, 5)), rng.choice(CAREERS),
            rng.choice(COMPARISONS), rng.choice(COMPARISONS), ", ".join(rng.sample(COLOURS, rng.randint(1, 2))),
            ", ".join(rng.sample(MOTIVES, rng.randint(1, 3))),
            1 if aid == ONE_INFORMANT else rng.choice([1, 2, 2, 3]), low, high]


def _account(rng: random.Random, aid: str, kam: str) -> dict[str, list[list[Any]]]:
    n = rng.randint(4, 8)
    names: list[str] = ["Max Müller"] if aid == "KA-001" else []
    while len(names) < n:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if name not in names:
            names.append(name)
    roles = [ROLES[1], ROLES[2], *rng.sample(ROLES[:1] + ROLES[3:], n - 2)]
    if aid == "KA-001":
        roles[0] = ("Produktion", "Bereichsleiter", True, False, True)
    members = [_member(rng, aid, p, r) for p, r in zip(names, roles, strict=True)]
    ours = [(kam, "KAM", False), *((p, f, False) for f, p in TEAM), (TOP[0], TOP[1], True)]
    if aid == NO_TOP:
        ours = ours[:-1]
    contacts = []
    for i, m in enumerate(members):
        purchasing = m[5] == "ja"
        if aid == ONLY_PURCHASING and not purchasing:
            continue  # only purchasing covered
        if aid == "KA-001" and i == n - 1:
            continue  # the member without a Manndecker
        md = ours[0] if purchasing else rng.choice(ours[1:-1] if aid == NO_TOP else ours[1:])
        if m[4] == "ja" and aid != NO_TOP and rng.random() < 0.6:
            md = ours[-1]  # our top management opens the doors at the top
        topics = rng.choice(["Rahmenvertrag, Preise", "Versuche, Rezepturen", "Liefertreue", "Strategie", None])
        contacts.append([aid, m[1], md[0], md[1], _yn(md[2]), topics, "ja"])
        if aid == "KA-001" and i == 1:  # a member with two Manndeckers
            second = ours[1] if md != ours[1] else ours[2]
            contacts.append([aid, m[1], second[0], second[1], _yn(second[2]), "Anwendungstechnik", "ja"])
        elif rng.random() < 0.3:
            other = rng.choice([o for o in ours if o != md])
            contacts.append([aid, m[1], other[0], other[1], _yn(other[2]), "Informationen zu Neuprodukten", "nein"])
    touch = []
    for i, m in enumerate(members):
        for q in (1, 2, 3, 4):
            if aid == "KA-001" and i == 0:
                what, channel = SEED_ROW[q - 1]
            elif rng.random() < 0.55:
                what, channel = rng.choice(TOUCHES)
            else:
                continue
            who = next((c[2] for c in contacts if c[1] == m[1] and c[6] == "ja"), kam)
            touch.append([aid, PLAN_YEAR, q, m[1], who, what, channel, _yn(q <= 2 and rng.random() < 0.85)])
    rhythm = [[aid, PLAN_YEAR, q, "Telefon/Video" if aid == CALLS_ONLY else f, p] for q, (f, p) in enumerate(RHYTHM, 1)]
    return {"buying_center": members, "contact_matrix": contacts, "touchpoints": touch, "team_rhythm": rhythm}


def generate(accounts: list[tuple[str, str]]) -> dict[str, list[list[Any]]]:
    """The four tables' rows for ``accounts`` (account_id, KAM), in account order."""
    rng = random.Random(SEED)
    out: dict[str, list[list[Any]]] = {name: [] for name in COLUMNS}
    for aid, kam in accounts:
        for name, rows in _account(rng, aid, kam).items():
            out[name] += rows
    return out


def self_check(tables: dict[str, list[list[Any]]]) -> list[str]:
    """The properties of the module docstring, checked with :mod:`kam_xl.buying_center` on the rows."""
    from kam_xl.buying_center import (
        BuyingCenter,
        ContactLink,
        TeamMeeting,
        Touchpoint,
        buying_center_summary,
        member_of,
    )

    def rows(name: str, aid: str) -> list[dict[str, Any]]:
        return [dict(zip(COLUMNS[name], r, strict=True)) for r in tables[name] if r[0] == aid]

    def flags(r: dict[str, Any], *names: str) -> dict[str, Any]:
        return {k: (v == "ja" if k in names else v) for k, v in r.items() if k != "account_id"}

    errors: list[str] = []
    check: Callable[[bool, str], None] = lambda ok, msg: None if ok else errors.append(msg)  # noqa: E731
    summaries = {}
    for aid in dict.fromkeys(r[0] for r in tables["buying_center"]):
        bc = BuyingCenter(account_id=aid,
                          members=tuple(member_of(flags(r, "senior", "purchasing", "budget_authority"))
                                        for r in rows("buying_center", aid)),
                          contacts=tuple(ContactLink(**flags(r, "top_management", "manndecker"))
                                         for r in rows("contact_matrix", aid)),
                          touchpoints=tuple(Touchpoint(**flags(r, "done")) for r in rows("touchpoints", aid)),
                          rhythm=tuple(TeamMeeting(**flags(r)) for r in rows("team_rhythm", aid)))
        summaries[aid] = buying_center_summary(bc, PLAN_YEAR)
        check(4 <= len(bc.members) <= 8, f"{aid}: {len(bc.members)} members")
    s = summaries
    check(len(s) == 14, f"{len(s)} accounts with a buying center")
    check("only_purchasing" in s[ONLY_PURCHASING].warnings, f"{ONLY_PURCHASING} is not only purchasing")
    check(not s[NO_TOP].top_management_covered, f"{NO_TOP} has top management")
    check(sum(not x.top_management_covered for x in s.values()) == 1, "more than one account without top management")
    check(s["KA-001"].several_manndecker and s["KA-001"].without_manndecker, "KA-001 lacks its Manndecker cases")
    check("no_meeting_in_person" in s[CALLS_ONLY].warnings, f"{CALLS_ONLY} meets in person")
    check("single_informant" in s[ONE_INFORMANT].warnings, f"{ONE_INFORMANT} has several informants")
    max_row = [r for r in tables["touchpoints"] if r[0] == "KA-001" and r[3] == "Max Müller"]
    check([r[5] for r in max_row] == [w for w, _ in SEED_ROW], "Max Müller's seed row")
    return errors


def write_all(out_dir: Path, accounts: list[tuple[str, str]]) -> list[Path]:
    """Write the four tables as CSV into ``out_dir`` and check them; raises :class:`RuntimeError` listing every
    failed self-check."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # kam_xl of this checkout, for the self-check
    tables = generate(accounts)
    paths = []
    for name, rows in tables.items():
        path = out_dir / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(COLUMNS[name])
            w.writerows([["" if v is None else v for v in r] for r in rows])
        paths.append(path)
    errors = self_check(tables)
    if errors:
        raise RuntimeError("people self-check failed:\n  - " + "\n  - ".join(errors))
    return paths
