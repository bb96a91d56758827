"""The ``Buying Center`` sheet: the customer's decision makers and the Buying-Center-Map (seed 000, Abb. 24 and
Fragen 43–50; SPEC §3.6).

* the member table — one row per member (the buying center's plus :data:`~kam_xl.workbook.people_common.
  SPARE_MEMBERS` empty rows for members the KAM adds): name, function, formal position, formally senior,
  purchasing, budget authority (ja/nein), influence 1–5, technical 0–100 (Frage 46), private 0–100 (Frage 48),
  career (Frage 47), performance and sympathy vs competition (Fragen 49, 50), colour types, Reiss motives,
  informants; all inputs (block ``bc_members``), drop-downs where the values are words;
* ``bc_on_map``: whether the map can draw the member (all five encodings given; formula);
* the map: a scatter chart, x = private, y = technical, marker size = influence, colour = performance vs
  competition, marker symbol = sympathy vs competition. A chart series has one style, so the map has one series
  per combination of performance × sympathy × influence (3 × 3 × 5 = 45), each over a helper column
  (``bc_map_y``) holding ``=IF(the member's combination, technical, NA())``: a point is drawn only in its
  own series, and the map follows the KAM's edits in Excel or LibreOffice without Python. The helper columns
  hold ``#N/A`` by design.

Scales are kam_xl's (the seed's figure is lost): see :mod:`kam_xl.buying_center`.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from itertools import product
from typing import TYPE_CHECKING, Any

from xlsxwriter.utility import xl_col_to_name

from kam_xl.buying_center import (
    BUYING_CENTER_TABLE,
    COLOURS,
    COMPARISONS,
    INFLUENCE_RANGE,
    MAX_COLOURS,
    MAX_MOTIVES,
    MOTIVES,
    BuyingCenter,
    Member,
    on_map,
    people_rows,
    split_list,
)
from kam_xl.errors import KamInputError
from kam_xl.vocabulary import COMPARISON_WORDS, YES_NO, Lang, sheet_title
from kam_xl.workbook import coerce
from kam_xl.workbook.coerce import Refusal, shown
from kam_xl.workbook.layout import Chart, Input, RowKey, Sheet, cell_ref
from kam_xl.workbook.layout import pick as _t
from kam_xl.workbook.people_common import (
    FIRST_ROW,
    MEMBERS,
    PeopleSheet,
    Reader,
    cell_of,
    member_rows,
    read_flag,
    row_names,
    sheet_names,
    yes_no,
    yes_no_input,
)
from kam_xl.workbook.sheet_kind import OnProblem, Rows

if TYPE_CHECKING:
    from kam_xl.workbook.account_plan import AccountPlanData

#: The member table's columns, in order: the model's field per column.
FIELDS = ("person", "function", "position", "senior", "purchasing", "budget_authority", "influence", "technical",
          "private", "career", "performance_vs_competition", "sympathy_vs_competition", "colours", "motives",
          "informants")
C = {f: i for i, f in enumerate(FIELDS)}
C_ON_MAP = len(FIELDS)
C_HELP = C_ON_MAP + 2  # first helper column of the map
INFLUENCES = tuple(range(INFLUENCE_RANGE[0], INFLUENCE_RANGE[1] + 1))
#: The map's series: (performance, sympathy, influence) in column order of the helper block.
SERIES = tuple(product(COMPARISONS, COMPARISONS, INFLUENCES))
PERFORMANCE_COLOURS = {"besser": "#00B050", "gleich": "#FFC000", "schlechter": "#C00000"}
SYMPATHY_MARKERS = {"besser": "triangle", "gleich": "circle", "schlechter": "square"}
MARKER_SIZE = {k: 4 + 3 * k for k in INFLUENCES}  # influence 1 → 7 pt … 5 → 19 pt
NA = "#N/A"


class BuyingCenterName(StrEnum):
    MEMBERS = MEMBERS
    ON_MAP = "bc_on_map"
    MAP_Y = "bc_map_y"


def _heads(lang: Lang) -> tuple[str, ...]:
    return (_t(lang, "Person", "Person"), _t(lang, "Funktion / Abteilung", "Function / department"),
            _t(lang, "Formale Position", "Formal position"), _t(lang, "formal ranghoch", "formally senior"),
            _t(lang, "Einkauf", "Purchasing"), _t(lang, "Budgethoheit", "Budget authority"),
            _t(lang, "Einfluss (1–5)", "Influence (1–5)"),
            _t(lang, "technisch (0 kaufm. – 100 techn.)", "technical (0 commercial – 100 technical)"),
            _t(lang, "privat (0 nur geschäftl. – 100 auch privat)", "private (0 business only – 100 also private)"),
            _t(lang, "Karrierehintergrund", "Career background"),
            _t(lang, "Leistung vs. Wettbewerb", "Performance vs competition"),
            _t(lang, "Sympathie vs. Wettbewerb", "Sympathy vs competition"),
            _t(lang, "Farbtyp (bis 2)", "Colour type (up to 2)"),
            _t(lang, "Lebensmotive (bis 3)", "Life motives (up to 3)"),
            _t(lang, "Informanten", "Informants"), _t(lang, "auf der Karte", "on the map"))


def _inputs(lang: Lang) -> dict[str, Input]:
    heads = dict(zip(FIELDS, _heads(lang), strict=False))
    words = tuple(COMPARISON_WORDS[lang][c] for c in COMPARISONS)

    def text(f: str, message: str) -> Input:
        return Input(kind="text", title=heads[f][:32], message=message)

    return {
        "person": text("person", _t(lang, "Name des Entscheiders (Schlüssel der Zeile in allen Personen-Blättern)",
                                    "Name of the decision maker (the row's key in all people sheets)")),
        "function": text("function", _t(lang, "Funktion oder Abteilung (Frage 44)",
                                        "Function or department (Frage 44)")),
        "position": text("position", _t(lang, "Formale Position / Hierarchie (Frage 44)",
                                        "Formal position (Frage 44)")),
        "senior": yes_no_input(lang, heads["senior"], _t(lang, "Formal ranghoher Entscheider?", "Formally senior?")),
        "purchasing": yes_no_input(lang, heads["purchasing"], _t(lang, "Arbeitet im Einkauf?", "Works in purchasing?")),
        "budget_authority": yes_no_input(lang, heads["budget_authority"], _t(lang, "Hat Budgethoheit?",
                                                                             "Has budget authority?")),
        "influence": Input(kind="integer", minimum=INFLUENCE_RANGE[0], maximum=INFLUENCE_RANGE[1],
                           title=heads["influence"], message=_t(lang, "Einflussstärke 1 (gering) bis 5 (sehr hoch)",
                                                                "Influence 1 (low) to 5 (very high)")),
        "technical": Input(kind="score", title=_t(lang, "technisch", "technical"),
                           message=_t(lang, "0 = rein kaufmännisch … 100 = rein technisch (Frage 46)",
                                      "0 = purely commercial … 100 = purely technical (Frage 46)")),
        "private": Input(kind="score", title=_t(lang, "privat", "private"),
                         message=_t(lang, "0 = nur geschäftlich … 100 = auch privat (Frage 48)",
                                    "0 = business only … 100 = also private topics (Frage 48)")),
        "career": text("career", _t(lang, "Karrierehintergrund (Frage 47)", "Career background (Frage 47)")),
        "performance_vs_competition": Input(kind="list", choices=words, title=heads["performance_vs_competition"][:32],
                                            message=_t(lang, "Unsere Leistung im Vergleich zum Wettbewerb (Frage 49): ",
                                                       "Our performance vs competition (Frage 49): ")
                                            + " / ".join(words)),
        "sympathy_vs_competition": Input(kind="list", choices=words, title=heads["sympathy_vs_competition"][:32],
                                         message=_t(lang, "Persönliche Sympathie im Vergleich zum Wettbewerb "
                                                          "(Frage 50): ",
                                                    "Personal sympathy vs competition (Frage 50): ")
                                         + " / ".join(words)),
        "colours": text("colours", _t(lang, f"Bis zu {MAX_COLOURS} von {', '.join(COLOURS)}, getrennt durch Komma",
                                      f"Up to {MAX_COLOURS} of {', '.join(COLOURS)}, separated by commas")),
        "motives": text("motives", _t(lang, f"Bis zu {MAX_MOTIVES} der 16 Lebensmotive nach Reiss, getrennt durch "
                                            f"Komma: {', '.join(MOTIVES)}",
                                      f"Up to {MAX_MOTIVES} of the 16 Reiss life motives, separated by commas: "
                                      f"{', '.join(MOTIVES)}")),
        "informants": Input(kind="integer", minimum=0, title=heads["informants"],
                            message=_t(lang, "Wie viele Personen den Einfluss bewertet haben",
                                       "How many people rated the influence")),
    }


def _shown(m: Member | None, f: str, lang: Lang) -> Any:
    if m is None:
        return None
    value = getattr(m, f)
    if f in ("senior", "purchasing", "budget_authority"):
        return yes_no(value, lang)
    if f in ("performance_vs_competition", "sympathy_vs_competition"):
        return None if value is None else COMPARISON_WORDS[lang][value]
    if f in ("colours", "motives"):
        return ", ".join(value) or None
    return value


def _row_formulas(s: Sheet, r: int, m: Member | None, lang: Lang) -> None:
    """The member row's ``on the map`` cell and its helper cells of the map."""
    a, g, h, i, k, ll = (cell_ref(r, C[f], absolute=True) for f in (
        "person", "influence", "technical", "private", "performance_vs_competition", "sympathy_vs_competition"))
    yes, no = YES_NO[lang]
    drawn = m is not None and on_map(m)
    s.put(r, C_ON_MAP, formula=f'=IF({a}="","",IF(AND(ISNUMBER({g}),ISNUMBER({h}),ISNUMBER({i}),{k}<>"",{ll}<>""),'
                               f'"{yes}","{no}"))', cached=None if m is None else (yes if drawn else no), style="text")
    words = COMPARISON_WORDS[lang]
    for j, (perf, symp, infl) in enumerate(SERIES):
        hit = drawn and m is not None and (m.performance_vs_competition, m.sympathy_vs_competition, m.influence) == (
            perf, symp, infl)
        s.put(r, C_HELP + j, formula=f'=IF(AND({k}="{words[perf]}",{ll}="{words[symp]}",{g}={infl},ISNUMBER({h}),'
                                     f'ISNUMBER({i})),{h},NA())',
              cached=m.technical if hit and m is not None else NA, style="score")


