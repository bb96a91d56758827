"""The company's settings for the KAM programme: the data book's ``settings`` table (``key``, ``value``) as one
model, :class:`CompanySettings` — the model is the schema: each field is a key, its default is what holds when
the table (or the key) is absent, its constraints are what a value is allowed to be.

Keys (SPEC §3.6–3.7; the thresholds marked "kam_xl" are the product's choice where the seeds give none):

* ``selection_weight_<criterion>`` — the weights in % of the seven account-selection criteria (seed 001 §2.1),
  default equal (100 ÷ 7 each);
* ``abc_a``, ``abc_b`` — the cumulative net-sales shares up to which an account is A or B (0.8, 0.95);
  ``xyz_x``, ``xyz_y`` — the coefficients of variation up to which it is X or Y (0.25, 0.5);
* ``kasp_horizon`` — the strategic plan's horizon in years after the plan year (seed 003: 2–5, default 3);
* ``coord_bu_high`` — the mean rating (1–7) from which the cross-BU coordination need is high (seed 000, Abb. 7:
  4); ``coord_territory_regional``, ``coord_territory_global`` — from which the cross-territory need is regional
  or global (Abb. 8; 3 and 5, kam_xl);
* ``decision_weight_t4_1`` … ``_t4_5``, ``decision_weight_t5_1`` … ``_t5_7`` — the weights of the criteria of
  Tabelle 4 (full- vs part-time KAM) and Tabelle 5 (line vs staff model), in the row order of the extract
  §4.2/§4.3, default 1 each;
* ``phase`` — where the programme stands (seed 002): installieren, aufbauen, professionalisieren or fokussieren.

A value is read as a number in either convention (``0.8``, ``0,8``; German or English grouping, through Babel),
except ``phase`` (a choice, matched by the one text rule). Reading a data book checks the table
(:func:`check_settings`): an unknown key, a value its field does not allow and a key given twice are each one
problem naming the row; :func:`company_settings` then gives the model.

>>> CompanySettings().kasp_horizon, CompanySettings().abc_a
(3, 0.8)
>>> round(sum(CompanySettings().selection_weights().values()), 9)
100.0
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from babel.numbers import NumberFormatError, parse_decimal
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from kam_xl.databook.schema import TABLES, Column, Problem, Table, register_tables
from kam_xl.errors import validation_problems
from kam_xl.text import match_choice

if TYPE_CHECKING:
    from kam_xl.databook.model import DataBook
    from kam_xl.databook.parsing import ParsedTable

#: The seven account-selection criteria (seed 001 §2.1), in the seed's order.
SELECTION_CRITERIA = ("volume", "philosophy_fit", "base_load", "potential", "earnings", "openness", "barriers")
#: The phases of a KAM programme (seed 002).
PHASES = ("installieren", "aufbauen", "professionalisieren", "fokussieren")
Phase = Literal["installieren", "aufbauen", "professionalisieren", "fokussieren"]
_EQUAL = 100 / len(SELECTION_CRITERIA)
_Weight = Field(default=_EQUAL, ge=0, le=100, description="weight in %")
_Decision = Field(default=1.0, ge=0, le=100, description="weight of the criterion (0–100)")


class CompanySettings(BaseModel):
    """The ``settings`` table of a data book; every field a key with its default (see the module docstring)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    selection_weight_volume: float = _Weight
    selection_weight_philosophy_fit: float = _Weight
    selection_weight_base_load: float = _Weight
    selection_weight_potential: float = _Weight
    selection_weight_earnings: float = _Weight
    selection_weight_openness: float = _Weight
    selection_weight_barriers: float = _Weight
    abc_a: float = Field(0.8, gt=0, le=1, description="share of net sales up to which an account is A")
    abc_b: float = Field(0.95, gt=0, le=1, description="share of net sales up to which an account is B")
    xyz_x: float = Field(0.25, gt=0, description="coefficient of variation up to which an account is X")
    xyz_y: float = Field(0.5, gt=0, description="coefficient of variation up to which an account is Y")
    kasp_horizon: int = Field(3, ge=2, le=5, description="years of the strategic plan after the plan year")
    coord_bu_high: float = Field(4.0, ge=1, le=7, description="mean rating from which cross-BU need is high")
    coord_territory_regional: float = Field(3.0, ge=1, le=7, description="mean rating from which it is regional")
    coord_territory_global: float = Field(5.0, ge=1, le=7, description="mean rating from which it is global")
    decision_weight_t4_1: float = _Decision
    decision_weight_t4_2: float = _Decision
    decision_weight_t4_3: float = _Decision
    decision_weight_t4_4: float = _Decision
    decision_weight_t4_5: float = _Decision
    decision_weight_t5_1: float = _Decision
    decision_weight_t5_2: float = _Decision
    decision_weight_t5_3: float = _Decision
    decision_weight_t5_4: float = _Decision
    decision_weight_t5_5: float = _Decision
    decision_weight_t5_6: float = _Decision
    decision_weight_t5_7: float = _Decision
    phase: Phase | None = Field(None, description="phase of the KAM programme")

    @model_validator(mode="after")
    def _ordered(self) -> CompanySettings:
        if wrong := misordered(self.model_dump()):
            raise ValueError(wrong[0][1])
        return self

    def selection_weights(self) -> dict[str, float]:
        """The weight in % of each selection criterion, in :data:`SELECTION_CRITERIA` order."""
        return {c: getattr(self, f"selection_weight_{c}") for c in SELECTION_CRITERIA}

    def decision_weights(self, table: Literal[4, 5]) -> list[float]:
        """The criterion weights of Tabelle 4 (five) or Tabelle 5 (seven), in the extract's row order."""
        n = 5 if table == 4 else 7
        return [getattr(self, f"decision_weight_t{table}_{i}") for i in range(1, n + 1)]

    def rows(self) -> list[dict[str, Any]]:
        """Every key with its value as ``settings`` rows (``phase`` only when set): what an export writes."""
        return [{"key": k, "value": setting_text(v)} for k, v in self.model_dump().items() if v is not None]


KEYS: tuple[str, ...] = tuple(CompanySettings.model_fields)
#: Pairs of keys whose values must not be in reverse order (lower, upper).
ORDERED = (("abc_a", "abc_b"), ("xyz_x", "xyz_y"), ("coord_territory_regional", "coord_territory_global"))
_FIELDS = {k: TypeAdapter(Annotated[f.annotation, f]) for k, f in CompanySettings.model_fields.items()}


def misordered(values: dict[str, Any]) -> list[tuple[str, str]]:
    """The upper keys of :data:`ORDERED` whose value in ``values`` is below its lower key's, with what is wrong."""
    return [(hi, f"{hi} {values[hi]:g} is below {lo} {values[lo]:g} — allowed: {lo} ≤ {hi}")
            for lo, hi in ORDERED if values[lo] > values[hi]]


def setting_text(value: float | str) -> str:
    """A setting's value as the ``settings`` table's text: a number exactly, never with an exponent
    (``14.285714285714286``, ``0.00001``), a whole number without a decimal point, text as it is — so that the
    next data book reads the same value. The one rule for every ``settings`` row kam_xl writes.

    >>> setting_text(100 / 7), setting_text(1e-05), setting_text(40.0), setting_text(3), setting_text("aufbauen")
    ('14.285714285714286', '0.00001', '40', '3', 'aufbauen')
    """
    if isinstance(value, str):
        return value
    text = format(Decimal(repr(float(value))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _value(key: str, raw: Any) -> Any:
    """A cell of the value column as its field wants it; raises :class:`ValueError` saying what is allowed."""
    if key == "phase":
        found = match_choice(str(raw), PHASES)
        if found is None:
            raise ValueError(f"not a phase of the KAM programme — allowed: one of {', '.join(PHASES)}")
        return found
    if isinstance(raw, bool):
        raise ValueError("not a number — allowed: a number")
    if isinstance(raw, int | float):
        return raw
    text = str(raw).strip().replace("\u00a0", "").replace(" ", "")
    for locale in ("en_US", "de_DE") if "," not in text or "." in text.rsplit(",", 1)[-1] else ("de_DE",):
        try:
            return float(parse_decimal(text, locale=locale, strict=True))
        except NumberFormatError:
            continue
    raise ValueError("not a number — allowed: a number such as 0.8 or 0,8")


def _parse(rows: list[tuple[int, Any, Any]], report: Any, row_no: Any = lambda i: i + 1) -> CompanySettings:
    """The settings of ``rows`` (row index, key, value); each refused row → ``report(i, column, message, value)``
    and the default kept for it; ``row_no(i)`` is how a message names another row."""
    values: dict[str, Any] = {}
    where: dict[str, tuple[int, Any]] = {}
    for i, key, raw in rows:
        name = match_choice(str(key), KEYS) if key is not None else None
        if name is None:
            report(i, "key", f"there is no such setting — allowed: one of {', '.join(KEYS)}", key)
        elif name in where:
            report(i, "key", f"this setting is given twice, first in row {row_no(where[name][0])} — allowed: one row "
                             "per setting", key)
        elif raw is not None and str(raw).strip() != "":  # empty: the default holds
            where[name] = (i, raw)
            try:
                values[name] = _FIELDS[name].validate_python(_value(name, raw))
            except ValueError as e:  # pydantic's ValidationError is a ValueError
                message = "; ".join(m for _, m in validation_problems(e)) if isinstance(e, ValidationError) else e
                report(i, "value", f"{name}: {message}", raw)
    merged = {**CompanySettings().model_dump(), **values}
    for hi, message in misordered(merged):
        if hi in values:
            report(where[hi][0], "value", message, where[hi][1])
            values.pop(hi)
        else:  # only the lower one was given
            lo = next(lo for lo, h in ORDERED if h == hi)
            report(where[lo][0], "value", message, where[lo][1])
            values.pop(lo)
    return CompanySettings(**values)


def check_settings(tables: dict[str, ParsedTable], problems: list[Problem]) -> None:
    """The ``settings`` table's rules (:data:`kam_xl.databook.schema.Check`): known keys, one row each, values
    their fields allow, the thresholds in order."""
    t = tables["settings"]
    rows = [(i, t.get(i, "key"), t.get(i, "value")) for i in range(len(t))]
    _parse(rows, lambda i, col, msg, value: problems.append(t.problem(i, col, msg, value)), lambda i: t.numbers[i])


SETTINGS_TABLE = Table("settings", (Column("key"), Column("value", required=False)),
                       description="company settings of the KAM programme (key, value): selection weights, "
                                   "ABC/XYZ thresholds, KASP horizon, coordination thresholds, decision weights, "
                                   "phase", check=check_settings)
register_tables("kam_xl.company_settings", [SETTINGS_TABLE])
assert TABLES["settings"] is SETTINGS_TABLE


def company_settings(db: DataBook) -> CompanySettings:
    """The company settings of a validated data book (the defaults where it has no ``settings`` table or key)."""
    rows = db.table("settings")
    if not rows:
        return CompanySettings()
    return _parse([(i, r["key"], r["value"]) for i, r in enumerate(rows)], _ignore)


def _ignore(*_: Any) -> None:
    """Reading a validated data book: its problems were reported when it was read."""
