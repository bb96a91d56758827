"""The rules across rows and tables of a data book: keys, known accounts, one cost form, Kgb cards,
excellence criteria, thresholds, regions. Each adds its problems to the list it is given."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from kam_xl.databook.parsing import ParsedTable
from kam_xl.databook.schema import Problem
from kam_xl.errors import KamInputError
from kam_xl.excellence import Catalogue
from kam_xl.kgb import normalise_weights
from kam_xl.text import key_of

#: How many rows' keys are compared at once: the accounts' rows of a table keyed by account are taken together
#: until this many (a key twice can only be within one account, so a batch without one has none in any).
KEY_BATCH = 16384


def _check_keys(t: ParsedTable, problems: list[Problem]) -> None:
    """Duplicate keys. For tables keyed by account, rows are compared within their account (a duplicate can
    only be there), so the keys held are those of a batch of accounts (:data:`KEY_BATCH` rows)."""
    key_cols = [t.names.index(k) for k in t.table.key]
    if not key_cols:
        return
    per_account = "account_id" in t.table.key and t.table.name != "resources"
    groups = t.rows.index_by("account_id").values() if per_account else [range(len(t))]
    values = [t.rows.key_values(c) for c in key_cols]
    batch: list[Sequence[int]] = []
    size = 0
    for group in groups:
        batch.append(group)
        size += len(group)
        if size >= KEY_BATCH:
            _batch_keys(t, batch, key_cols, values, problems)
            batch, size = [], 0
    _batch_keys(t, batch, key_cols, values, problems)


def _batch_keys(t: ParsedTable, groups: list[Sequence[int]], key_cols: list[int], values: list[Sequence[Any]],
                problems: list[Problem]) -> None:
    """The duplicate keys within each of ``groups`` (row numbers of the table), ``values`` the key columns as
    compared (:meth:`TableRows.key_values`): all groups' keys at once first, the usual case of none twice."""
    span = _span(groups)
    if span is not None:  # the groups are the rows from … to … (a file sorted by account): slices of the columns
        keys = list(zip(*(v[span] for v in values), strict=True))
    else:
        rows = list(itertools.chain.from_iterable(groups))
        keys = list(zip(*(map(v.__getitem__, rows) for v in values), strict=True))
    if len(set(keys)) == len(keys):
        return  # no key twice: nothing to report
    may_be_empty = {t.names.index("account_id")} if t.table.name == "resources" else set()
    must = [j for j, c in enumerate(key_cols) if c not in may_be_empty]  # a key with one of these empty is no key
    whole = len(must) == len(key_cols)
    for group in groups:
        seen: dict[tuple[Any, ...], int] = {}
        for i in group:
            key = tuple(t.rows.value(i, c) for c in key_cols)  # as read: an empty cell is None
            if (None in key) if whole else any(key[j] is None for j in must):
                continue
            if key in seen:
                shown = ", ".join(f"{k}={v if v is not None else '(empty)'}" for k, v in zip(t.table.key, key,
                                                                                             strict=True))
                problems.append(t.problem(i, None, f"duplicate row for {shown} — first given in row {seen[key]}; "
                                                   "allowed: one row each"))
            else:
                seen[key] = t.numbers[i]


def _span(groups: list[Sequence[int]]) -> slice | None:
    """The rows of ``groups`` (each ascending) as one slice when together they are consecutive rows in order."""
    if not groups or not all(groups):
        return None
    start = end = groups[0][0]
    for g in groups:
        if g[0] != end or g[-1] - g[0] + 1 != len(g):
            return None
        end = g[-1] + 1
    return slice(start, end)


def _check_accounts(tables: dict[str, ParsedTable], problems: list[Problem]) -> None:
    ids = set(tables["accounts"].column("account_id"))
    for name, t in tables.items():
        if name == "accounts" or "account_id" not in t.names:
            continue
        for aid, rows in t.rows.index_by("account_id").items():
            if aid is not None and aid not in ids:
                problems.extend(t.problem(i, "account_id", "unknown account — allowed: an account_id of the "
                                                           "accounts table", aid) for i in rows)
    accounts = tables["accounts"]
    for i, cur in enumerate(accounts.column("currency")):
        if cur is not None and not re.fullmatch(r"[A-Z]{3}", cur):
            problems.append(accounts.problem(i, "currency", "allowed: a three-letter ISO currency code such as EUR",
                                             cur))


def _check_costs(t: ParsedTable, problems: list[Problem]) -> None:
    for i, (amount, rate) in enumerate(zip(t.column("amount"), t.column("rate_of_revenue"), strict=True)):
        if (amount is None) == (rate is None):
            if (i, "amount") in t.bad or (i, "rate_of_revenue") in t.bad:
                continue  # an unreadable value is reported once, where it stands
            problems.append(t.problem(i, "amount", "give exactly one of amount and rate_of_revenue"))