def _map(s: Sheet, n: int, lang: Lang, top: int) -> None:
    words = COMPARISON_WORDS[lang]
    first, last = FIRST_ROW, FIRST_ROW + n - 1
    xs = "=" + s.ref(first, C["private"], last, C["private"])
    # one labels dict for all series: the renderer processes it once (render._add_series)
    labels = {"custom": [{"value": "=" + s.ref(FIRST_ROW + i, C["person"])} for i in range(n)],
              "position": "right", "font": {"size": 8}}
    series = tuple({"name": f"{words[p]}/{words[y]}/{k}", "categories": xs,
                    "values": "=" + s.ref(first, C_HELP + j, last, C_HELP + j),
                    "marker": {"type": SYMPATHY_MARKERS[y], "size": MARKER_SIZE[k],
                               "fill": {"color": PERFORMANCE_COLOURS[p]}, "border": {"color": "#404040"}},
                    "data_labels": labels}
                   for j, (p, y, k) in enumerate(SERIES))
    axis = {"min": 0, "max": 100, "major_unit": 25, "major_gridlines": {"visible": True}}
    s.charts.append(Chart(
        kind="scatter", series=series, title=_t(lang, "Buying-Center-Map", "Buying center map"),
        anchor=(top, 0), size=(760, 500),
        options={"x_axis": {**axis, "name": _t(lang, "geschäftlich (0) ↔ auch privat (100) — Frage 48",
                                               "business only (0) ↔ also private (100) — Frage 48")},
                 "y_axis": {**axis, "name": _t(lang, "kaufmännisch (0) ↔ technisch (100) — Frage 46",
                                               "commercial (0) ↔ technical (100) — Frage 46")},
                 "legend": {"none": True}, "show_hidden_data": True}))


