"""A real spreadsheet client for the tests: LibreOffice Calc, driven through its UNO API, types into workbooks.

Run with the *system* Python, which has Debian's ``python3-uno`` (the project's venv cannot import ``uno``)::

    /usr/bin/python3 tests/uno_client.py JOB.json        # prints the report (JSON) on standard output

The job (JSON)::

    {"locale": "de-DE",                  # the locale LibreOffice runs in (how typed numbers are understood)
     "timeout": 90,                      # seconds for the whole job; soffice is killed when it is over
     "workbooks": [{"path": "/abs/plan.xlsx",
                    "actions": [ACTION, ...],
                    "save": [{"path": "/abs/out.xlsx", "format": "xlsx"},     # "xlsx" or "ods"
                             {"path": "/abs/out.ods", "format": "ods"}]}]}

The module imports ``uno`` only when it runs (pytest's doctest collection imports it in the venv, which has no
``uno``).

An action names an input cell by its defined name — a named cell, or ``row``/``col`` (0-based) inside a named
block — and says what to do with it:

* ``{"op": "type", "name": …, "text": "1.234,5"}`` — what a user does: the cell is selected and the text is
  entered through Calc's own input line (the ``.uno:EnterString`` command), so numbers, percentages and dates
  are understood in the locale and the number format of the cell, exactly as when typed on the keyboard
  (Calc's data validation is not applied on this path, as when pasting: ``35`` typed into a percent cell
  stays 35 = 3500 %, which the readers must refuse; LibreOffice has no automatic percent entry);
* ``{"op": "formula", …, "text": "=1/0"}`` — ``XCell.setFormula`` (the API's English formula grammar);
* ``{"op": "value", …, "value": 12.5}`` — ``XCell.setValue``; ``{"op": "string", …, "text": "…"}`` —
  ``XText.setString`` (a text cell whatever it looks like);
* ``{"op": "clear", …}`` — deletes the cell's content (values, texts, formulas), as the Delete key does.

The report lists, per workbook, what each action left in the cell (``sheet``, ``cell``, ``type`` — VALUE,
TEXT, FORMULA or EMPTY —, ``value``, ``string`` as Calc shows it, ``formula``, ``error`` code or 0), the
files saved, and on failure ``error`` with the message. soffice runs with a fresh user profile in a temporary
folder, listens on a private pipe, and its whole process group is killed when the job ends, fails, runs over
its timeout or this process gets SIGTERM.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from pathlib import Path
from typing import Any

SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"
FILTERS = {"xlsx": "Calc MS Excel 2007 XML", "ods": "calc8"}
#: com.sun.star.sheet.CellFlags VALUE | DATETIME | STRING | FORMULA: what the Delete key removes (not the format,
#: the validation or a comment)
CLEAR_CONTENT = 1 | 2 | 4 | 16
CELL_TYPES = {"EMPTY": "EMPTY", "VALUE": "VALUE", "TEXT": "TEXT", "FORMULA": "FORMULA"}


class JobTimeout(Exception):
    """The job ran over its timeout."""


def _prop(name: str, value: Any) -> Any:
    from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def _profile_xcu(locale: str) -> str:
    """A user profile that runs Calc in ``locale`` (number recognition, decimal separator) and never asks
    anything on load (recalculation always, no macros, no first-start wizard)."""
    items = [
        ("/org.openoffice.Setup/L10N", "ooSetupSystemLocale", "string", locale),
        ("/org.openoffice.Office.Linguistic/General", "DefaultLocale", "string", locale),
        ("/org.openoffice.Office.Calc/Formula/Load", "OOXMLRecalcMode", "int", "0"),
        ("/org.openoffice.Office.Calc/Formula/Load", "ODFRecalcMode", "int", "0"),
        ("/org.openoffice.Office.Common/Misc", "FirstRun", "boolean", "false"),
        ("/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "int", "3"),
    ]
    body = "".join(f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse" oor:type="xs:{kind}">'
                   f"<value>{value}</value></prop></item>\n" for path, name, kind, value in items)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
            f"{body}</oor:items>\n")


class Office:
    """One headless soffice with its own profile and pipe; ``close()`` always kills its process group."""

    def __init__(self, locale: str, connect_timeout: float = 45.0):
        self.home = Path(tempfile.mkdtemp(prefix="kam_xl_uno_"))
        user = self.home / "profile" / "user"
        user.mkdir(parents=True)
        (user / "registrymodifications.xcu").write_text(_profile_xcu(locale), encoding="utf-8")
        self.pipe = f"kam_xl_uno_{uuid.uuid4().hex}"
        env = dict(os.environ, HOME=str(self.home), SAL_USE_VCLPLUGIN="svp")
        self.proc = subprocess.Popen(
            [SOFFICE, "--headless", "--invisible", "--nologo", "--norestore", "--nodefault", "--nolockcheck",
             f"-env:UserInstallation={(self.home / 'profile').as_uri()}",
             f"--accept=pipe,name={self.pipe};urp;StarOffice.ComponentContext"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
            start_new_session=True)
        try:
            self.desktop = self._connect(connect_timeout)
        except BaseException:
            kill_group(self.proc.pid)
            shutil.rmtree(self.home, ignore_errors=True)
            raise

    def _connect(self, timeout: float) -> Any:
        import uno  # type: ignore[import-not-found]  # Debian's python3-uno: the system Python only
        from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]

        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + timeout
        while True:
            try:
                ctx = resolver.resolve(f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext")
                break
            except NoConnectException:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"soffice exited with code {self.proc.returncode} before accepting") from None
                if time.monotonic() > deadline:
                    raise RuntimeError(f"soffice did not accept a connection within {timeout:g} s") from None
                time.sleep(0.25)
        self.ctx = ctx
        return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)

    def dispatcher(self) -> Any:
        return self.ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", self.ctx)

    def close(self) -> None:
        """Ask soffice to quit, then kill whatever of its process group is left, and remove the profile."""
        try:
            if self.proc.poll() is None:
                with contextlib.suppress(Exception):  # the bridge may already be gone
                    self.desktop.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(timeout=10)
        finally:
            kill_group(self.proc.pid)
            shutil.rmtree(self.home, ignore_errors=True)


def kill_group(pgid: int) -> None:
    """SIGKILL the process group ``pgid`` (soffice and what it started); nothing if it is gone."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _cell(doc: Any, action: dict[str, Any]) -> Any:
    """The cell an action means: a defined name's cell, or row/col inside the named block."""
    names = doc.NamedRanges
    name = action["name"]
    if not names.hasByName(name):
        raise KeyError(f"the workbook has no defined name {name!r}")
    block = names.getByName(name).getReferredCells()
    if block is None:
        raise KeyError(f"the defined name {name!r} refers to no cells")
    return block.getCellByPosition(int(action.get("col") or 0), int(action.get("row") or 0))


