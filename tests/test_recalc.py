"""kam_xl.testing.recalc: recalculation of .xlsx files with LibreOffice (soffice --headless).

These tests really run LibreOffice; they are not skipped when it is missing but fail, because the project's
CI installs it (``apt-get install -y --no-install-recommends libreoffice-calc``). The workbooks are written by
xlsxwriter with deliberately *wrong* cached results, so a passing comparison proves LibreOffice recalculated.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import xlsxwriter

from kam_xl.testing import recalc
from kam_xl.testing.recalc import (
    RECALC_NEVER,
    error_cells,
    find_soffice,
    is_error_value,
    read_defined_names,
    read_values,
    recalculate,
)

WRONG = -999_999  # cached value xlsxwriter writes for formulas whose true result is something else


@pytest.fixture(scope="module", autouse=True)
def soffice() -> str:
    """The LibreOffice executable; its absence is a failure, not a skip."""
    found = find_soffice()
    if found is None:
        pytest.fail("LibreOffice not found (soffice): install it with "
                    "`apt-get install -y --no-install-recommends libreoffice-calc`")
    return found


def _formulas_book(path: Path) -> Path:
    """Numbers and formulas over two sheets and three defined names; every cached result is wrong on purpose."""
    wb = xlsxwriter.Workbook(path)
    data = wb.add_worksheet("Data")
    for row, (amount, qty) in enumerate([(10, 2), (20, 3), (30, 4), (40, 5)]):
        data.write_number(row, 0, amount)
        data.write_number(row, 1, qty)
    data.write_number("C1", 0.25)
    wb.define_name("Rate", "=Data!$C$1")
    wb.define_name("Amounts", "=Data!$A$1:$A$4")
    wb.define_name("Threshold", "=50")
    calc = wb.add_worksheet("Calc")
    calc.write_formula("B1", "=SUM(Data!A1:A4)", None, WRONG)  # 100
    calc.write_formula("B2", "=SUMPRODUCT(Data!A1:A4,Data!B1:B4)", None, WRONG)  # 20+60+120+200 = 400
    calc.write_formula("B3", '=IF(B1>Threshold,"big","small")', None, "wrong")  # "big"
    calc.write_formula("B4", "=IFERROR(Data!A1/0,-1)", None, WRONG)  # -1
    calc.write_formula("B5", "=Data!A4/Data!B4", None, WRONG)  # 40 / 5 = 8
    calc.write_formula("B6", "=Data!A2", None, WRONG)  # cross-sheet reference: 20
    calc.write_formula("B7", "=B1*Rate", None, WRONG)  # defined name: 100 * 0.25 = 25
    calc.write_formula("B8", "=SUM(Amounts)*2", None, WRONG)  # range name: 200
    wb.close()
    return path


def _sum_book(path: Path, a: float, b: float, formula: str = "=A1+B1", cached: float = WRONG) -> Path:
    """One sheet "S": A1 = a, B1 = b, C1 = formula with the given cached result."""
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("S")
    ws.write_number("A1", a)
    ws.write_number("B1", b)
    ws.write_formula("C1", formula, None, cached)
    wb.close()
    return path


def test_recalculated_values_replace_the_wrong_cache(tmp_path: Path) -> None:
    source = _formulas_book(tmp_path / "formulas.xlsx")
    assert read_values(source)["Calc"]["B1"] == WRONG  # the cache really is wrong before recalculation

    [out] = recalculate([source], tmp_path / "out")

    assert out == (tmp_path / "out" / "formulas.xlsx").resolve()
    calc = read_values(out)["Calc"]
    assert calc == {"B1": 100, "B2": 400, "B3": "big", "B4": -1, "B5": 8, "B6": 20, "B7": 25, "B8": 200}
    assert error_cells(read_values(out)) == []
    assert read_defined_names(out) == {"Rate": 0.25, "Amounts": [[10], [20], [30], [40]], "Threshold": 50}


def python_reference(a: float, b: float) -> float:
    """What the formula in C1 is meant to compute."""
    return a + b


def test_setup_proof_a_wrong_formula_with_a_correct_cache_is_detected(tmp_path: Path) -> None:
    """The formula is wrong (A1*B1 instead of A1+B1) but carries the correct cached value 5: only a real
    recalculation reveals the mistake. With OOXMLRecalcMode = 1 (never) LibreOffice keeps the stale cache
    and the comparison would wrongly pass: this is why the always-recalculate profile setting matters."""
    expected = python_reference(2, 3)
    source = _sum_book(tmp_path / "wrong_formula.xlsx", 2, 3, formula="=A1*B1", cached=expected)

    [always] = recalculate([source], tmp_path / "always")
    recalculated = read_values(always)["S"]["C1"]
    assert recalculated == 6
    assert recalculated != expected  # the comparison with the Python reference detects the wrong formula

    [never] = recalculate([source], tmp_path / "never", recalc_mode=RECALC_NEVER)
    assert read_values(never)["S"]["C1"] == expected  # stale cache kept: the wrong formula would go unnoticed


def test_division_by_zero_is_reported_by_error_cells(tmp_path: Path) -> None:
    source = _sum_book(tmp_path / "div0.xlsx", 1, 0, formula="=A1/B1")
    [out] = recalculate([source], tmp_path / "out")
    values = read_values(out)
    assert values["S"]["C1"] == "#DIV/0!"
    assert error_cells(values) == ["S!C1: #DIV/0!"]


def test_five_files_in_one_call_keep_input_order(tmp_path: Path) -> None:
    sources = [_sum_book(tmp_path / f"book_{name}.xlsx", i, 10 * i) for i, name in enumerate("edcba", start=1)]
    started = time.perf_counter()
    outputs = recalculate(sources, tmp_path / "out")
    elapsed = time.perf_counter() - started
    print(f"recalculate: {len(sources)} files in {elapsed:.2f} s, {elapsed / len(sources):.2f} s per file")

    assert [p.name for p in outputs] == [p.name for p in sources]
    assert [read_values(p)["S"]["C1"] for p in outputs] == [python_reference(i, 10 * i) for i in range(1, 6)]


def test_concurrent_calls_use_separate_profiles(tmp_path: Path) -> None:
    left = [_sum_book(tmp_path / f"left{i}.xlsx", i, 100) for i in range(3)]
    right = [_sum_book(tmp_path / f"right{i}.xlsx", i, 1000) for i in range(3)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(recalculate, files, tmp_path / f"out_{n}") for n, files in (("l", left), ("r", right))]
        out_left, out_right = (f.result(timeout=120) for f in futures)
    assert [read_values(p)["S"]["C1"] for p in out_left] == [100, 101, 102]
    assert [read_values(p)["S"]["C1"] for p in out_right] == [1000, 1001, 1002]


def test_missing_input_file_is_named(tmp_path: Path) -> None:
    present = _sum_book(tmp_path / "present.xlsx", 1, 2)
    with pytest.raises(RuntimeError, match="absent.xlsx") as info:
        recalculate([present, tmp_path / "absent.xlsx"], tmp_path / "out")
    assert "present.xlsx" not in str(info.value)


def test_timeout_is_a_clear_error(tmp_path: Path) -> None:
    source = _sum_book(tmp_path / "slow.xlsx", 1, 2)
    with pytest.raises(RuntimeError, match=r"did not finish within .*slow\.xlsx"):
        recalculate([source], tmp_path / "out", timeout=0.05)


def test_missing_soffice_names_file_and_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = _sum_book(tmp_path / "book.xlsx", 1, 2)
    monkeypatch.setattr(recalc, "find_soffice", lambda: None)
    with pytest.raises(RuntimeError, match=r"not found.*book\.xlsx.*libreoffice-calc"):
        recalculate([source], tmp_path / "out")


def test_unusable_output_names_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = _sum_book(tmp_path / "a" / "same.xlsx", 1, 2)
    second = _sum_book(tmp_path / "b" / "same.xlsx", 3, 4)
    with pytest.raises(RuntimeError, match="would both be written"):
        recalculate([first, second], tmp_path / "out")
    with pytest.raises(RuntimeError, match="would overwrite its input"):
        recalculate([first], tmp_path / "a")
    assert recalculate([], tmp_path / "out") == []


def test_error_values_are_recognised() -> None:
    values = {"S": {"A1": 1, "A2": "#NAME?", "A3": "Err:502", "A4": "text", "A5": "#REF!", "A6": "Err:5"}}
    assert error_cells(values) == ["S!A2: #NAME?", "S!A3: Err:502", "S!A5: #REF!"]
    assert is_error_value("#VALUE!")
    assert not is_error_value(0)
