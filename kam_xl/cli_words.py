"""The summary lines ``kam-xl generate``, ``collect`` and ``review`` print and the names of their progress
phases, in German and English, once.

A leaf module like :mod:`kam_xl.vocabulary`: each message is a template per language, each counted noun its
singular and plural per language; the plural form of a count is the language's rule as Babel (CLDR) knows it
and the count is written in the language's number style ("1.234 Pläne", "1,234 plans").
"""

from __future__ import annotations

from babel import Locale
from babel.numbers import format_decimal

from kam_xl.vocabulary import Lang

#: Counted nouns: (singular, plural) per language — CLDR's "one" and "other" forms of German and English.
NOUNS: dict[str, dict[Lang, tuple[str, str]]] = {
    "plan": {"de": ("Plan", "Pläne"), "en": ("plan", "plans")},
    "questionnaire": {"de": ("Fragebogen", "Fragebögen"), "en": ("questionnaire", "questionnaires")},
    "file": {"de": ("Datei", "Dateien"), "en": ("file", "files")},
    "page": {"de": ("Seite", "Seiten"), "en": ("page", "pages")},
    "account": {"de": ("Kunde", "Kunden"), "en": ("account", "accounts")},
    "respondent": {"de": ("Befragte(r)", "Befragte"), "en": ("respondent", "respondents")},
    "problem": {"de": ("Problem", "Probleme"), "en": ("problem", "problems")},
    "conflict": {"de": ("Konflikt", "Konflikte"), "en": ("conflict", "conflicts")},
    "workbook": {"de": ("Arbeitsmappe", "Arbeitsmappen"), "en": ("workbook", "workbooks")},
    "step": {"de": ("Schritt", "Schritte"), "en": ("step", "steps")},
}

