"""Excel functions of the team tools (seed 004, RACI with R, A, S, I, C; :mod:`kam_xl.team`).

A RACI matrix in a sheet is a column of tasks, a row of team roles and a block of letter cells (tasks × roles),
each empty or holding any of R, A, S, I, C — several separated by commas (``"I, C"``), semicolons, slashes or
spaces, in any case.
"""

from __future__ import annotations

from typing import Annotated, Any

import xlwings as xw

from kam_xl.team import parse_letters, task_status
from kam_xl.vocabulary import LANGS
from udfs._cells import CellError, Grid, cell_arg, choice, excel_errors, grid, laid_out_like, range_arg, text, texts

Tasks = Annotated[Any, range_arg("column of the tasks")]
Roles = Annotated[Any, range_arg("row of the team roles (the column heads of the letters)")]
Letters = Annotated[Any, range_arg(
    "block of RACI letters, one row per task, one column per role: R, A, S, I, C, several with commas; empty = none")]
LabelLanguage = Annotated[Any, cell_arg("language of the status words: de (default) or en")]


@xw.func(category="KAM")
@excel_errors
def kam_raci_check(tasks: Tasks, roles: Roles, letters: Letters, lang: LabelLanguage = None) -> Grid:
    """Rule status per task, laid out like the tasks: ok when exactly one role holds A and at least one R,
    else what breaks (kein A, mehrere A, kein R). A letter other than R, A, S, I, C is an error."""
    language = choice(lang, "lang", {x: x for x in LANGS}, "de")
    names, heads, block = texts(tasks, "tasks"), texts(roles, "roles"), grid(letters)
    if len(block) != len(names) or any(len(row) != len(heads) for row in block):
        raise CellError(f"letters: {len(block)} × {len(block[0]) if block else 0} cells for {len(names)} tasks × "
                        f"{len(heads)} roles — allowed: one row per task, one column per role")
    statuses = []
    for task, row in zip(names, block, strict=True):
        cells = [parse_letters(text(v, f"letters ({task}, {role})", empty=True), f"letters ({task}, {role})")
                 for v, role in zip(row, heads, strict=True)]
        statuses.append(task_status(cells, language))
    return laid_out_like(statuses, tasks)