_STYLES = {"influence": "integer", "informants": "integer", "technical": "score", "private": "score"}  # else text


def buying_center_sheet(bc: BuyingCenter, lang: Lang = "de", year: int | None = None) -> Sheet:
    """The Buying Center sheet of one account's buying center in plan ``year`` (see the module docstring)."""
    heads = _heads(lang)
    s = Sheet(sheet_names(lang)["buying_center"], widths={0: 22, 1: 20, 2: 18, 9: 20, 12: 16, 13: 26,
                                                          **{c: 12 for c in (3, 4, 5, 6, 14, 15)},
                                                          **{c: 15 for c in (7, 8, 10, 11)},
                                                          **{C_HELP + j: 0 for j in range(len(SERIES))}},
              freeze=(FIRST_ROW, 1))
    s.put(0, 0, sheet_title(lang, _t(lang, "Buying Center", "Buying center"), year, "score"), style="title")
    s.put(1, 0, _t(lang, "Eine Zeile je Entscheider beim Kunden (Frage 43–50); gelbe Zellen sind Eingaben, leere "
                         "Zeilen für weitere Personen.",
                   "One row per decision maker at the customer (Fragen 43–50); yellow cells are inputs, empty rows "
                   "for more people."), style="note")
    s.put(2, 0, _t(lang, "Karte: x = privat, y = technisch, Größe = Einfluss, Farbe = Leistung vs. Wettbewerb "
                         "(grün besser, gelb gleich, rot schlechter), Symbol = Sympathie vs. Wettbewerb (▲ besser, "
                         "● gleich, ■ schlechter); gezeigt werden Personen mit allen fünf Angaben.",
                   "Map: x = private, y = technical, size = influence, colour = performance vs competition (green "
                   "better, amber equal, red worse), symbol = sympathy vs competition (▲ better, ● equal, ■ worse); "
                   "people with all five values are shown."), style="note")
    for col, head in enumerate(heads):
        s.put(FIRST_ROW - 1, col, head, style="header")
    span = f"{xl_col_to_name(C_HELP)}–{xl_col_to_name(C_HELP + len(SERIES) - 1)}"
    # on the first page, where it has the page's width (above the hidden columns it wrapped in a narrow cell on
    # the last page wide, a row so tall that the repeated header rows left no room for the map)
    s.put(FIRST_ROW - 2, 0, _t(lang, f"Spalten {span} (ausgeblendet): Hilfsspalten der Karte, je Leistung/"
                                            "Sympathie/Einfluss eine; #NV = nicht in dieser Reihe",
                                      f"Columns {span} (hidden): the map's helper columns, one per performance/"
                                      "sympathy/influence; #N/A = not in this series"), style="note")
    words = COMPARISON_WORDS[lang]
    for j, (p, y, k) in enumerate(SERIES):
        s.put(FIRST_ROW - 1, C_HELP + j, f"{words[p][:1]}/{words[y][:1]}/{k}", style="header")
    inputs = _inputs(lang)
    n = member_rows(bc)
    for i in range(n):
        m = bc.members[i] if i < len(bc.members) else None
        r = FIRST_ROW + i
        for f in FIELDS:
            s.put(r, C[f], _shown(m, f, lang), style=_STYLES.get(f, "text"), input=inputs[f])
        _row_formulas(s, r, m, lang)
    last = FIRST_ROW + n - 1
    s.name_range(MEMBERS, FIRST_ROW, 0, last, len(FIELDS) - 1)
    s.name_range(BuyingCenterName.ON_MAP, FIRST_ROW, C_ON_MAP, last, C_ON_MAP)
    s.name_range(BuyingCenterName.MAP_Y, FIRST_ROW, C_HELP, last, C_HELP + len(SERIES) - 1)
    # a member's rows in all three people sheets follow the member's name (the other blocks lie on the
    # contact matrix and the touchpoint plan, row for row with this one)
    s.keys.append(RowKey(MEMBERS, (MEMBERS, "km_targets", "km_topics", "km_manndecker", "tp_plan")))
    _map(s, n, lang, last + 2)
    return s