#: The summary lines, a ``str.format`` template per language; ``{plans}`` … are counts already worded by
#: :func:`count`, the other fields paths or texts.
MESSAGES: dict[str, dict[Lang, str]] = {
    "collected": {
        "de": "{plans} und {questionnaires} gelesen, {invalid} mit ungültigen Eingaben, {skipped} übersprungen "
              "→ Export {export}, Fehlerbericht {report}",
        "en": "{plans} and {questionnaires} read, {invalid} with invalid input, {skipped} skipped → export "
              "{export}, report {report}"},
    "controller": {"de": "Controller-Arbeitsmappe: {path}", "en": "Controller workbook: {path}"},
    # collect: the controller written over an old one, kept in _backup/
    "controller_backup": {"de": "{path} (die alte: {backup})", "en": "{path} (the old one: {backup})"},
    "not_written": {"de": "nicht geschrieben", "en": "not written"},
    # collect --jobs: the export's own process gave no answer ({why}: one of the aside_* below)
    "aside_failed": {"de": "Der Prozess, der den Export schreibt, {why} — der Hauptprozess schreibt ihn nun selbst",
                     "en": "The process writing the export {why} — the main process writes it itself now"},
    "aside_not_started": {"de": "ließ sich nicht starten ({reason})", "en": "could not be started ({reason})"},
    "aside_signal": {"de": "wurde durch das Signal {signal} beendet", "en": "was ended by the signal {signal}"},
    "aside_exit": {"de": "endete mit dem Exit-Code {code} ohne Ergebnis",
                   "en": "ended with exit code {code} without a result"},
    "aside_raised": {"de": "schlug fehl ({error})", "en": "failed ({error})"},
    "aside_unsent": {"de": "bekam nicht jede Tabelle ({error})", "en": "was not sent every table ({error})"},
    # the counts after a colon: "Zeilen von 3 Befragte" wanted a case the counted words do not have
    "to_db": {"de": "Datenbank {db}: Zeilen ersetzt — Kunden: {accounts}, Befragte: {respondents} — {rows}",
              "en": "Database {db}: rows replaced — accounts: {accounts}, respondents: {respondents} — {rows}"},
    "no_rows": {"de": "keine Zeilen", "en": "no rows"},
    "pdf": {"de": "{pdf}  ({pages})", "en": "{pdf}  ({pages})"},
    "pdf_all": {"de": "{pdf}  ({pages}, {accounts})", "en": "{pdf}  ({pages}, {accounts})"},
    "uncollected": {
        "de": "{n} des Datenbuchs ohne übernommenen Plan (fehlt, übersprungen oder mit ungültigen Eingaben) — im "
              "Controller und im Export mit den Werten des Datenbuchs: {ids}",
        "en": "{n} of the data book without a plan collected (missing, skipped or with invalid inputs) — in the "
              "controller and the export with the data book's values: {ids}"},
    "unanswered": {
        "de": "{n} des Datenbuchs ohne übernommenen Fragebogen — im Controller und im Export mit den Antworten des "
              "Datenbuchs: {names}",
        "en": "{n} of the data book without a questionnaire collected — in the controller and the export with the "
              "data book's answers: {names}"},
    "inputs_elsewhere": {
        "de": "{unused}: dessen Eingaben werden nicht übernommen — sie kommen aus {used}, dem Controller, der "
              "geschrieben wird (ohne --to wären es die aus {unused})",
        "en": "{unused}: its inputs are not used — they come from {used}, the controller written (without --to "
              "they would be those of {unused})"},
    "base_given": {"de": "Datenbuch für das, was die Pläne nicht enthalten: {data}",
                   "en": "Data book for what the plans do not carry: {data}"},
    "base_demo": {"de": "Die Pläne wurden aus den Demodaten erzeugt: deren Datenbuch füllt die übrigen Blätter",
                  "en": "The plans were generated from the demo data: its data book fills the other sheets"},
    "base_found": {"de": "Datenbuch, aus dem die Pläne erzeugt wurden: {ref}",
                   "en": "Data book the plans were generated from: {ref}"},
    "base_problems": {
        "de": "Das Datenbuch, aus dem die Pläne erzeugt wurden ({ref}), hat jetzt {problems}: konsolidiert wird "
              "nur, was die Pläne enthalten (--data gibt eines an)",
        "en": "The data book the plans were generated from ({ref}) has {problems} now: consolidating only what "
              "the plans hold (give --data to add one)"},
    "base_unreadable": {
        "de": "Das Datenbuch, aus dem die Pläne erzeugt wurden ({ref}), ist jetzt nicht lesbar ({why}): "
              "konsolidiert wird nur, was die Pläne enthalten (--data gibt eines an)",
        "en": "The data book the plans were generated from ({ref}) cannot be read now ({why}): consolidating "
              "only what the plans hold (give --data to add one)"},
    "base_none": {"de": "Kein Datenbuch ({why}): konsolidiert wird nur, was die Pläne enthalten — --data gibt "
                        "eines an",
                  "en": "No data book ({why}): consolidating only what the plans hold — give --data to add one"},
    "why_no_plans": {"de": "keine Pläne gelesen", "en": "no plans were read"},
    "why_remote": {"de": "sie wurden aus {ref} erzeugt, das collect nicht abruft",
                   "en": "they were generated from {ref}, which collect does not fetch"},
    "why_gone": {"de": "das Datenbuch, aus dem sie erzeugt wurden ({ref}), gibt es nicht mehr",
                 "en": "the data book they were generated from ({ref}) no longer exists"},
    "why_mixed": {"de": "sie wurden aus verschiedenen Datenbüchern erzeugt oder nennen ihres nicht",
                  "en": "they were generated from different data books, or do not record theirs"},
    # generate: the summary line ({new} … are numbers, {conflicts} a count, {report} " → path" or nothing) …
    "generated": {
        "de": "{new} neu, {regenerated} erneuert, {error} nicht geschrieben; {conflicts}{report}; {unchanged} "
              "unverändert{why}",
        "en": "{new} new, {regenerated} regenerated, {error} not written; {conflicts}{report}; {unchanged} "
              "unchanged{why}"},
    # … {why} when some plans were left as they are (never after "0 unchanged") …
    "unchanged_why": {"de": " (gleiche Daten und Vorlagenversion; --force schreibt sie neu)",
                      "en": " (same data and template version; --force rewrites them)"},
    "controller_unchanged": {
        "de": "{path} (unverändert: gleiche Daten, Vorlagenversion und Eingaben; --force schreibt sie neu)",
        "en": "{path} (unchanged: same data, template version and inputs; --force rewrites it)"},
    # … its table: the columns and each workbook's status …
    # generate: files in the output folder that are nobody's in the data book, left as they are
    "left_alone": {"de": "Im Ausgabeordner gelassen, wie sie sind — keinem Account des Datenbuchs zuzuordnen ({n}):",
                   "en": "Left as they are in the output folder — nobody's in the data book ({n}):"},
    "rows_left_out": {
        "de": "{n} Arbeitsmappen ohne Fehler und Konflikte (neu, erneuert oder unverändert) sind nicht einzeln "
              "aufgeführt (mehr als {most} Arbeitsmappen)",
        "en": "{n} workbooks without errors or conflicts (new, regenerated or unchanged) are not listed one by one "
              "(more than {most} workbooks)"},
    "col_key": {"de": "Kunde / Befragte(r)", "en": "Account / respondent"},
    "col_file": {"de": "Datei", "en": "File"},
    "col_status": {"de": "Status", "en": "Status"},
    "col_conflicts": {"de": "Konflikte", "en": "Conflicts"},
    "col_backup": {"de": "Sicherung", "en": "Backup"},
    "status_new": {"de": "neu", "en": "new"},
    "status_regenerated": {"de": "erneuert", "en": "regenerated"},
    "status_unchanged": {"de": "unverändert", "en": "unchanged"},
    "status_error": {"de": "nicht geschrieben", "en": "not written"},  # the summary line's words for it
    # … and the phases its progress shows (kam_xl.progress), with the words of a plain progress line
    "phase_read": {"de": "Datenbuch lesen", "en": "reading the data book"},
    "phase_scan": {"de": "Ordner durchsehen", "en": "scanning the folder"},
    "phase_compare": {"de": "Pläne mit den Daten vergleichen", "en": "comparing plans with the data"},
    "phase_plans": {"de": "Arbeitsmappen schreiben", "en": "writing workbooks"},
    "phase_controller": {"de": "Controller-Arbeitsmappe", "en": "controller workbook"},
    "phase_collect": {"de": "Dateien einlesen", "en": "collect"},
    "phase_report": {"de": "Bericht", "en": "report"},
    "running": {"de": "läuft", "en": "running"},
    "done": {"de": "fertig", "en": "done"},
}


