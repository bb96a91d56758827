"""The words every workbook shares, once: languages, CDB stages, portfolio bands, 6-P levers, measure statuses,
traffic lights, yes/no and their colours.

A leaf module (it imports nothing from kam_xl), so the domain modules, the sheet modules and the Excel
functions all take their words from here and never from one another. Each table maps the model's value (the
German word or an English id, as the domain module defines it) to what a workbook shows in a language.
"""

from __future__ import annotations

from typing import Literal

#: The languages of every workbook and label: German (the default) and English.
Lang = Literal["de", "en"]
LANGS: tuple[Lang, ...] = ("de", "en")

#: The words yes/no as the sheets show them (e.g. "thin", "complete" flags).
YES_NO: dict[Lang, tuple[str, str]] = {"de": ("ja", "nein"), "en": ("yes", "no")}

#: The CDB value-chain stages (:data:`kam_xl.cdb.STAGES`) as (German, English) words: the drop-down of the
#: activity block, the statement's SUMIF criteria and the words the Excel functions accept.
STAGE_LABELS: dict[str, tuple[str, str]] = {
    "development": ("Entwicklung", "development"),
    "production": ("Produktion", "production"),
    "service": ("Service", "service"),
    "sales": ("Vertrieb", "sales"),
}


def stage_word(stage: str, lang: Lang) -> str:
    """A CDB stage in ``lang``.

    >>> stage_word("sales", "de"), stage_word("sales", "en")
    ('Vertrieb', 'sales')
    """
    return STAGE_LABELS[stage][0 if lang == "de" else 1]


#: The portfolio bands (:data:`kam_xl.portfolio.Band`) by relative CDB III, as the sheets show them.
BAND_WORDS: dict[Lang, dict[str, str]] = {
    "de": {"high": "> 10 %", "mid": "0–10 %", "loss": "< 0 % (Big Step or Out)"},
    "en": {"high": "> 10 %", "mid": "0–10 %", "loss": "< 0 % (big step or out)"},
}
#: The bands as labels with their measure, (German, English): "CDB III > 10 %" …
BAND_LABELS: dict[str, tuple[str, str]] = {b: (f"CDB III {BAND_WORDS['de'][b]}", f"CDB III {BAND_WORDS['en'][b]}")
                                           for b in BAND_WORDS["de"]}
#: Marker colours of the bands in charts (``None``: no CDB).
BAND_COLOURS: dict[str | None, str] = {"high": "#00B050", "mid": "#FFC000", "loss": "#C00000", None: "#A6A6A6"}

#: The traffic lights of a plan-vs-actual comparison.
LIGHT_WORDS: dict[Lang, dict[str, str]] = {"de": {"green": "grün", "amber": "gelb", "red": "rot"},
                                           "en": {"green": "green", "amber": "amber", "red": "red"}}
#: Cell formats of the lights (Excel's "good", "neutral", "bad" styles).
LIGHT_FORMATS: dict[str, dict[str, str]] = {"green": {"bg_color": "#C6EFCE", "font_color": "#006100"},
                                            "amber": {"bg_color": "#FFEB9C", "font_color": "#9C5700"},
                                            "red": {"bg_color": "#FFC7CE", "font_color": "#9C0006"}}
#: The same formats for the portfolio bands (high = good, mid = neutral, loss = bad).
BAND_FORMATS: dict[str, dict[str, str]] = {"high": LIGHT_FORMATS["green"], "mid": LIGHT_FORMATS["amber"],
                                           "loss": LIGHT_FORMATS["red"]}

#: The 6-P levers of a KAOP measure (:data:`kam_xl.kaop.LEVERS`, German ids) in each language.
_LEVERS_EN = {"Produkt": "Product", "Preis": "Price", "Promotion": "Promotion", "Platzierung": "Placement",
              "Person": "Person", "Performance": "Performance"}
LEVER_WORDS: dict[Lang, dict[str, str]] = {"de": {x: x for x in _LEVERS_EN}, "en": _LEVERS_EN}
#: The statuses of a KAOP measure (:data:`kam_xl.kaop.MEASURE_STATUSES`, German ids) in each language.
_STATUSES_EN = {"offen": "open", "in Arbeit": "in progress", "erledigt": "done", "verschoben": "postponed"}
MEASURE_STATUS_WORDS: dict[Lang, dict[str, str]] = {"de": {x: x for x in _STATUSES_EN}, "en": _STATUSES_EN}

