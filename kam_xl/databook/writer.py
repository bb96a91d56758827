"""Writing a data book as .xlsx or as a folder of CSV files — text always as text."""

from __future__ import annotations

from pathlib import Path

from kam_xl import csvio
from kam_xl.databook.model import DataBook
from kam_xl.databook.schema import TABLES
from kam_xl.errors import KamInputError


def write_databook(db: DataBook, path: str | Path, replace: bool = False) -> Path:
    """Write a data book as ``.xlsx`` (one sheet per table) or, for any other path, as a folder of CSV files.

    Text is always written as text (a name beginning with ``=`` stays a name, never a formula): in the
    workbook as a string cell, in CSV files guarded by a leading ``'`` (:func:`kam_xl.csvio.write_csv`, which
    also says why the CSV files are UTF-8 with BOM, ``;``-separated with decimal comma). Files are
    written atomically; an existing non-empty folder or an existing file is refused, never overwritten —
    except an existing .xlsx with ``replace=True`` (for kam_xl's own outputs), which is replaced atomically.
    """
    from kam_xl.files import write_atomic

    path = Path(path)
    if path.exists() and not (replace and path.is_file() and path.suffix.lower() == ".xlsx") and (
            path.is_file() or any(path.iterdir())):
        raise KamInputError(f"{path} already exists — allowed: a new .xlsx file or an empty folder")
    tables = {"accounts": [a.model_dump() for a in db.accounts]}
    tables.update({k: v for k, v in db.tables.items() if v is not None and k != "accounts"})
    if path.suffix.lower() == ".xlsx":
        def write(tmp: Path) -> None:
            import xlsxwriter

            # constant_memory: each row goes to the sheet's file as soon as the next begins (rows are written in
            # order), so a collected export of 10,000 accounts (~1.4 million rows) does not sit in memory as cells
            wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_numbers": False,
                                                "constant_memory": True})
            bold = wb.add_format({"bold": True})
            for name, rows in tables.items():
                ws = wb.add_worksheet(name)
                cols = TABLES[name].columns
                for j, col in enumerate(cols):
                    ws.write_string(0, j, col.name, bold)
                    ws.set_column(j, j, max(12, len(col.name) + 2))
                for i, row in enumerate(rows, start=1):
                    for j, col in enumerate(cols):
                        value = row.get(col.name)
                        if value is None:
                            continue
                        if isinstance(value, bool):
                            ws.write_boolean(i, j, value)
                        elif isinstance(value, int | float):
                            ws.write_number(i, j, value)
                        else:
                            ws.write_string(i, j, str(value))
                ws.freeze_panes(1, 0)
            wb.close()

        return write_atomic(path, write)
    path.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        cols = [c.name for c in TABLES[name].columns]
        csvio.write_csv(path / f"{name}.csv", cols, ([r.get(c) for c in cols] for r in rows))
    return path
