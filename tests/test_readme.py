"""The README's function reference lists every Excel function and macro with its real arguments."""

from __future__ import annotations

import re
from pathlib import Path

from kam_xl.addin.runtime import excel_functions, load_udfs

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def _signature(info: dict) -> str:
    args = [a["name"] if "optional" not in a else f"[{a['name']}]" for a in info["args"]]
    return f"{info['name']}({', '.join(args)})"


def test_every_function_is_in_the_reference_with_its_arguments() -> None:
    udfs = load_udfs("classic")
    functions = [f.__xlfunc__ for f in excel_functions(udfs) if not f.__xlfunc__["sub"]]
    assert len(functions) >= 14
    for info in functions:
        assert f"| `{_signature(info)}` |" in README, f"README lacks {_signature(info)}"


def test_every_macro_is_in_the_reference() -> None:
    udfs = load_udfs("classic")
    macros = sorted(f.__xlfunc__["name"] for f in excel_functions(udfs) if f.__xlfunc__["sub"])
    assert macros == ["kam_collect", "kam_generate_all", "kam_refresh_plan", "kam_validate"]
    for name in macros:
        assert re.search(rf"^\| `{name}` \|", README, re.M), f"README lacks the macro {name}"


def test_readme_lists_the_read_limits_as_the_settings_model_has_them() -> None:
    """The table of KAM_XL_MAX_* in the README is the settings model's fields and defaults, no more, no less."""
    from kam_xl.package import PackageLimits

    rows = re.findall(r"^\| `KAM_XL_(MAX_\w+)` \| ([\d,]+) \|", README, re.M)
    documented = {name.lower(): float(value.replace(",", "")) for name, value in rows}
    model = {name: float(field.default) for name, field in PackageLimits.model_fields.items()}
    assert documented == model


def test_every_image_and_file_link_of_the_readme_exists() -> None:
    """Every picture and every link to a file of the repository that the README names is there (a link to a
    heading names an existing heading)."""
    root = Path(__file__).parents[1]
    targets = re.findall(r"!?\[[^\]]*\]\(([^)\s]+)\)", README)
    assert any(t.startswith("docs/") for t in targets)
    headings = {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
                for h in re.findall(r"^#+ (.+)$", README, re.M)}
    for target in targets:
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        if target.startswith("#"):
            assert target[1:] in headings, f"README links to a missing heading {target}"
            continue
        path = root / target.split("#")[0]
        assert path.exists(), f"README names {target}, which does not exist"
        assert not target.endswith(".png.png"), target
    for picture in ("docs/controller_cockpit.png", "docs/account_plan_kaop.png", "docs/questionnaire.png"):
        assert f"]({picture})" in README