def _check_kgb(t: ParsedTable, problems: list[Problem]) -> None:
    """Per card (account, segment): one weight per criterion, weights that sum up, exactly one own supplier.
    Cards are gathered one account at a time."""
    seg, crit, weight, supplier, own = (t.column(c) for c in ("segment", "criterion", "weight", "supplier", "own"))
    for aid, indices in t.rows.index_by("account_id").items():
        if aid is None:
            continue
        cards: dict[str, list[int]] = defaultdict(list)
        for i in indices:
            segment = seg[i]
            if segment is not None:
                cards[segment].append(i)
        for segment, card in cards.items():
            weights: dict[str, float] = {}
            for i in card:
                c, w = crit[i], weight[i]
                if c is None or w is None:
                    continue
                if c in weights and weights[c] != w:
                    problems.append(t.problem(i, "weight", f"weight of {c!r} in card {aid}/{segment} differs "
                                              f"from {weights[c]:g} given before — allowed: the same weight on "
                                              "every supplier row", w))
                weights.setdefault(c, w)
            if any((i, "weight") in t.bad for i in card):
                continue  # the unreadable weight is reported where it stands; its sum would only repeat it
            try:
                normalise_weights(list(weights.values()))
            except KamInputError as e:
                problems.append(t.problem(card[0], "weight", f"card {aid}/{segment}: {e}"))
            owns = {supplier[i] for i in card if own[i]}
            if len(owns) != 1:
                problems.append(Problem(file=t.src.file, sheet=t.src.sheet, row=t.numbers[card[0]], column="own",
                                        message=f"card {aid}/{segment} marks {len(owns)} suppliers as own "
                                                f"({', '.join(sorted(owns)) or 'none'}) — allowed: exactly one"))


def _check_excellence(t: ParsedTable, problems: list[Problem], cat: Catalogue) -> None:
    known = {r.criterion.id for r in cat.criteria()}
    roles: dict[str, str | None] = {}
    for i, (cid, who, role) in enumerate(zip(t.column("criterion_id"), t.column("respondent"), t.column("role"),
                                             strict=True)):
        if cid is not None and cid not in known:
            problems.append(t.problem(i, "criterion_id", f"unknown criterion — allowed: an id of catalogue "
                                      f"{cat.id} {cat.version} such as SW-2.1", cid))
        if who in roles and role != roles[who]:
            problems.append(t.problem(i, "role", f"respondent {who!r} has role {roles[who]!r} in an "
                                      "earlier row — allowed: one role per respondent", role))
        roles.setdefault(who, role)


def _check_thresholds(t: ParsedTable, problems: list[Problem]) -> None:
    """Traffic-light thresholds: amber not above green."""
    for i, (green, amber) in enumerate(zip(t.column("threshold_green"), t.column("threshold_amber"), strict=True)):
        if green is not None and amber is not None and green < amber:
            problems.append(t.problem(i, "threshold_amber", f"above the green threshold {green:g} — allowed: "
                                                            "amber ≤ green", amber))


def _check_regions(tables: dict[str, ParsedTable], problems: list[Problem]) -> None:
    if "resources" not in tables or "regions" not in tables:
        return
    regions = set(tables["regions"].column("region"))
    resources = tables["resources"]
    for i, region in enumerate(resources.column("region")):
        if region is not None and region not in regions:
            problems.append(resources.problem(i, "region", f"region not in the regions table — allowed: "
                                              f"{', '.join(sorted(regions))}", region))



#: A KAOP measure's links (issue 11): its column, the table and column of what it names, and how the problem says
#: it (the KASP project a measure starts, the SWOT entry it answers).
MEASURE_LINKS = (("kasp_project", "kasp", "project", "no KASP project of account {aid} has this name — allowed: "
                                                       "one of its projects ({known}) or empty"),
                 ("swot_entry", "swot", "entry", "no SWOT entry of account {aid} has this text — allowed: the text "
                                                  "of one of its entries or empty"))


def _check_measure_links(tables: dict[str, ParsedTable], problems: list[Problem]) -> None:
    """A measure's ``kasp_project`` / ``swot_entry`` must name a project / entry of its own account (compared
    after the one text rule); without a ``kasp`` or ``swot`` table every link names nothing."""
    measures = tables["kaop_measures"]
    for column, table, field, message in MEASURE_LINKS:
        if column not in measures.positions:
            continue
        known: dict[Any, set[str]] = defaultdict(set)
        if table in tables:
            t = tables[table]
            for name, aid in zip(map(key_of, t.column(field)), t.column("account_id"), strict=True):
                if name is not None:
                    known[aid].add(name)
        for i, (link, aid) in enumerate(zip(measures.column(column), measures.column("account_id"), strict=True)):
            if link is not None and key_of(link) not in known[aid]:
                names = ", ".join(sorted(known[aid])) or "none"
                problems.append(measures.problem(i, column, message.format(aid=aid, known=names), link))


def check_tables(tables: dict[str, ParsedTable], problems: list[Problem], catalogue: Catalogue) -> None:
    """Every rule across rows and tables, over the tables read (a table not read is not checked)."""
    for t in tables.values():
        _check_keys(t, problems)
    if "accounts" in tables:
        _check_accounts(tables, problems)
    if "kaop_costs" in tables:
        _check_costs(tables["kaop_costs"], problems)
    if "kgb" in tables:
        _check_kgb(tables["kgb"], problems)
    if "excellence" in tables:
        _check_excellence(tables["excellence"], problems, catalogue)
    if "kaop_settings" in tables:
        _check_thresholds(tables["kaop_settings"], problems)
    _check_regions(tables, problems)
    if "kaop_measures" in tables:
        _check_measure_links(tables, problems)
    for t in list(tables.values()):
        if t.table.check is not None:
            t.table.check(tables, problems)
