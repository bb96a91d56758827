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
# the team and strategy sheets of KA-001 (issue 11), each sheet on one page, LibreOffice in de-DE (1.234,5)
mkdir -p "$work/de/user"
cat > "$work/de/user/registrymodifications.xcu" <<'XCU'
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>de-DE</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooLocale" oor:op="fuse"><value>de-DE</value></prop></item>
</oor:items>
XCU
cp "$work"/gen/KA-001_*.xlsx "$work/ka1.xlsx"
soffice --headless --norestore -env:UserInstallation="file://$work/de" \
  --convert-to 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}' --outdir "$work" \
  "$work/ka1.xlsx" >/dev/null 2>&1
# pages 6–9 = Team-RACI, SWOT, KASP, Lieferantenposition (sheet order of the account plan)
for spec in "6 team_raci" "7 team_swot" "8 team_kasp" "9 team_position"; do
  set -- $spec
  pdftoppm -png -r 110 -f "$1" -l "$1" -singlefile "$work/ka1.pdf" "$root/docs/$2"
done
echo "wrote docs/account_plan_kgb.png docs/account_plan_cdb.png docs/controller_portfolio.png docs/team_*.png"