#: The KAOP scenarios as the controller shows them.
SCENARIO_WORDS: dict[Lang, dict[str, str]] = {"de": {"plan": "Plan", "actual": "Ist"},
                                              "en": {"plan": "plan", "actual": "actual"}}

# ---------------------------------------------------------------- one term per concept (issue 15, printing)
#: The German term of each concept every workbook uses, with the English one: (German, English). A label
#: naming the concept uses this spelling; the variants of :data:`TERM_VARIANTS` never appear in a workbook.
TERMS: dict[str, tuple[str, str]] = {
    "potential": ("Potenzial", "potential"),
    "share_of_wallet": ("Share of Wallet", "share of wallet"),
    "workbook": ("Arbeitsmappe", "workbook"),
    "fte": ("MAK", "FTE"),
}
#: German spellings that name a concept of :data:`TERMS` another way (the test scans every workbook's labels).
TERM_VARIANTS: dict[str, tuple[str, ...]] = {
    "potential": ("Potential",),
    "share_of_wallet": ("Share-of-Wallet", "Share-of-wallet"),
    "workbook": ("Workbook",),
}
#: What "MAK" means, said where a sheet counts staff in it: (German, English).
FTE_NOTE: tuple[str, str] = (
    "MAK = Mitarbeiterkapazität in Vollzeitstellen (1,0 MAK = eine volle Stelle, 0,5 MAK = eine halbe).",
    "FTE = full-time equivalents (1.0 FTE = one full-time position, 0.5 FTE = half of one).")


def term(concept: str, lang: Lang) -> str:
    """The word for ``concept`` (a key of :data:`TERMS`) in ``lang``.

    >>> term("potential", "de"), term("fte", "en")
    ('Potenzial', 'FTE')
    """
    return TERMS[concept][0 if lang == "de" else 1]

#: What a sheet's figures are in, as its title says it: (German, English); ``{currency}`` is the ISO code.
UNIT_WORDS: dict[str, tuple[str, str]] = {
    "money": ("Beträge in {currency}", "amounts in {currency}"),
    "score": ("Werte 0–100", "scores 0–100"),
    "scale_1_7": ("Bewertungen 1–7", "ratings 1–7"),
    "balance": ("Werte −100 … +100", "scores −100 … +100"),
    "rating": ("Bewertungen 0–100", "ratings 0–100"),
    "fte": ("MAK und Beträge in {currency}", "FTE and amounts in {currency}"),
}


def sheet_title(lang: Lang, title: str, year: int | str | None = None, unit: str | None = None,
                currency: str = "EUR") -> str:
    """A sheet's title with its year and its unit (a key of :data:`UNIT_WORDS`); a missing year (an empty
    template: 0 or ``None``) is left out.

    >>> sheet_title("de", "Kundendeckungsbeitrag I–III", 2025, "money")
    'Kundendeckungsbeitrag I–III 2025 (Beträge in EUR)'
    >>> sheet_title("en", "KAM excellence profile", None, "score")
    'KAM excellence profile (scores 0–100)'
    """
    text = f"{title} {year}" if year else title
    if unit is None:
        return text
    return f"{text} ({UNIT_WORDS[unit][0 if lang == 'de' else 1].format(currency=currency or '—')})"
