"""The SHA-256 of every account plan's parts as ``generate`` writes them — to prove that a speed change leaves
the workbooks exactly as they were.

For each account it builds the plan as :func:`kam_xl.batch.generate_plan` does for a new file
(:meth:`AccountPlanData.from_databook` with the data book's reference, :func:`account_plan` with a fixed
generation time, the input snapshot in ``_meta``) and renders it with
:func:`~kam_xl.workbook.render.fill_workbook` into memory. The demo data book's accounts come in German and
English, then the first ``--accounts`` of a synthetic data book (``synthetic.py``) or of ``--data``.

Usage (two trees, the same output means plans identical part for part)::

    PYTHONPATH=/tmp/before python benchmarks/plan_digests.py --accounts 100 > before.txt
    PYTHONPATH=. python benchmarks/plan_digests.py --accounts 100 > after.txt
    cmp before.txt after.txt
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import io
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from kam_xl.databook import DataBook, demo_databook, read_databook
from kam_xl.vocabulary import Lang
from kam_xl.workbook import render
from kam_xl.workbook.account_plan import AccountPlanData, account_plan
from kam_xl.workbook.merge import regen_values, snapshot_meta

WHEN = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # fixed: the generation time is written into every plan


def plan_digest(db: DataBook, account_id: str, lang: Lang, reference: str) -> str:
    """The SHA-256 (hex) of the plan of ``account_id`` as generated from ``db`` (``reference``: its ``data_book``):
    of its zip parts' names and contents in order — the workbook, not how tightly its parts are deflated (session 8
    changed the deflate level; every part stayed the same)."""
    data = dataclasses.replace(AccountPlanData.from_databook(db, account_id), data_book=reference)
    book = account_plan(data, lang, WHEN)
    book.meta.update(snapshot_meta(regen_values(book)))
    buf = io.BytesIO()
    render.fill_workbook(book, buf).close()
    digest = hashlib.sha256()
    with zipfile.ZipFile(buf) as z:
        for name in z.namelist():
            digest.update(f"{name}\0".encode())
            digest.update(z.read(name))
    return digest.hexdigest()


def digests(db: DataBook, reference: str, langs: tuple[Lang, ...], limit: int | None = None) -> Iterator[str]:
    """One line per plan: data book reference, language, account id, digest."""
    for account in db.accounts[:limit]:
        for lang in langs:
            yield f"{reference} {lang} {account.account_id} {plan_digest(db, account.account_id, lang, reference)}"


def main(argv: list[str] | None = None) -> int:
    """Print the digests of the demo plans (de, en) and of ``--accounts`` synthetic (or ``--data``) plans."""
    ap = argparse.ArgumentParser(description="SHA-256 of generated account plans (byte-identity check).")
    ap.add_argument("--accounts", type=int, default=100, help="synthetic (or --data) plans after the demo's")
    ap.add_argument("--data", type=Path, help="a data book to take them from instead of a synthetic one")
    args = ap.parse_args(argv)
    for line in digests(demo_databook(), "demo", ("de", "en")):
        print(line)
    if args.data is not None:
        for line in digests(read_databook(args.data), str(args.data), ("de",), args.accounts):
            print(line)
        return 0
    from synthetic import write_synthetic

    with tempfile.TemporaryDirectory(prefix="kam_xl_digests_") as tmp:
        path = write_synthetic(args.accounts, Path(tmp) / "databook")[1]
        for line in digests(read_databook(path), "synthetic", ("de",)):
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
