"""Where kam_xl's time goes when it generates account plans (``jobs=1``), phase by phase.

The phases are timed by calling kam_xl's own functions one after the other for every account, as
:func:`kam_xl.batch.generate_plan` does for a new file — nothing in kam_xl is changed or patched:

* ``read data book`` — :func:`~kam_xl.databook.read_databook` (once per run);
* ``account data`` — the account's rows from the data book (:meth:`AccountPlanData.from_databook`);
* ``compute`` — the KAM methods alone: :func:`~kam_xl.cdb.cdb_statement`, :func:`~kam_xl.portfolio.portfolio_band`
  and the Kgb scoring (:func:`~kam_xl.kgb.score_card`, ranks, weight checks), called directly;
* ``layout`` — :func:`~kam_xl.workbook.account_plan.account_plan` minus ``compute`` (it calls those too);
* ``input snapshot`` — :func:`~kam_xl.workbook.merge.regen_values`, :func:`~kam_xl.workbook.merge.snapshot_meta`
  and the file name;
* ``render: xlsxwriter calls`` / ``render: XML + zip`` — :func:`~kam_xl.workbook.render.fill_workbook` (the
  cell, validation, name, chart … calls) writing into memory (a ``BytesIO``), then ``close()``;
* ``file I/O`` — writing the finished bytes through :func:`kam_xl.files.write_atomic` (temporary file,
  ``fsync``, atomic rename). :func:`~kam_xl.workbook.render.write_book` is exactly ``fill_workbook`` into the
  temporary file, ``close()`` and this.

The run starts, like a fresh ``kam-xl generate`` process, with the renderer's formula cache empty, and each
account's phases run with the cyclic garbage collector paused, as :class:`kam_xl.batch.PlanJob` writes a plan
(the collections left for after a plan are timed as ``garbage collection``). Not in it:
the controller workbook and the process pool of ``--jobs`` — ``commands.py`` times the whole command; the
difference is theirs.

Usage: ``python benchmarks/phases.py [--accounts 200]`` (prints the table; files go to a temporary folder).
"""

from __future__ import annotations

import gc
import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from time import process_time as perf_counter  # CPU time: the machine is shared (see README)

from kam_xl import cycles
from kam_xl.batch import plan_filename
from kam_xl.cdb import CdbInput, cdb_statement
from kam_xl.databook import DataBook, read_databook
from kam_xl.files import write_atomic
from kam_xl.kgb import score_card, supplier_ranks, value_driver_ranks, weight_sum, weights_complete
from kam_xl.portfolio import portfolio_band
from kam_xl.workbook import render
from kam_xl.workbook.account_plan import AccountPlanData, account_plan
from kam_xl.workbook.layout import Book
from kam_xl.workbook.merge import regen_values, snapshot_meta


@dataclass
class Profile:
    """Seconds spent per phase over all accounts (see the module doc)."""

    accounts: int = 0
    phases: dict[str, float] = field(default_factory=dict)
    bytes_written: int = 0

    def add(self, phase: str, seconds: float) -> None:
        """Add ``seconds`` to ``phase``."""
        self.phases[phase] = self.phases.get(phase, 0.0) + seconds

    @property
    def total(self) -> float:
        """The sum of all phases."""
        return sum(self.phases.values())


def compute_only(data: AccountPlanData) -> None:
    """The KAM methods an account plan's sheets call for their cached values, without building any layout:
    CDB statement and portfolio band, Kgb scoring, the KAOP plan/actual comparison and the excellence score
    (the last two only where the account plan has those sheets)."""
    st = cdb_statement(data.cdb or CdbInput(gross_sales=0), list(data.activities))
    portfolio_band(st.cdb_iii_rel)
    for card in data.kgb_cards:
        result = score_card(card)
        value_driver_ranks(result)
        supplier_ranks(result, [card.own_supplier, *card.competitors])
        weights = list(card.weights)
        weight_sum(weights)
        weights_complete(weights)
    kaop_data = getattr(data, "kaop", None)
    if kaop_data is not None:
        from kam_xl.kaop import compare, cost_lines, kaop_plan

        plan_kp, actual_kp = kaop_plan(*kaop_data.plan), kaop_plan(*kaop_data.actual)
        compare(plan_kp, actual_kp, thresholds=kaop_data.thresholds)
        plan_lines = cost_lines(kaop_data.plan[1], plan_kp)
        cost_lines(kaop_data.actual[1], actual_kp, default={c: b for c, (b, _) in plan_lines.items()})
    if hasattr(data, "excellence"):
        from kam_xl.excellence import Response, load_catalogue, score_response, summarise_dimensions
        from kam_xl.workbook.account_plan import ACCOUNT_DIMENSIONS

        catalogue = load_catalogue()
        result = score_response(catalogue, data.excellence or Response(respondent="-", answers=[]))
        summarise_dimensions(result, list(ACCOUNT_DIMENSIONS))