# --- issue 12: account selection and ABC/XYZ (kam_xl.selection, controller sheets "Auswahl" and "ABC/XYZ") ---------
#: The seven selection criteria (:data:`kam_xl.company_settings.SELECTION_CRITERIA`) as (German, English) labels.
SELECTION_CRITERION_LABELS: dict[str, tuple[str, str]] = {
    "volume": ("Laufendes Umsatzvolumen", "Current revenue volume"),
    "philosophy_fit": ("Philosophy-Fit", "Philosophy fit"),
    "base_load": ("Bedeutung für die Grundauslastung", "Importance for base load"),
    "potential": ("Erschließbare Umsatzpotenziale", "Untapped revenue potential"),
    "earnings": ("Bestehende oder mögliche Erträge", "Existing or possible earnings"),
    "openness": ("Offenheit für gemeinsames Wachstum", "Openness to joint growth"),
    "barriers": ("Barrieren (100 = keine)", "Barriers (100 = none)"),
}
#: The three growth filters (:data:`kam_xl.selection.GROWTH_FILTERS`) as (German, English) labels.
GROWTH_FILTER_LABELS: dict[str, tuple[str, str]] = {
    "has_potential": ("Potenzial zur Ausweitung", "Potential to expand"),
    "grows": ("Wächst / will und kann wachsen", "Grows / wants and can grow"),
    "willing": ("Bereit, mit uns zu wachsen", "Willing to grow with us"),
}

#: The mark of a derived rating that a typed rating overrides, in the report and on the selection sheet alike.
OVERRIDE_MARK = "*"
#: What the mark means, (German, English).
OVERRIDE_NOTE: tuple[str, str] = ("* = abgeleiteter Wert, durch die eingegebene Bewertung ersetzt",
                                  "* = derived value, overridden by the typed rating")


def override_marked(text: str, overridden: bool) -> str:
    """A derived rating as shown, with :data:`OVERRIDE_MARK` when a typed rating overrides it.

    >>> override_marked("61,3", True), override_marked("61,3", False)
    ('61,3*', '61,3')
    """
    return f"{text}{OVERRIDE_MARK}" if overridden else text


def override_number_format(number_format: str) -> str:
    """The number format that shows a derived rating with :data:`OVERRIDE_MARK` on a sheet (a conditional
    format where the typed rating is filled in), so that sheet and report mark it alike.

    >>> override_number_format("0.0")
    '0.0"*"'
    """
    return f'{number_format}"{OVERRIDE_MARK}"'


# --- issue 12, programme tools: coordination need, St. Gallen ------------------------------------------------------
#: The coordination need's result words (:mod:`kam_xl.coordination`, German ids) in each language.
COORDINATION_WORDS: dict[Lang, dict[str, str]] = {
    "de": {"niedrig": "niedrig", "hoch": "hoch", "regional": "regional", "global": "global"},
    "en": {"niedrig": "low", "hoch": "high", "regional": "regional", "global": "global"},
}

#: The phases of the KAM programme (:data:`kam_xl.company_settings.PHASES`, German ids) in each language.
_PHASES_EN = {"installieren": "install", "aufbauen": "build", "professionalisieren": "professionalise",
              "fokussieren": "focus"}
PHASE_WORDS: dict[Lang, dict[str, str]] = {"de": {x: x for x in _PHASES_EN}, "en": _PHASES_EN}
#: The eight St. Gallen realisation logics (:data:`kam_xl.st_gallen.LOGIC_NAMES`, the seed's English names, which
#: the data book holds) in each language.
_LOGICS_DE = {"Facts & Strategy": "Fakten & Strategie", "Tools": "Werkzeuge", "Structure": "Struktur",
              "Innovation": "Innovation", "Topics": "Themen", "People": "Personen",
              "Selected Key-Accounts": "Ausgewählte Key-Accounts", "Commercialisation": "Kommerzialisierung"}
LOGIC_WORDS: dict[Lang, dict[str, str]] = {"de": _LOGICS_DE, "en": {x: x for x in _LOGICS_DE}}

# --- the people of an account: buying center, contact matrix, touchpoints (kam_xl.buying_center) -----------------
#: Performance / sympathy vs competition (:data:`kam_xl.buying_center.COMPARISONS`) in each language.
COMPARISON_WORDS: dict[Lang, dict[str, str]] = {
    "de": {"besser": "besser", "gleich": "gleich", "schlechter": "schlechter"},
    "en": {"besser": "better", "gleich": "equal", "schlechter": "worse"}}
#: Touchpoint channels (:data:`kam_xl.buying_center.CHANNELS`) in each language.
CHANNEL_WORDS: dict[Lang, dict[str, str]] = {
    "de": {"Besuch": "Besuch", "Telefon/Video": "Telefon/Video", "Brief/E-Mail": "Brief/E-Mail",
           "Veranstaltung": "Veranstaltung"},
    "en": {"Besuch": "visit", "Telefon/Video": "phone/video", "Brief/E-Mail": "letter/e-mail",
           "Veranstaltung": "event"}}
