"""The pytest side of the real-client tests: run :mod:`tests.uno_client` (LibreOffice through UNO) in the system
Python and return its report.

The project's venv cannot import ``uno`` (Debian's ``python3-uno`` is built for the system Python), so the
client runs as ``/usr/bin/python3 tests/uno_client.py JOB.json`` in its own process group; on a timeout the
group gets SIGTERM (the client then kills its soffice and removes its profile), then SIGKILL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Any

CLIENT = Path(__file__).with_name("uno_client.py")
SYSTEM_PYTHON = "/usr/bin/python3"
INSTALL_HINT = ("LibreOffice's UNO bridge for the system Python is missing — install it with "
                "apt-get install -y --no-install-recommends libreoffice-calc python3-uno (as .ci/run does)")


class UnoError(RuntimeError):
    """The client failed: soffice missing or stuck, a name missing in the workbook, a file not saved …"""


def libreoffice_types(workbooks: list[dict[str, Any]], locale: str = "en-US",
                      timeout: float = 120) -> list[dict[str, Any]]:
    """Open each workbook in one LibreOffice session, run its actions, save it (see :mod:`tests.uno_client` for
    the job format); returns per workbook the report ``{"path", "cells": [what each action left in its cell],
    "saved": [paths]}``. Raises :class:`UnoError` with the client's message when anything fails."""
    check = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, timeout=30)
    if check.returncode != 0:
        raise UnoError(f"{INSTALL_HINT} ({check.stderr.decode(errors='replace').strip()[-200:]})")
    job = {"locale": locale, "timeout": int(timeout), "workbooks": workbooks}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump(job, f, ensure_ascii=False)
    proc = subprocess.Popen([SYSTEM_PYTHON, str(CLIENT), f.name], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout + 15)  # the client's own alarm fires first
    except subprocess.TimeoutExpired:
        _stop(proc)
        raise UnoError(f"the LibreOffice client did not finish within {timeout + 15:g} s") from None
    finally:
        os.unlink(f.name)
    try:
        report = json.loads(out.decode("utf-8"))
    except ValueError:
        raise UnoError(f"the LibreOffice client gave no report (exit code {proc.returncode}): "
                       f"{err.decode(errors='replace')[-2000:]}") from None
    if "error" in report:
        raise UnoError(f"{report['error']}\n{report.get('traceback', '')}")
    return report["workbooks"]


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the client's group (it kills its soffice), SIGKILL after 15 s."""
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue
