"""The regeneration soak (``tools/regen_soak.py``) in small: a few seeded cycles of random typing and structural
data-book changes, and its oracle on hand-made cases (so a broken checker cannot pass for a working merge)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from kam_xl.batch import PlanResult
from kam_xl.workbook.merge import Conflict

_SPEC = importlib.util.spec_from_file_location("regen_soak", Path(__file__).parents[1] / "tools" / "regen_soak.py")
assert _SPEC is not None and _SPEC.loader is not None
soak = importlib.util.module_from_spec(_SPEC)
sys.modules["regen_soak"] = soak
_SPEC.loader.exec_module(soak)

VOL_A = ("kaop", "plan", "Produkt A", 1, "volume")
VOL_B = ("kaop", "plan", "Produkt B", 1, "volume")


def _check(typed_value: float, cells: dict, now: dict, conflicts: list[Conflict] = ()) -> object:
    counts = soak.Counts()
    typed = {VOL_A: soak.Typed(VOL_A, "kaop_plan_volume", typed_value, 10.0, 1)}
    counts.ever_typed.add(typed_value)
    result = PlanResult("KA-1", Path("plan.xlsx"), "regenerated",
                        conflicts=[("KAOP", "C20", c) for c in conflicts])
    soak.check(result, typed, {VOL_A: 10.0, VOL_B: 20.0}, now, cells, 2, ["products reordered"], counts)
    return counts


def test_oracle_counts_a_value_moved_to_another_key() -> None:
    """Products reordered, and the KAM's 123.45 for A ended up in B's row: moved, not kept."""
    counts = _check(123.45, {VOL_A: (("kaop_plan_volume", 1, 0), 10.0), VOL_B: (("kaop_plan_volume", 0, 0), 123.45)},
                    {VOL_A: 10.0, VOL_B: 20.0})
    assert (counts.kept, counts.moved, counts.lost) == (0, 1, 0)
    assert "moved" in counts.failures[0] and "Produkt B" in counts.failures[0]


def test_oracle_keeps_a_value_at_its_key_and_wants_the_conflict_reported() -> None:
    cells = {VOL_A: (("kaop_plan_volume", 1, 0), 123.45), VOL_B: (("kaop_plan_volume", 0, 0), 20.0)}
    unreported = _check(123.45, cells, {VOL_A: 11.0, VOL_B: 20.0})  # the data changed under the typed value
    assert (unreported.kept, unreported.conflicts_expected, unreported.conflicts_reported) == (1, 1, 0)
    reported = _check(123.45, cells, {VOL_A: 11.0, VOL_B: 20.0},
                      [Conflict("kaop_plan_volume", 1, 0, 10.0, 123.45, 11.0)])
    assert (reported.conflicts_expected, reported.conflicts_reported, reported.ok) == (1, 1, True)


def test_oracle_accepts_a_removed_key_only_when_reported() -> None:
    """Product A left the data and the plan: fine when the KAM's value is in the conflict report, lost if not."""
    cells = {VOL_B: (("kaop_plan_volume", 0, 0), 20.0)}
    lost = _check(123.45, cells, {VOL_B: 20.0})
    assert (lost.lost, lost.ok) == (1, False)
    listed = _check(123.45, cells, {VOL_B: 20.0}, [Conflict("kaop_plan_volume", 1, 0, 10.0, 123.45, None)])
    assert (listed.lost, listed.conflicts_reported, listed.ok) == (0, 1, True)


def test_small_soak_loses_and_moves_nothing(tmp_path: Path) -> None:
    """8 seeded cycles over two plans: every typed value stays at its key or is reported, nothing moves."""
    counts = soak.run(8, seed=3, work=tmp_path, accounts=("KA-001", "KA-002"), uno_every=0)
    assert counts.cycles == 8 and counts.typed > 0 and counts.checked > counts.typed
    assert (counts.lost, counts.moved, counts.wrong, counts.refused) == (0, 0, 0, 0), "\n".join(counts.failures)
    assert counts.conflicts_reported == counts.conflicts_expected, "\n".join(counts.failures)
