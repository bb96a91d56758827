"""collect lets go of what it no longer needs before its controller step (the command's peak of memory): the data
book the plans were put on — with every account collected, most of its rows are in the tables the plans replace."""

from __future__ import annotations

import gc
import shutil
import threading
import weakref
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from kam_xl import batch, cli
from kam_xl.cli import app

runner = CliRunner()


def test_the_data_book_is_let_go_before_the_controller_is_written(tmp_path, demo_plans, monkeypatch):
    plans = Path(shutil.copytree(demo_plans, tmp_path / "plans"))
    bases: list[weakref.ref[Any]] = []
    real_base, real_write = cli._collect_base, batch.write_controller_result

    def collect_base(*args: Any, **kwargs: Any) -> Any:
        base, said = real_base(*args, **kwargs)
        bases.append(weakref.ref(base))
        return base, said

    alive_then: list[bool] = []

    def write_controller(db: Any, *args: Any, **kwargs: Any) -> Any:
        gc.collect()
        alive_then.append(bases[0]() is not None)
        assert db.accounts  # the consolidated book itself is handed over whole
        return real_write(db, *args, **kwargs)

    monkeypatch.setattr(cli, "_collect_base", collect_base)
    monkeypatch.setattr(batch, "write_controller_result", write_controller)
    result = runner.invoke(app, ["collect", str(plans)])
    assert result.exit_code == 0, result.output
    assert "14 Pläne" in result.stdout
    assert alive_then == [False]


def test_freed_memory_is_given_back_before_the_controller_step(tmp_path, demo_plans, monkeypatch):
    """What reading the plans, the data book and the old controller freed is given back to the system
    (:func:`kam_xl.heap.give_back`) once they are let go and before the controller is written — and what
    carrying the old controller's inputs freed, before its sheets are laid out; the thread that read those
    inputs gives back what it freed when done."""
    plans = Path(shutil.copytree(demo_plans, tmp_path / "plans"))
    runner.invoke(app, ["collect", str(plans)])  # a controller to carry from
    steps: list[str] = []
    real_write = batch.write_controller_result
    real_xlsm = cli._xlsm_book()

    def write_controller(*args: Any, **kwargs: Any) -> Any:
        steps.append("controller")
        return real_write(*args, **kwargs)

    def laid_out(*args: Any, **kwargs: Any) -> Any:
        steps.append("carried")
        return real_xlsm(*args, **kwargs)

    def give_back() -> bool:
        main = threading.current_thread() is threading.main_thread()
        steps.append("given back" if main else f"given back by {threading.current_thread().name}")
        return True

    monkeypatch.setattr(cli, "give_back", give_back)
    monkeypatch.setattr(batch, "give_back", give_back)
    monkeypatch.setattr(batch, "write_controller_result", write_controller)
    monkeypatch.setattr(cli, "_xlsm_book", lambda: laid_out)
    result = runner.invoke(app, ["collect", str(plans)])
    assert result.exit_code == 0, result.output
    # the old controller's inputs, read in a thread while the plans were, are given back by that thread
    assert steps == ["given back by kam_xl-controller-inputs", "given back", "controller", "carried", "given back"]


def test_large_blocks_are_kept_apart_before_anything_is_read(tmp_path, demo_plans, monkeypatch):
    """glibc's mmap threshold is fixed (:func:`kam_xl.heap.keep_large_blocks_apart`) before the plans are read,
    so that the export's growing columns leave no resident holes in the heap."""
    plans = Path(shutil.copytree(demo_plans, tmp_path / "plans"))
    steps: list[str] = []
    real_collect = batch.collect_export

    def collect_export(*args: Any, **kwargs: Any) -> Any:
        steps.append("read")
        return real_collect(*args, **kwargs)

    monkeypatch.setattr(cli, "keep_large_blocks_apart", lambda: steps.append("apart") or True)
    monkeypatch.setattr(batch, "collect_export", collect_export)
    result = runner.invoke(app, ["collect", str(plans)])
    assert result.exit_code == 0, result.output
    assert steps == ["apart", "read"]
