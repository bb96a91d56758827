#!/usr/bin/env bash
# Render the README screenshots: demo workbooks → LibreOffice (de-DE) → PDF → PNG, cropped to the printed
# content. The list of shots (workbook, sheet, output name) is SHOTS in tools/screenshots.py.
# Needs libreoffice-calc and poppler-utils (Debian). Usage: bash tools/screenshots.sh [OUT_DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
cd "$root"
# this checkout's kam_xl, whichever environment the interpreter belongs to
PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}" exec "$python" "$root/tools/screenshots.py" "$@"