def render_in_memory(book: Book) -> tuple[bytes, float, float]:
    """Render ``book`` as :func:`kam_xl.workbook.render.write_book` does
    (:func:`~kam_xl.workbook.render.fill_workbook`), but into memory; returns the bytes, the seconds of the
    xlsxwriter calls and the seconds of ``close()`` (XML and zip)."""
    t0 = perf_counter()
    buf = io.BytesIO()
    wb = render.fill_workbook(book, buf)
    t1 = perf_counter()
    wb.close()
    t2 = perf_counter()
    return buf.getvalue(), t1 - t0, t2 - t1


def profile_generation(data_path: Path, out_dir: Path, now: datetime, lang: str = "de") -> Profile:
    """Time every phase of generating all plans of the data book at ``data_path`` into ``out_dir`` (new
    files), calling kam_xl's functions directly."""
    prof = Profile()
    out_dir.mkdir(parents=True, exist_ok=True)
    render._PREPARED.clear()
    gc.collect()
    t = perf_counter()
    db = read_databook(data_path)
    prof.add("read data book", perf_counter() - t)
    for account in db.accounts:
        with cycles.paused():  # as PlanJob writes a plan
            _profile_account(db, account.account_id, out_dir, now, lang, prof)
            t = perf_counter()  # the clock read before the collector is back: its first run is counted below
        gc.collect(0)  # what the collector finds of the plan once it runs again (generation 0: the plan's cycles)
        prof.add("garbage collection", perf_counter() - t)
    return prof


def _profile_account(db: DataBook, aid: str, out_dir: Path, now: datetime, lang: str, prof: Profile) -> None:
    """Time the phases of one account's plan (see :func:`profile_generation`) into ``prof``."""
    t = perf_counter()
    acc = next(a for a in db.accounts if a.account_id == aid)  # as generate_plan looks it up
    data = AccountPlanData.from_databook(db, aid)
    prof.add("account data", perf_counter() - t)

    t = perf_counter()
    compute_only(data)
    compute = perf_counter() - t
    prof.add("compute", compute)

    t = perf_counter()
    book = account_plan(data, lang, now)  # type: ignore[arg-type]
    prof.add("layout", perf_counter() - t - compute)

    t = perf_counter()
    target = out_dir / plan_filename(acc)
    book.meta.update(snapshot_meta(regen_values(book)))  # the snapshot generate writes
    prof.add("input snapshot", perf_counter() - t)

    content, calls, close = render_in_memory(book)
    prof.add("render: xlsxwriter calls", calls)
    prof.add("render: XML + zip", close)

    t = perf_counter()
    write_atomic(target, lambda tmp, content=content: tmp.write_bytes(content))  # type: ignore[misc]
    prof.add("file I/O (atomic write + fsync)", perf_counter() - t)
    prof.bytes_written += len(content)
    prof.accounts += 1


def main(argv: list[str] | None = None) -> int:
    """Profile generating the plans of a synthetic data book of ``--accounts`` accounts; print the phases."""
    import argparse
    import tempfile
    from datetime import UTC

    from synthetic import write_synthetic

    ap = argparse.ArgumentParser(description="Where kam_xl's time goes when it generates plans (jobs=1).")
    ap.add_argument("--accounts", type=int, default=200, help="accounts of the synthetic data book (default 200)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kam_xl_phases_") as tmp:
        data = write_synthetic(args.accounts, Path(tmp) / "databook")[1]
        prof = profile_generation(data, Path(tmp) / "plans", datetime.now(UTC).replace(microsecond=0))
    print(f"| phase ({prof.accounts} plans, jobs=1, in one process) | CPU s | ms/plan | share |\n|---|---:|---:|---:|")
    for phase, s in prof.phases.items():
        print(f"| {phase} | {s:.2f} | {1000 * s / prof.accounts:.1f} | {100 * s / prof.total:.0f} % |")
    print(f"| total | {prof.total:.2f} | {1000 * prof.total / prof.accounts:.1f} | |")
    print(f"file size per plan {prof.bytes_written / prof.accounts / 1024:.1f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