def _whole(low: int, high: int | None) -> Any:
    def read(value: Any) -> int | None:
        number = coerce.number(value, low, high)
        if number is not None and not number.is_integer():
            raise Refusal()
        return None if number is None else int(number)
    return read


def _listed(allowed: tuple[str, ...], most: int, what: str) -> Any:
    def read(value: Any) -> str | None:
        text = coerce.text(value)
        try:
            return ", ".join(split_list(text, allowed, most, what)) or None
        except KamInputError as e:
            raise Refusal(str(e).removeprefix(f"{what}: ").split(" — allowed")[0]) from None
    return read


def _member_readers(lang: Lang) -> dict[str, tuple[Any, str]]:
    """How each field of a member row is read (``field → (reader, what is allowed)``), made once per sheet read."""
    words = {v: k for k, v in COMPARISON_WORDS[lang].items()}
    yes_no_words = " or ".join(YES_NO[lang])

    def flag(v: Any) -> bool | None:
        return read_flag(v, lang)

    def rank(v: Any) -> str | None:
        return words.get(coerce.choice(v, words) or "")

    lists = {"colours": (COLOURS, MAX_COLOURS), "motives": (MOTIVES, MAX_MOTIVES)}
    return {
        **{f: (coerce.text, "a text") for f in ("function", "position", "career")},
        **{f: (flag, yes_no_words) for f in ("senior", "purchasing", "budget_authority")},
        **{f: (rank, ", ".join(words)) for f in ("performance_vs_competition", "sympathy_vs_competition")},
        "influence": (_whole(*INFLUENCE_RANGE), "a whole number from 1 to 5"),
        "informants": (_whole(0, None), "a whole number ≥ 0"),
        **{f: (lambda v: coerce.number(v, 0, 100, points=True), "a number from 0 to 100, or empty")
           for f in ("technical", "private")},
        **{f: (_listed(a, most, f), f"up to {most} of {', '.join(a)}, separated by ','")
           for f, (a, most) in lists.items()}}


