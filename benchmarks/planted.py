"""A copy of a synthetic data book (a CSV folder) with bad values of many kinds planted in it — German and English
numbers mixed, error values, formula-like text, unknown and duplicate keys, blank and short rows, a column named
twice, a column missing, a Windows-1252 file, a CSV file broken mid-way … — to compare the problem list of two
versions of the reader byte for byte (issue 14)::

    python benchmarks/planted.py /work/s4data/db1000 /tmp/bad1000
    (cd BEFORE && python -m kam_xl.cli report --data /tmp/bad1000 --format json 2> before.txt)
    (cd AFTER && python -m kam_xl.cli report --data /tmp/bad1000 --format json 2> after.txt)
    cmp before.txt after.txt

usage: planted.py SOURCE TARGET (TARGET is replaced)."""

import shutil
import sys
from pathlib import Path

src, dst = Path(sys.argv[1]), Path(sys.argv[2])
if dst.exists():
    shutil.rmtree(dst)
shutil.copytree(src, dst)


def lines(name: str) -> list[str]:
    return (dst / name).read_text(encoding="utf-8-sig").splitlines()


def save(name: str, ls: list[str], encoding: str = "utf-8-sig") -> None:
    (dst / name).write_text("\n".join(ls) + "\n", encoding=encoding)


def setcell(ls: list[str], row: int, col: int, value: str) -> None:  # row: file line number (1 = header)
    cells = ls[row - 1].split(";")
    cells[col] = value
    ls[row - 1] = ";".join(cells)


# 1-3 cdb: English number in a German file, error value, formula-like text in a number column, German thousands
c = lines("cdb.csv")
setcell(c, 5, 2, "1.234.567,89")  # valid German with thousands
setcell(c, 6, 2, "1,234,567.89")  # English in a German file: both readings
setcell(c, 7, 3, "#DIV/0!")  # an error value as text
setcell(c, 8, 5, "=SUM(A1:A3)")  # formula-like text in a number column
setcell(c, 9, 4, "4.53")  # English decimal in a German file
setcell(c, 10, 6, "1 234,5")  # spaces between groups: valid
setcell(c, 11, 6, "12 34")  # spaces elsewhere
setcell(c, 12, 1, "2024,5")  # year not whole
setcell(c, 13, 0, c[1].split(";")[0])
setcell(c, 13, 1, c[1].split(";")[1])  # duplicate key (account, year)
save("cdb.csv", c)
# 4-6 kaop_costs: unknown account, duplicate row, both amount and rate, blank rows, a broken short row
k = lines("kaop_costs.csv")
setcell(k, 20, 0, "KA-99999")
k.insert(30, k[29])  # the same row twice
setcell(k, 40, 6, "0,2")  # amount and rate both given
k.insert(50, ";;;;;;")
k.insert(60, "   ")
k.insert(70, "")
k.insert(80, "KA-0003;2026;plan")  # short row: required cells missing
setcell(k, 90, 2, "Planung")  # wrong choice
setcell(k, 91, 4, "SALES_STAFF")  # a choice in other case (matched)
setcell(k, 92, 6, "20 %")  # a rate as percent (with amount: both given)
setcell(k, 93, 5, "-5")  # negative amount
save("kaop_costs.csv", k)
#: the planted cells of the files that only get cells changed: file → (file line, column, value), what each plants
CELLS: dict[str, list[tuple[int, int, str]]] = {
    # 7-9 kaop_products: quarter 5, year 1800, share > 1, 125 %, 25 %, negative volume, error values
    "kaop_products.csv": [(3, 3, "5"), (4, 1, "1800"), (5, 7, "1,5"), (6, 7, "125 %"), (7, 7, "25 %"), (8, 5, "-3"),
                          (9, 6, "#N/A"), (10, 4, ""), (11, 6, "1.620"), (12, 6, "'=1+1"), (13, 7, "0,25%"),
                          (14, 5, "€ 484"), (15, 5, "\u2212484")],
    # 10 kgb: own wrong, rating 150, weight differs within a card, percent in a score column
    "kgb.csv": [(3, 5, "vielleicht"), (4, 6, "150"), (5, 3, "99"), (6, 6, "80 %"), (7, 5, "WAHR"), (8, 5, "x")],
    # 11-12 accounts: currency, status, plan year, empty name, formula text, guarded text
    "accounts.csv": [(3, 5, "euro"), (4, 8, "fertig"), (5, 6, "2026,5"), (6, 1, ""), (7, 1, '=HYPERLINK("http://x")'),
                     (8, 1, "'=1+1"), (9, 7, "vorzugslieferant"), (10, 10, "Global"), (11, 2, "  Süd  ")],
    # 13 kasp: impossible date, date as number, start year text
    "kasp.csv": [(3, 11, "31.02.2026"), (4, 11, "46000"), (5, 6, "zwanzig"), (6, 11, "30.06.2026")],
    # 14 touchpoints: bool wrong
    "touchpoints.csv": [(3, 7, "maybe"), (4, 7, "nein"), (5, 2, "0")],
    # 15 resources: unknown region
    "resources.csv": [(3, 0, "Mars"), (4, 2, "-1")],
    # 16 excellence: unknown criterion, bad rating, role change
    "excellence.csv": [(3, 2, "XX-9.9"), (4, 3, "sehr gut"), (5, 1, "GF")],
    # 17 kaop_measures: unknown KASP project and SWOT entry, quarter 0
    "kaop_measures.csv": [(3, 8, "Unbekanntes Projekt"), (4, 9, "gibt es nicht"), (5, 6, "0")],
    # 18 coordination: item out of range, rating not whole
    "coordination.csv": [(3, 2, "7"), (4, 3, "2,5")],
    # 23 position: yardstick out of range
    "position.csv": [(3, 1, "9"), (4, 2, "101")],
}
for name, planted in CELLS.items():
    ls = lines(name)
    for row, col, value in planted:
        setcell(ls, row, col, value)
    save(name, ls)
# 19 selection: a column named twice (different case); growth_filters: a required column missing
sel = lines("selection.csv")
sel = [x + ";" + x.split(";")[2] for x in sel]
sel[0] = sel[0].rsplit(";", 1)[0] + ";Rating"
save("selection.csv", sel)
gf = lines("growth_filters.csv")
gf[0] = gf[0].replace("account_id", "konto")
save("growth_filters.csv", gf)
# 20 portfolio in English style with a German value among them (the file's convention from most values)
pf = lines("portfolio.csv")
pf = [pf[0]] + [x.replace(",", ".") if i > 40 else x for i, x in enumerate(pf[1:], 2)]
save("portfolio.csv", pf)
# 21 swot saved as Windows-1252 (umlauts), with a quoted field holding the delimiter
w = lines("swot.csv")
setcell(w, 3, 3, '"Mehrwert; mit Semikolon"')
save("swot.csv", w, encoding="cp1252")
# 22 team_roles: a NUL byte mid-way (the csv module cannot read it)
tr = lines("team_roles.csv")
tr[100] = tr[100] + "\0"
save("team_roles.csv", tr)
# 24 team_rhythm: a field beyond the csv module's limit mid-way; contact_matrix: a quote left open at the end
tr = lines("team_rhythm.csv")
setcell(tr, 500, 4, "x" * 200_000)
save("team_rhythm.csv", tr)
cm = lines("contact_matrix.csv")
cm.append('KA-0001;"Offen;;;;;')
save("contact_matrix.csv", cm)
print("planted in", dst)
