#!/usr/bin/env bash
# Render the README screenshots: generate the demo account plans, LibreOffice → PDF, pdftoppm → PNG crops.
# Needs libreoffice-calc and poppler-utils (Debian). Usage: bash tools/screenshots.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$root/.venv/bin/kam-xl" generate --out "$work/gen" >/dev/null
plan=$(ls "$work"/gen/KA-002_*.xlsx)
soffice --headless --norestore -env:UserInstallation="file://$work/profile" --convert-to pdf --outdir "$work" \
  "$plan" >/dev/null 2>&1
pdf=$(ls "$work"/*.pdf)
# page 2 = Kgb sheet, page 3 = CDB sheet (sheet order of the account plan)
pdftoppm -png -r 220 -f 2 -l 2 -x 120 -y 130 -W 2150 -H 580 -singlefile "$pdf" "$root/docs/account_plan_kgb"
pdftoppm -png -r 200 -f 3 -l 3 -x 0 -y 0 -W 2340 -H 1000 -singlefile "$pdf" "$root/docs/account_plan_cdb"
# the controller workbook's first sheet: the accounts table and the portfolio bubbles (Abb. 3)
soffice --headless --norestore -env:UserInstallation="file://$work/profile" --convert-to pdf --outdir "$work" \
  "$work/gen/Controller.xlsm" >/dev/null 2>&1
pdftoppm -png -r 200 -f 1 -l 1 -x 110 -y 740 -W 900 -H 440 -singlefile "$work/Controller.pdf" \
  "$root/docs/controller_portfolio.png"
# the programme sheets (issue 12) in the de-DE locale (numbers as 1.234,5): a profile that sets it, the page found
# by the sheet's title
mkdir -p "$work/de/user"
cat >"$work/de/user/registrymodifications.xcu" <<'XCU'
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>de-DE</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooLocale" oor:op="fuse"><value>de-DE</value></prop></item>
</oor:items>
XCU
mkdir -p "$work/de/out"
soffice --headless --norestore -env:UserInstallation="file://$work/de" --convert-to pdf --outdir "$work/de/out" \
  "$work/gen/Controller.xlsm" >/dev/null 2>&1
page_of() {  # the PDF page whose text starts with the title $1
  local pdf=$1 title=$2 n i
  n=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
  for i in $(seq 1 "$n"); do
    if pdftotext -f "$i" -l "$i" "$pdf" - | head -1 | grep -q "^$title"; then echo "$i"; return; fi
  done
}
pdf="$work/de/out/Controller.pdf"
p=$(page_of "$pdf" "Kundenauswahl für Wachstum")
pdftoppm -png -r 220 -f "$p" -l "$p" -x 145 -y 150 -W 2240 -H 390 -singlefile "$pdf" "$root/docs/programme_selection"
p=$(page_of "$pdf" "ABC/XYZ-Klassifizierung")
pdftoppm -png -r 200 -f "$p" -l "$p" -x 130 -y 140 -W 1430 -H 600 -singlefile "$pdf" "$root/docs/programme_abc_xyz"
echo "wrote docs/account_plan_kgb.png docs/account_plan_cdb.png docs/controller_portfolio.png"
echo "wrote docs/programme_selection.png docs/programme_abc_xyz.png"
