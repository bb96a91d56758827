"""``kam-xl report --lang de`` (issue 15, Docs and CLI): the views of issues 11 and 12 — ``relationships`` and
``programme`` — print German labels and German number style, like the accounts, resources and excellence views.
The expected numbers are the pure functions' results, formatted by hand (1.234 / 14,29)."""

from __future__ import annotations

from typer.testing import CliRunner

from kam_xl.buying_center import ContactStatus
from kam_xl.cli import app
from kam_xl.company_settings import company_settings
from kam_xl.coordination import databook_coordination
from kam_xl.databook import demo_databook
from kam_xl.organisation import decisions
from kam_xl.relationships import problem_lines, relationships_report, table_cells

runner = CliRunner()


def report(what: str, lang: str) -> str:
    result = runner.invoke(app, ["report", "--what", what, "--lang", lang], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    return result.stdout


def cells(text: str) -> list[list[str]]:
    """The cells of every table row of ``text``."""
    return [[c.strip() for c in line.strip("│").split("│")] for line in text.splitlines() if line.startswith("│")]


def test_relationships_cells_in_german_words_and_number_style():
    ka1 = relationships_report(demo_databook())[0]
    # one member with 1234 planned and 1000 done touchpoints, no min/max: the counts are grouped by thousands
    big = ka1.model_copy(update={"contacts": {"X": ContactStatus(min=None, max=None, planned=1234, done=1000,
                                                                   status="no_target")}})
    assert table_cells(big, "de")[4:6] == ["1.234/1.000", "0/0"]
    assert table_cells(big, "en")[4:6] == ["1,234/1,000", "0/0"]
    # KA-001 by hand (see test_relationships_report): 4 members, top management covered
    assert table_cells(ka1, "de")[:5] == ["4", "1", "1", "ja", "10/4"]
    assert problem_lines(ka1, "de")[:2] == ["ohne Manndecker: Petra Ohlsen", "mehrere Manndecker: Hannes Schäfer"]


def test_relationships_view_in_german():
    text = report("relationships", "de")
    assert "Beziehungen und Team — je Kunde (Planjahr)" in text
    for head in ("Kunde", "Mitglieder", "Warnungen"):
        assert head in text
    assert "  • RACI mit mehreren A: Preisverhandlung Folgejahr" in text  # KA-004, team_roles.csv
    assert "  • Warnungen: nur der Einkauf ist abgedeckt" in text  # KA-004's only_purchasing
    for english in ("┃ Account", "Members", "without Manndecker", "No problems"):
        assert english not in text


def test_programme_view_in_german_words_and_number_style():
    db = demo_databook()
    d = decisions(company_settings(db))
    assert round(d.line, 2) == 14.29 and d.part_time == 20.0  # Tabelle 5: line 100/7
    ka5 = next(c for c in databook_coordination(db) if c.account_id == "KA-005")
    assert ka5.territory.mean == 5.75 and ka5.territory.result == "global" and ka5.bu.result == "hoch"
    de, en = report("programme", "de"), report("programme", "en")
    for title in ("KAM-Programm — Kundenauswahl für Wachstum", "Koordinationsbedarf", "Organisationsentscheidungen",
                  "St. Galler Spannungsfelder", "St. Galler Umsetzungslogiken"):
        assert title in de
    assert ["Tabelle 5", "Linienmodell", "14,29"] in cells(de) and ["Table 5", "line model", "14.29"] in cells(en)
    ka5_de = next(line for line in de.splitlines() if line.startswith("│ KA-005") and "5,75" in line)
    assert [c.strip() for c in ka5_de.strip("│").split("│")] == [
        "KA-005", "5,00", "hoch", "5,75", "global", "national", "ja"]
    ka5_en = next(line for line in en.splitlines() if line.startswith("│ KA-005") and "5.75" in line)
    assert [c.strip() for c in ka5_en.strip("│").split("│")][1:5] == ["5.00", "high", "5.75", "global"]
    assert "Wachstumskandidaten (alle drei Filter ja): KA-001, KA-002, KA-004, KA-008" in de
    assert "Phase: aufbauen" in de and "phase: build" in en


# --- every view at a narrow terminal: nothing cut (issue 15, new-user run) ------------------------------------------

def rendered_tables(text: str) -> list[tuple[list[str], list[str]]]:
    """(headers, column texts) of every table drawn in ``text``: the lines of a wrapped header joined by one
    space; a column's text is all its lines, top to bottom, joined by one space (so a wrapped value reads whole)."""
    tables: list[tuple[list[str], list[str]]] = []
    head: list[list[str]] = []
    body: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith("┏"):
            head, body = [], []
        elif line.startswith("┃"):
            head.append([c.strip() for c in line.strip("┃").split("┃")])
        elif line.startswith("│"):
            body.append([c.strip() for c in line.strip("│").split("│")])
        elif line.startswith("└"):
            tables.append(([" ".join(x for x in col if x) for col in zip(*head, strict=True)],
                           [" ".join(x for x in col if x) for col in zip(*body, strict=True)]))
    return tables


def test_every_view_fits_80_columns_with_every_header_and_value_whole(monkeypatch):
    """At width 80 every view (both languages) draws tables no wider than the terminal, without "…",
    and each header and value of the view's tables appears whole (wrapped only between words) in one of the
    parts, the parts repeating the account column."""
    from rich.console import Console
    from rich.text import Text

    import kam_xl.cli as cli

    given: list = []

    def recording(table, console, keys=1, lang="en"):
        given.append(table)
        return fit_table(table, console, keys, lang)

    fit_table = cli.fit_table
    monkeypatch.setattr(cli, "fit_table", recording)
    for width in (80,):
        for what in ("accounts", "resources", "excellence", "relationships", "programme"):
            for lang in ("de", "en"):
                given.clear()
                monkeypatch.setattr(cli, "out", Console(width=width, soft_wrap=True))
                text = report(what, lang)
                drawn = [ln for ln in text.splitlines() if ln[:1] in "┏┃│┡└"]
                assert drawn and all(len(ln) <= width and "…" not in ln for ln in drawn), (what, lang, width)
                parts = rendered_tables(text)
                shown: dict[str, str] = {}  # header → the texts of the columns under it (a header may recur)
                for heads, cols in parts:
                    for h, col in zip(heads, cols, strict=True):
                        shown[h] = f"{shown.get(h, '')} | {col}"
                for table in given:
                    for column in table.columns:
                        assert str(column.header) in shown, (what, lang, width, column.header)
                        for cell in column.cells:
                            plain = " ".join(Text.from_markup(str(cell)).plain.split())
                            assert plain in shown[str(column.header)], (what, lang, width, column.header, plain)
                first = {heads[0] for heads, _ in parts}
                assert first <= {"Kunde", "Account", "Region", "Befragte(r)", "Respondent", "Tabelle", "Table",
                                 "Feld", "Field", "Logik", "Logic"}, first


def test_relationships_de_at_80_columns_is_split_with_the_account_repeated(monkeypatch):
    """The German relationship table (13 columns) does not fit 80 columns: it is printed in parts of whole
    columns, each starting with the account."""
    from rich.console import Console

    import kam_xl.cli as cli

    monkeypatch.setattr(cli, "out", Console(width=80, soft_wrap=True))
    text = report("relationships", "de")
    parts = rendered_tables(text)
    assert len(parts) >= 2 and "Beziehungen und Team — je Kunde (Planjahr) (Teil 1/" in text
    heads = [h for p, _ in parts for h in p[1:]]
    assert heads == ["Mitglieder", "Ohne Manndecker", "Mehrere", "Top-Mgmt.", "Touchpoints", "Unter / über",
                     "Warnungen", "RACI-Aufgaben", "RACI-Verstöße", "SWOT leere Hebel", "KASP-Projekte",
                     "KASP-Befunde"]
    assert all(p[0] == "Kunde" and cols[0].startswith("KA-001 KA-002 KA-003") for p, cols in parts)


def test_a_table_is_split_into_whole_columns_and_a_word_longer_than_the_terminal_is_folded_not_cut():
    """fit_table at width 40: three columns of 12-letter words do not fit beside the key, so two parts repeat it;
    a 60-letter word cannot fit at all and is folded over lines (every letter printed, no "…")."""
    from rich.console import Console
    from rich.table import Table

    from kam_xl.report_tables import fit_table

    t = Table(title="T")
    for head in ("Kunde", "Aaaaaaaaaaaa", "Bbbbbbbbbbbb", "Cccccccccccc"):
        t.add_column(head)
    t.add_row("KA-1", "x" * 12, "y" * 12, "z" * 12)
    console = Console(width=40, record=True)
    parts = fit_table(t, console, 1, "de")
    assert [[str(c.header) for c in p.columns] for p in parts] == [
        ["Kunde", "Aaaaaaaaaaaa", "Bbbbbbbbbbbb"], ["Kunde", "Cccccccccccc"]]
    assert [p.title for p in parts] == ["T (Teil 1/2)", "T (Teil 2/2)"]
    long = Table(title="L")
    long.add_column("Kunde")
    long.add_column("Name")
    long.add_row("KA-1", "w" * 60)
    with console.capture() as cap:
        for part in fit_table(long, console, 1, "en"):
            console.print(part)
    text = cap.get()
    assert "…" not in text and text.count("w") == 60 and max(len(line) for line in text.splitlines()) <= 40
