#!/usr/bin/env bash
# Render the README screenshot of the controller sheet "Beziehungen" on the demo data: LibreOffice (de-DE
# profile, numbers as 1.234,5) → PDF → pdftoppm crop into docs/relationships_controller.png.
# Needs libreoffice-calc and poppler-utils. Usage: bash tools/relationships_screenshot.sh [python]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
python="${1:-$root/.venv/bin/python}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/profile/user"
cat > "$work/profile/user/registrymodifications.xcu" <<'XCU'
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>de-DE</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooLocale" oor:op="fuse"><value>de-DE</value></prop></item>
</oor:items>
XCU
PYTHONPATH="$root" "$python" - "$work/beziehungen.xlsx" <<'PY'
import sys
from datetime import UTC, datetime
from kam_xl.databook import demo_databook
from kam_xl.workbook.controller import controller_workbook
from kam_xl.workbook.render import write_book
book = controller_workbook(demo_databook(), "de", datetime(2026, 3, 1, tzinfo=UTC))
book.sheets = [s for s in book.sheets if s.name in ("Beziehungen", "Beziehungs-Daten")]
write_book(book, sys.argv[1])
PY
LC_ALL=de_DE.UTF-8 soffice --headless --norestore -env:UserInstallation="file://$work/profile" --convert-to pdf \
  --outdir "$work" "$work/beziehungen.xlsx" >/dev/null 2>&1
pdftoppm -png -r 220 -f 1 -l 1 -x 140 -y 150 -W 2330 -H 400 -singlefile "$work/beziehungen.pdf" "${OUT:-$root/docs/relationships_controller}"
echo "wrote ${OUT:-docs/relationships_controller}.png"
