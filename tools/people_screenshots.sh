#!/usr/bin/env bash
# Render the README screenshots of the people sheets (Buying Center, Kontaktmatrix, Touchpoints) of the demo
# account KA-001: LibreOffice (de-DE profile, numbers as 1.234,5) → PDF → pdftoppm crops into docs/people_*.png.
# Needs libreoffice-calc and poppler-utils. Usage: bash tools/people_screenshots.sh [python]
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
PYTHONPATH="$root" "$python" - "$work/people.xlsx" <<'PY'
import sys
from kam_xl.databook import demo_databook
from kam_xl.workbook.account_plan import AccountPlanData, account_plan
from kam_xl.workbook.render import write_book
book = account_plan(AccountPlanData.from_databook(demo_databook(), "KA-001"), "de")
book.sheets = [s for s in book.sheets if s.name in ("Buying Center", "Kontaktmatrix", "Touchpoints")]
write_book(book, sys.argv[1])
PY
LC_ALL=de_DE.UTF-8 soffice --headless --norestore -env:UserInstallation="file://$work/profile" --convert-to pdf \
  --outdir "$work" "$work/people.xlsx" >/dev/null 2>&1
pdftoppm -png -r 200 -f 1 -l 1 -x 127 -y 136 -W 1560 -H 700 -singlefile "$work/people.pdf" "$root/docs/people_buying_center"
pdftoppm -png -r 200 -f 2 -l 2 -x 127 -y 136 -W 2080 -H 420 -singlefile "$work/people.pdf" "$root/docs/people_contacts"
pdftoppm -png -r 200 -f 3 -l 3 -x 127 -y 136 -W 2090 -H 360 -singlefile "$work/people.pdf" "$root/docs/people_touchpoints"
echo "wrote docs/people_buying_center.png docs/people_contacts.png docs/people_touchpoints.png"