def _describe(doc: Any, cell: Any) -> dict[str, Any]:
    """What a cell holds now, as Calc sees it."""
    addr = cell.getCellAddress()
    sheet = doc.Sheets.getByIndex(addr.Sheet)
    kind = cell.getType().value
    return {"sheet": sheet.getName(), "cell": cell.AbsoluteName.split(".")[-1].replace("$", ""),
            "type": CELL_TYPES.get(kind, kind), "value": cell.getValue(), "string": cell.getString(),
            "formula": cell.getFormula(), "error": cell.getError()}


def _act(office: Office, doc: Any, action: dict[str, Any]) -> dict[str, Any]:
    cell = _cell(doc, action)
    op = action["op"]
    if op == "type":
        controller = doc.getCurrentController()
        controller.select(cell)
        office.dispatcher().executeDispatch(controller.getFrame(), ".uno:EnterString", "", 0,
                                            (_prop("StringName", action["text"]),))
    elif op == "formula":
        cell.setFormula(action["text"])
    elif op == "value":
        cell.setValue(float(action["value"]))
    elif op == "string":
        cell.setString(action["text"])
    elif op == "clear":
        cell.clearContents(CLEAR_CONTENT)
    else:
        raise ValueError(f"action {op!r} — allowed: type, formula, value, string, clear")
    return {"action": action, **_describe(doc, cell)}


def _workbook(office: Office, job: dict[str, Any]) -> dict[str, Any]:
    path = Path(job["path"]).resolve()
    doc = office.desktop.loadComponentFromURL(path.as_uri(), "_blank", 0, (_prop("Hidden", False),))
    if doc is None:
        raise RuntimeError(f"LibreOffice could not open {path}")
    try:
        done = [_act(office, doc, a) for a in job.get("actions", [])]
        doc.calculateAll()
        saved = []
        for target in job.get("save", []):
            out = Path(target["path"]).resolve()
            out.parent.mkdir(parents=True, exist_ok=True)
            doc.storeToURL(out.as_uri(), (_prop("FilterName", FILTERS[target["format"]]), _prop("Overwrite", True)))
            saved.append(str(out))
        return {"path": str(path), "cells": done, "saved": saved}
    finally:
        doc.close(True)


def run(job: dict[str, Any]) -> dict[str, Any]:
    """Run a job (see the module doc) in one soffice session; returns the report."""
    office = Office(job.get("locale", "en-US"))
    try:
        return {"locale": job.get("locale", "en-US"), "workbooks": [_workbook(office, w) for w in job["workbooks"]]}
    finally:
        office.close()


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve().parent  # tests/ must not shadow a module of the system Python
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    job = json.loads(Path(argv[1]).read_text(encoding="utf-8") if len(argv) > 1 else sys.stdin.read())

    def over(_signum: int, _frame: Any) -> None:
        raise JobTimeout(f"the job ran over its timeout of {job.get('timeout', 120)} s")

    signal.signal(signal.SIGALRM, over)
    signal.signal(signal.SIGTERM, over)  # the caller gave up: clean up as on a timeout
    signal.alarm(int(job.get("timeout", 120)))
    try:
        report = run(job)
    except BaseException as e:  # report every failure as JSON; soffice is already killed by run()'s finally
        json.dump({"error": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc()}, sys.stdout)
        return 1
    finally:
        signal.alarm(0)
    json.dump(report, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
