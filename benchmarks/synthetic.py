"""Synthetic data books for the benchmarks: the demo data's accounts cloned under new ids.

Account ``i`` (0-based) of the synthetic book is a copy of demo account ``i mod 14`` with the id ``KA-0001``,
``KA-0002`` … and every row that belongs to it in every per-account table (CDB, activities, portfolio,
resources, KAOP, Kgb) copied with the new id. Tables that do not belong to an account (regions, excellence,
the Small Accounts rows of resources) are kept once, as they are.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from kam_xl.databook import DataBook, demo_databook, write_databook


def account_ids(n: int) -> list[str]:
    """The ids of ``n`` synthetic accounts: ``KA-0001`` … (more digits when ``n`` needs them).

    >>> account_ids(3)
    ['KA-0001', 'KA-0002', 'KA-0003']
    """
    width = max(4, len(str(n)))
    return [f"KA-{i:0{width}d}" for i in range(1, n + 1)]


def synthetic_databook(n: int, source: DataBook | None = None) -> DataBook:
    """A data book of ``n`` accounts cloned from ``source`` (default: the demo data book), in memory."""
    if n < 1:
        raise ValueError("n — allowed: 1 or more accounts")
    demo = source or demo_databook()
    templates = demo.accounts
    per_account: dict[str, dict[str, list[dict[str, Any]]]] = {}  # table -> template id -> rows
    shared: dict[str, list[dict[str, Any]] | None] = {}
    for name, rows in demo.tables.items():
        if name == "accounts":
            continue
        if rows is None or not rows or "account_id" not in rows[0]:
            shared[name] = None if rows is None else list(rows)
            continue
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        kept: list[dict[str, Any]] = []
        for r in rows:
            if r["account_id"] is None:
                kept.append(r)  # e.g. a region's Small Accounts row of resources
            else:
                groups[r["account_id"]].append(r)
        per_account[name] = groups
        shared[name] = kept
    accounts = []
    tables: dict[str, list[dict[str, Any]] | None] = {name: (None if rows is None else list(rows))
                                                      for name, rows in shared.items()}
    for i, new_id in enumerate(account_ids(n)):
        template = templates[i % len(templates)]
        accounts.append(template.model_copy(update={"account_id": new_id}))
        for name, groups in per_account.items():
            target = tables[name]
            assert target is not None
            target.extend({**r, "account_id": new_id} for r in groups.get(template.account_id, ()))
    tables["accounts"] = [a.model_dump() for a in accounts]  # as read_databook gives it
    return DataBook(source=f"synthetic:{n}", accounts=accounts, tables=tables)


def write_synthetic(n: int, folder: Path, source: DataBook | None = None) -> tuple[DataBook, Path]:
    """Make the synthetic data book of ``n`` accounts and write it as a CSV folder; returns both."""
    db = synthetic_databook(n, source)
    return db, write_databook(db, folder)