#: Formats of the core team's meetings (:data:`kam_xl.buying_center.MEETING_FORMATS`) in each language.
MEETING_FORMAT_WORDS: dict[Lang, dict[str, str]] = {
    "de": {"persönlich": "persönlich", "Telefon/Video": "Telefon/Video"},
    "en": {"persönlich": "in person", "Telefon/Video": "phone/video"}}
#: A member's planned contacts against min/max (:data:`kam_xl.buying_center.Status`) as the sheets show it.
COVERAGE_WORDS: dict[Lang, dict[str, str]] = {
    "de": {"below": "unter Ziel", "within": "im Ziel", "above": "über Ziel", "no_target": "kein Ziel"},
    "en": {"below": "below target", "within": "within target", "above": "above target", "no_target": "no target"}}
#: How many Manndeckers a member has: none, one, several.
MANNDECKER_WORDS: dict[Lang, dict[str, str]] = {"de": {"none": "fehlt", "one": "ok", "several": "mehrere"},
                                                "en": {"none": "missing", "one": "ok", "several": "several"}}
#: The buying center's warnings (:data:`kam_xl.buying_center.WARNINGS`) as the sheets say them.
PEOPLE_WARNING_WORDS: dict[Lang, dict[str, str]] = {
    "de": {"single_informant": "Einfluss nur von einem Informanten bewertet",
           "no_contact_below_senior": "kein Kontakt unterhalb der formal ranghohen Entscheider",
           "only_purchasing": "nur der Einkauf ist abgedeckt",
           "no_meeting_in_person": "Kernteam trifft sich im Planjahr nicht persönlich"},
    "en": {"single_informant": "influence rated by a single informant only",
           "no_contact_below_senior": "no contact below the formally senior decision makers",
           "only_purchasing": "only purchasing is covered",
           "no_meeting_in_person": "the core team does not meet in person in the plan year"}}
# --- team and strategy tools (issue 11: RACI, SWOT, KASP) -------------------------------------------------------
#: A RACI task's findings (:data:`kam_xl.team.FINDINGS`) and its states as the Team-RACI sheet's rule column
#: shows them; several findings are joined by ", " in the order of :data:`kam_xl.team.FINDINGS`.
RACI_WORDS: dict[Lang, dict[str, str]] = {
    "de": {"ok": "ok", "without_a": "kein A", "several_a": "mehrere A", "without_r": "kein R",
           "unknown": "unbekannter Buchstabe"},
    "en": {"ok": "ok", "without_a": "no A", "several_a": "several A", "without_r": "no R",
           "unknown": "unknown letter"},
}
#: The SWOT quadrants (:data:`kam_xl.swot.QUADRANTS`, German ids) as the SWOT sheet heads them.
QUADRANT_WORDS: dict[Lang, dict[str, str]] = {
    "de": {"Stärke": "Stärken", "Schwäche": "Schwächen", "Chance": "Chancen", "Risiko": "Risiken"},
    "en": {"Stärke": "Strengths", "Schwäche": "Weaknesses", "Chance": "Opportunities", "Risiko": "Threats"},
}
#: The statuses of a KASP project (:data:`kam_xl.kasp.KASP_STATUSES`, German ids) in each language.
_KASP_STATUSES_EN = {"geplant": "planned", "laufend": "running", "abgeschlossen": "completed", "gestoppt": "stopped"}
KASP_STATUS_WORDS: dict[Lang, dict[str, str]] = {"de": {x: x for x in _KASP_STATUSES_EN}, "en": _KASP_STATUSES_EN}
#: The KASP sheet's two lights: a project outside the horizon, one starting in the plan year without a KAOP measure.
KASP_FINDING_WORDS: dict[Lang, dict[str, str]] = {
    "de": {"outside_horizon": "außerhalb Horizont", "without_kaop_measure": "ohne KAOP-Maßnahme"},
    "en": {"outside_horizon": "outside horizon", "without_kaop_measure": "no KAOP measure"},
}
