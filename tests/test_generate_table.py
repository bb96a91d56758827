"""``generate``'s table: every workbook up to ``TABLE_ALL_ROWS_MAX``; above, only those with something to look at,
and a line that says how many others are left out."""

from __future__ import annotations

import re
from pathlib import Path

from kam_xl import cli
from kam_xl.plan_jobs import PlanResult


def _results(n: int) -> list[PlanResult]:
    """``n`` new plans, of which KA-0007 has a conflict (regenerated with a backup), KA-0011 failed and KA-0013 was
    regenerated without conflicts (with a backup)."""
    results = [PlanResult(f"KA-{i:04d}", Path(f"/out/KA-{i:04d}.xlsx"), "new") for i in range(n)]
    results[7] = PlanResult("KA-0007", Path("/out/KA-0007.xlsx"), "regenerated", conflicts=[("CDB", "D5", None)],
                            backup=Path("/out/_backup/KA-0007_20261130.xlsx"))  # type: ignore[list-item]
    results[11] = PlanResult("KA-0011", Path("/out/KA-0011.xlsx"), "error", problems=["KA-0011.xlsx: disk full"])
    results[13] = PlanResult("KA-0013", Path("/out/KA-0013.xlsx"), "regenerated",
                             backup=Path("/out/_backup/KA-0013_20261130.xlsx"))
    return results


def _rows(text: str) -> list[str]:
    """The account keys of the table's rows."""
    return re.findall(r"│ (KA-\d{4}) ", text)


def test_a_run_of_at_most_the_limit_lists_every_workbook(capsys):
    cli._print_generated(_results(cli.TABLE_ALL_ROWS_MAX), "/out", None, None, "de")
    text = capsys.readouterr().out
    assert _rows(text) == [f"KA-{i:04d}" for i in range(cli.TABLE_ALL_ROWS_MAX)]
    assert "nicht einzeln aufgeführt" not in text


def test_a_larger_run_lists_only_what_to_look_at_and_says_how_many_it_leaves_out(capsys):
    """Only errors and conflicts: a trial's rerun on new data regenerated 1,000 plans, and the two with a conflict
    were buried among 1,000 rows of "erneuert"."""
    cli._print_generated(_results(1_234), "/out", None, None, "de")
    text = capsys.readouterr().out
    assert _rows(text) == ["KA-0007", "KA-0011"]
    # a file not written is called so in the table as in the summary line (a trial saw "Fehler" beside it)
    assert re.search(r"│ KA-0011 +│ KA-0011\.xlsx +│ nicht geschrieben +│", text)
    assert "1.232 Arbeitsmappen ohne Fehler und Konflikte (neu, erneuert oder unverändert) sind nicht einzeln " \
           "aufgeführt (mehr als 100 Arbeitsmappen)" in text
    assert "1.231 neu, 2 erneuert, 1 nicht geschrieben; 1 Konflikt" in text  # the counts still cover every one


def test_a_large_run_with_nothing_to_look_at_prints_no_table_in_english(capsys):
    cli._print_generated(_results(500)[20:], "/out", None, "/out/Controller.xlsm", "en")
    text = capsys.readouterr().out
    assert _rows(text) == [] and text.startswith("kam-xl generate → /out\n")  # the title, where a table would be
    assert "480 workbooks without errors or conflicts (new, regenerated or unchanged) are not listed one by one " \
           "(more than 100 workbooks)" in text
    assert "Controller workbook: /out/Controller.xlsm" in text
