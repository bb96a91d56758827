"""xlwings Server's licence and engines as kam_xl needs them, and the one private xlwings hook it replaces
(``xlwings.utils.is_jsnull``; ``tests/test_library_hooks.py`` fails loudly when xlwings changes it)."""

from __future__ import annotations

import os

from kam_xl.addin.settings import ServerConfigError

LICENCE_HELP = (
    "xlwings Server (kam-xl serve) needs an xlwings licence key in the environment variable XLWINGS_LICENSE_KEY: "
    "XLWINGS_LICENSE_KEY=noncommercial for noncommercial use (PolyForm Noncommercial licence), or an xlwings "
    "PRO key for commercial use (https://www.xlwings.org). The classic xlwings add-in needs no key."
)


def check_licence() -> str:
    """The kind of xlwings licence in ``XLWINGS_LICENSE_KEY`` (``noncommercial`` or ``commercial``).

    Raises :class:`ServerConfigError` with what to set when the key is missing or xlwings refuses it.
    """
    key = os.environ.get("XLWINGS_LICENSE_KEY", "").strip()
    if not key:
        raise ServerConfigError("XLWINGS_LICENSE_KEY is not set. " + LICENCE_HELP)
    import xlwings

    try:
        from xlwings.pro.utils import LicenseHandler

        info = LicenseHandler.validate_license("pro")
    except xlwings.LicenseError as exc:
        raise ServerConfigError(f"XLWINGS_LICENSE_KEY is not accepted by xlwings ({exc}). {LICENCE_HELP}") from None
    return "noncommercial" if info.get("license_type") == "noncommercial" else "commercial"


def ensure_server_engines() -> None:
    """Register xlwings' Office.js and remote engines.

    ``import xlwings`` registers them only when the licence key was already set at that moment; a process
    that imported xlwings earlier (a test session, a notebook) gets them here, as xlwings' ``__init__`` would.
    """
    import xlwings
    from xlwings.pro import _xlofficejs, _xlremote

    no_pyodide_probe()
    present = [engine.name for engine in xlwings.engines]
    if "remote" not in present:
        xlwings.engines.add(xlwings.main.Engine(impl=_xlremote.engine))
    if "officejs" not in present:
        xlwings.engines.add(xlwings.main.Engine(impl=_xlofficejs.engine))


def no_pyodide_probe() -> None:
    """Look for Pyodide once, not once per cell.

    xlwings (0.37) asks every cell of a custom function's arguments whether it is Pyodide's ``JsNull``
    (``xlwings.utils.is_jsnull``), by running ``from pyodide.ffi import JsNull`` each time. Outside Pyodide that
    import fails, and Python does not remember failed imports: every cell searches ``sys.path`` again, which
    costs more than the rest of a large call (figures: ``benchmarks/README.md``, "Figures behind the code").
    The check is replaced by one with the same answers whose import ran once (Pyodide cannot appear in a
    running process).
    """
    from xlwings import utils

    if getattr(utils.is_jsnull, "kam_xl_cached", False):
        return
    try:
        from pyodide.ffi import JsNull  # type: ignore[import-not-found]
    except ImportError:
        JsNull = None

    def is_jsnull(value: object) -> bool:
        return JsNull is not None and isinstance(value, JsNull)

    is_jsnull.__doc__ = utils.is_jsnull.__doc__
    is_jsnull.kam_xl_cached = True  # type: ignore[attr-defined]
    utils.is_jsnull = is_jsnull