def count(n: int, noun: str, lang: Lang) -> str:
    """``n`` and ``noun`` in ``lang``, singular or plural by the language's rule, the number in its style.

    >>> count(1, "plan", "de"), count(14, "plan", "de"), count(1234, "plan", "de"), count(0, "file", "en")
    ('1 Plan', '14 Pläne', '1.234 Pläne', '0 files')
    """
    one, other = NOUNS[noun][lang]
    word = one if Locale.parse(lang).plural_form(n) == "one" else other
    return f"{number(n, lang)} {word}"


def number(n: int, lang: Lang) -> str:
    """``n`` in the language's number style.

    >>> number(1234, "de"), number(1234, "en")
    ('1.234', '1,234')
    """
    return format_decimal(n, locale=lang)


def plural(noun: str, lang: Lang) -> str:
    """The plural of ``noun`` in ``lang`` (a unit of a progress count).

    >>> plural("workbook", "de")
    'Arbeitsmappen'
    """
    return NOUNS[noun][lang][1]


def say(key: str, lang: Lang, **fields: object) -> str:
    """The message ``key`` of :data:`MESSAGES` in ``lang`` with ``fields`` filled in (a missing field is a
    ``KeyError`` naming it).

    >>> say("controller", "de", path="out/Controller.xlsm")
    'Controller-Arbeitsmappe: out/Controller.xlsm'
    """
    return MESSAGES[key][lang].format(**fields)