def _read_member(rd: Reader, i: int, how: Mapping[str, tuple[Any, str]], old: Member | None) -> Member | None:
    """Row ``i`` of the member table as a :class:`Member` (``None`` for an empty row, and for one without a name,
    which is reported), each field read as ``how`` (:func:`_member_readers`) says; a refused value is reported at
    its cell and left out."""
    row = [cell_of(rd.block, i, C[f]) for f in FIELDS]
    if all(coerce.is_blank(v) for v in row):
        return None
    fields = {f: rd.read(i, C[f], read, allowed) for f, (read, allowed) in how.items()}  # each refusal reported
    try:
        person = coerce.text(row[0])
    except Refusal as e:
        rd.problem(MEMBERS, i, 0, shown(row[0]), e.allowed("a name"))
        return None
    if person is None:
        rd.problem(MEMBERS, i, 0, row[0], "a name — the row has values but no person")
        return None
    for f in ("senior", "purchasing", "budget_authority"):
        fields[f] = bool(fields[f])
    return Member(person=person, **fields, min_contacts=old.min_contacts if old else None,
                  max_contacts=old.max_contacts if old else None)


def parse_members(values: Mapping[str, Any], lang: Lang, problem: OnProblem,
                  old: BuyingCenter) -> tuple[Member, ...]:
    """The member table read back (empty rows skipped); each refused value reported at its cell."""
    rd = Reader(values, MEMBERS, problem)
    by_name = {m.person: m for m in old.members}
    members: list[Member] = []
    how = _member_readers(lang)
    for i, person in enumerate(row_names(values)):
        m = _read_member(rd, i, how, by_name.get(person or ""))
        if m is not None and any(x.person == m.person for x in members):
            problem(MEMBERS, i, 0, m.person, "a name not given in an earlier row — each person once")
            continue
        if m is not None:
            members.append(m)
    return tuple(members)


class BuyingCenterSheet(PeopleSheet):
    """The Buying Center sheet kind: owns the ``buying_center`` table."""

    key = "buying_center"
    Names = BuyingCenterName
    tables = (BUYING_CENTER_TABLE,)

    def layout(self, data: AccountPlanData, lang: Lang) -> Sheet:
        return buying_center_sheet(self.part(data), lang, data.account.plan_year)

    def parse(self, values: Mapping[str, Any], data: AccountPlanData, lang: Lang,
              problem: OnProblem) -> BuyingCenter:
        old = self.part(data)
        return old.model_copy(update={"members": parse_members(values, lang, problem, old)})

    def export(self, data: AccountPlanData) -> Rows:
        return {"buying_center": people_rows(self.part(data))["buying_center"]}
