"""Workbooks to PDF with LibreOffice headless, in a chosen locale (German number style by default).

:func:`to_pdf` runs one ``soffice --headless --convert-to pdf`` over several files with a fresh user profile
whose ``registrymodifications.xcu`` sets the locale (``ooSetupSystemLocale``, e.g. ``de-DE`` prints
``1.234,5``) and (by default) recalculation on load, so the pages show what the formulas compute.
:func:`page_count` reads the number of pages of a PDF (``/Type /Page`` objects, no extra library).

Errors: :class:`SofficeMissing` (a :class:`RuntimeError`) when LibreOffice is not installed, naming
``soffice`` and how to install it; :class:`RuntimeError` naming the file when soffice produces no PDF for it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from kam_xl.testing.recalc import RECALC_ALWAYS, RECALC_NEVER, _kill_group, find_soffice

INSTALL_HINT = ("LibreOffice (soffice) is needed to render PDFs and was not found on PATH, /usr/bin or "
                "/usr/lib/libreoffice/program — install it (Debian/Ubuntu: apt-get install -y "
                "--no-install-recommends libreoffice-calc; macOS: brew install --cask libreoffice; Windows: "
                "https://www.libreoffice.org/download/) and run again")


class SofficeMissing(RuntimeError):
    """LibreOffice is not installed: nothing can be rendered to PDF."""


def _profile_xcu(locale: str, recalc: bool) -> str:
    mode = str(RECALC_ALWAYS if recalc else RECALC_NEVER)
    items = [("/org.openoffice.Setup/L10N", "ooSetupSystemLocale", locale),
             ("/org.openoffice.Setup/L10N", "ooLocale", locale),
             ("/org.openoffice.Office.Calc/Formula/Load", "OOXMLRecalcMode", mode),
             ("/org.openoffice.Office.Calc/Formula/Load", "ODFRecalcMode", mode)]
    body = "".join(f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse"><value>{value}</value></prop>'
                   f"</item>\n" for path, name, value in items)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
            f"{body}</oor:items>\n")


def to_pdf(files: Sequence[Path], out_dir: Path, *, locale: str = "de-DE", recalc: bool = True,
           timeout: float = 600, soffice: str | None = None) -> list[Path]:
    """Convert ``files`` (.xlsx, .xlsm, .ods …) to ``out_dir/<stem>.pdf`` in one soffice run; returns the PDFs
    in input order. ``locale`` is a BCP 47 tag (``de-DE``: ``1.234,5 €``, ``11,8 %``); ``recalc=False`` prints
    the cached results as they are (kam_xl's own workbooks carry the pure functions' values; saves the
    recalculation of a large workbook).

    Raises :class:`SofficeMissing` without LibreOffice, :class:`RuntimeError` naming the files soffice gave no
    PDF for or when it runs longer than ``timeout`` seconds."""
    inputs = [Path(f).resolve() for f in files]
    if not inputs:
        return []
    exe = soffice or find_soffice()
    if exe is None or (not Path(exe).exists() and shutil.which(exe) is None):
        raise SofficeMissing(INSTALL_HINT)
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    outputs = [out_dir / f"{p.stem}.pdf" for p in inputs]
    for target in outputs:
        target.unlink(missing_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="kam_xl_pdf_profile_"))
    try:
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_profile_xcu(locale, recalc), encoding="utf-8")
        env = dict(os.environ, HOME=str(profile))
        cmd = [exe, "--headless", "--norestore", "--nolockcheck", f"-env:UserInstallation={profile.as_uri()}",
               "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, inputs)]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                env=env, start_new_session=True)
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            proc.communicate()
            raise RuntimeError(f"soffice did not finish within {timeout:g} s converting "
                               f"{', '.join(p.name for p in inputs)} to PDF") from None
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    missing = [src.name for src, out in zip(inputs, outputs, strict=True) if not out.is_file()]
    if missing:
        raise RuntimeError(f"soffice (exit code {proc.returncode}) made no PDF of {', '.join(missing)}: "
                           f"{err.decode(errors='replace').strip() or 'no message'}")
    return outputs


_PAGE = re.compile(rb"/Type\s*/Page(?!s)")


def page_count(pdf: Path) -> int:
    """The number of pages of the PDF ``pdf`` (LibreOffice writes one ``/Type /Page`` object per page)."""
    return len(_PAGE.findall(Path(pdf).read_bytes()))
