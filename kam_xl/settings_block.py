"""The controller's settings block as one model: each field carries its defined name (the field's alias), its
labels, its bounds and how its cell is read.

The controller workbook's settings (data book, output folder, language, account, target weights, disagreement
spread) are read by defined name from the cells the sales controller types into, checked, and carried over
when the controller is regenerated; the macros check them before they run. :class:`ControllerSettings` is the
one place that says what each setting is: the sheets, the macros and regeneration read names, labels and
rules from it (:data:`SETTING_NAMES`, :data:`SETTING_LABELS`, :func:`parse_settings`).

A cell is read as the sheet readers read theirs (:mod:`kam_xl.workbook.coerce`): an error value is refused in
its own words, a number must be a number (not a text), the account follows the one text rule, a path is only
trimmed. A value that breaks its rule is a pydantic validation error of that field, turned into a problem
``(defined name, value as shown, what is allowed)`` through :func:`kam_xl.errors.validation_problems`.

>>> ControllerSettings(lang="en").values()["ctl_lang"]
'en'
>>> s, problems = parse_settings({"ctl_lang": "EN ", "res_weight_revenue": -1}, ControllerSettings())
>>> s.lang, s.weight_revenue, problems
('en', 0.0, [('res_weight_revenue', -1, 'a number ≥ 0')])
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args

import annotated_types
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from kam_xl.cells import CellError
from kam_xl.errors import validation_problems
from kam_xl.excellence import DISAGREEMENT_SPREAD
from kam_xl.workbook import coerce
from kam_xl.workbook.coerce import Refusal, shown
from kam_xl.workbook.layout import TEXT_MAX_CHARS, Lang

#: The languages of the account workbooks the macros write.
LANGS: tuple[Lang, ...] = get_args(Lang)
#: Bounds of a target weight, as the resource sheet's weight cells validate them.
WEIGHT_BOUNDS: tuple[float, float] = (0, 1000)
#: Bounds of the disagreement spread: points of the 0–100 rating scale.
SPREAD_BOUNDS: tuple[float, float] = (0, 100)

ReadAs = Literal["path", "text", "lang", "number", "points"]


@dataclass(frozen=True)
class Setting:
    """What a settings field is beyond its type: its labels (German, English), how its cell is read, and what
    a problem says is allowed. ``show_max`` adds "at most …" to that text for a number above the upper bound
    (where the text does not state it)."""

    de: str
    en: str
    read_as: ReadAs
    allowed: str
    show_max: bool = False

    def label(self, lang: Lang) -> str:
        """The label in ``lang``."""
        return self.de if lang == "de" else self.en


class ControllerSettings(BaseModel):
    """The settings of a controller workbook (its inputs), by meaning; :meth:`values` gives them by defined
    name. ``lang`` is the language of the account workbooks the macros write, not of the controller.

    Constructed by field name (``ControllerSettings(lang="en")``) or validated by defined name
    (``ControllerSettings.model_validate({"ctl_lang": "en"})``); raises pydantic's ``ValidationError``.
    """

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    databook: Annotated[str | None, Field(alias="ctl_databook"), Setting(
        "Datenbuch (Datei oder Ordner)", "Data book (file or folder)", "path", "text")] = None
    output: Annotated[str | None, Field(alias="ctl_output"), Setting(
        "Ausgabeordner", "Output folder", "path", "text")] = None
    lang: Annotated[Lang, Field(alias="ctl_lang"), Setting(
        "Sprache der Account-Pläne", "Language of the account workbooks", "lang", "de or en")] = "de"
    account: Annotated[str | None, Field(alias="ctl_account"), Setting(
        "Kunde für „diesen Account-Plan erneuern“", "Account for 'refresh this account plan'", "text", "text")] = None
    weight_potential: Annotated[float, Field(alias="res_weight_potential", ge=WEIGHT_BOUNDS[0], le=WEIGHT_BOUNDS[1]),
                                Setting("Gewicht Potenzialanteil", "Weight of potential share", "number",
                                        "a number ≥ 0", show_max=True)] = 1.0
    weight_revenue: Annotated[float, Field(alias="res_weight_revenue", ge=WEIGHT_BOUNDS[0], le=WEIGHT_BOUNDS[1]),
                              Setting("Gewicht Umsatzanteil", "Weight of revenue share", "number", "a number ≥ 0",
                                      show_max=True)] = 0.0
    exc_spread: Annotated[float, Field(alias="ctl_exc_spread", ge=SPREAD_BOUNDS[0], le=SPREAD_BOUNDS[1]),
                          Setting("Dissens ab Spannweite", "Disagreement from spread", "points",
                                  "a number 0–100")] = DISAGREEMENT_SPREAD

    @field_validator("*", mode="before")
    @classmethod
    def _read_cell(cls, value: Any, info: ValidationInfo) -> Any:
        """A cell's value read by its field's :class:`Setting` (a value already of the field's type passes)."""
        assert info.field_name is not None
        return read_setting(info.field_name, value)

    @model_validator(mode="after")
    def _some_weight(self) -> ControllerSettings:
        if self.weight_potential + self.weight_revenue <= 0:
            raise ValueError(BOTH_WEIGHTS_ZERO)
        return self

    def values(self) -> dict[str, Any]:
        """The settings by defined name, as the cells hold them (``None`` for an empty cell)."""
        return self.model_dump(by_alias=True)


#: What a problem with both target weights 0 says is allowed.
BOTH_WEIGHTS_ZERO = "weights ≥ 0 with potential or revenue weight > 0 (both are 0)"
_FIELDS = ControllerSettings.model_fields


def _setting(field: str) -> Setting:
    return next(m for m in _FIELDS[field].metadata if isinstance(m, Setting))


def _bounds(field: str) -> tuple[float | None, float | None]:
    """The field's bounds as its ``Field(ge=…, le=…)`` declares them."""
    low = next((m.ge for m in _FIELDS[field].metadata if isinstance(m, annotated_types.Ge)), None)
    high = next((m.le for m in _FIELDS[field].metadata if isinstance(m, annotated_types.Le)), None)
    return low, high  # type: ignore[return-value]


#: The controller's settings by defined name, in the settings block's order: what the macros work with and
#: what regeneration carries over.
SETTING_NAMES: tuple[str, ...] = tuple(str(f.alias) for f in _FIELDS.values())
#: The label of each setting by defined name: (German, English).
SETTING_LABELS: dict[str, tuple[str, str]] = {
    str(f.alias): (_setting(name).de, _setting(name).en) for name, f in _FIELDS.items()}
#: The field of each defined name.
FIELD_OF: dict[str, str] = {str(f.alias): name for name, f in _FIELDS.items()}
#: A setting that breaks its rule: (defined name, value, what is allowed).
SettingProblem = tuple[str, Any, str]


def read_setting(field: str, value: Any) -> Any:
    """The value of a settings cell as field ``field`` holds it; raises ``ValueError`` with what is allowed.

    >>> read_setting("account", 1001.0), read_setting("databook", "  /KAM  2026/ ")
    ('1001', '/KAM  2026/')
    """
    setting = _setting(field)
    try:
        if setting.read_as == "lang":
            found = coerce.choice(value, LANGS)
            if not found:
                raise Refusal()
            return found
        if setting.read_as in ("number", "points"):
            low, high = _bounds(field)
            return coerce.number(value, low, high, required=True, points=setting.read_as == "points")
        return _text(value, path=setting.read_as == "path")
    except Refusal as e:
        raise ValueError(e.allowed(setting.allowed + _above(setting, field, value))) from None


def _above(setting: Setting, field: str, value: Any) -> str:
    high = _bounds(field)[1]
    if setting.show_max and high is not None and isinstance(value, int | float) and not isinstance(value, bool) \
            and value > high:
        return f", at most {high:,g}"
    return ""


def _text(value: Any, *, path: bool) -> str | None:
    """A text setting: the account id under the one text rule (an id typed as a number: ``1001``, not
    ``1001.0``); a path only trimmed — a path is not a word to normalise (two spaces or a decomposed ``é`` in
    a folder's name are that folder's name). Raises :class:`Refusal` for an error value or a non-text."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | CellError | None):
        raise Refusal()
    if not path or not isinstance(value, str):
        return coerce.text(value)
    text = value.strip()
    if len(text) > TEXT_MAX_CHARS:
        raise Refusal(f"{len(text):,} characters, at most {TEXT_MAX_CHARS:,} allowed")
    return text or None


def parse_settings(values: Mapping[str, Any], base: ControllerSettings) -> tuple[ControllerSettings,
                                                                                 list[SettingProblem]]:
    """The settings in ``values`` (by defined name, as the cells hold them) on top of ``base``.

    A name missing from ``values`` keeps ``base``'s value; a value that breaks its field's rule is reported as
    (name, value, what is allowed) and ``base``'s value kept. Both weights 0 is reported on the potential
    weight, and ``base``'s weights kept. Problems come in the order of the settings block, texts first, the
    rule across settings last.
    """
    given = {name: values[name] for name in SETTING_NAMES if name in values}
    data = {**base.values(), **given}
    problems: list[SettingProblem] = []
    across: list[SettingProblem] = []
    for _ in range(len(SETTING_NAMES) + 1):  # each pass drops the values found wrong: at most one per setting
        try:
            return ControllerSettings.model_validate(data), _ordered(problems) + across
        except ValidationError as exc:
            for name, allowed in validation_problems(exc):
                if name in FIELD_OF:
                    problems.append((name, shown(given.get(name)), allowed))
                    data[name] = base.values()[name]
                else:  # the rule across fields: both weights 0, listed after every setting's own problem
                    weight = read_setting("weight_potential", data["res_weight_potential"])
                    across.append(("res_weight_potential", shown(weight), allowed))
                    data.update({n: base.values()[n] for n in ("res_weight_potential", "res_weight_revenue")})
    raise AssertionError("the base settings are valid, so dropping every given value ends the loop")


def _ordered(problems: list[SettingProblem]) -> list[SettingProblem]:
    """Text settings' problems first, then the others, each in the settings block's order (as they were always
    listed)."""
    texts = {n for n, f in FIELD_OF.items() if _setting(f).read_as in ("path", "text")}
    return sorted(problems, key=lambda p: (p[0] not in texts, SETTING_NAMES.index(p[0])))
