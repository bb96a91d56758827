"""The sheet scan's quick way to the error cells (:func:`kam_xl.package._usual_errors`): taken only when every
``t="e"`` of a sheet is in a cell written as xlsxwriter, Excel and LibreOffice write one, and then it finds what
the look at each cell finds; any other writing takes the cell-by-cell way."""

from __future__ import annotations

from kam_xl.cells import CellError
from kam_xl.package import _kinds, _shape, _usual_errors

NA = '<c r="{ref}" s="19" t="e"><f>IF($G$7=1,$H$7,NA())</f><v>#N/A</v></c>'


def _sheet(cells: str) -> bytes:
    return (f'<worksheet><sheetData><row r="7">{cells}</row></sheetData></worksheet>').encode()


def test_usual_error_cells_are_found_by_one_search():
    x = _sheet(NA.format(ref="R7") + NA.format(ref="BJ7") + '<c r="A7" t="e"><v> #DIV/0! </v></c>'
               '<c r="B7" s="3" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="C7"><v>1</v></c>')
    expected = {(6, 17): CellError("#N/A", "IF($G$7=1,$H$7,NA())"), (6, 61): CellError("#N/A", "IF($G$7=1,$H$7,NA())"),
                (6, 0): CellError("#DIV/0!"), (6, 1): CellError("#DIV/0!", "1/0")}
    assert _usual_errors(x, _shape(x)) == expected
    assert _kinds(x, _shape(x), frozenset()) == expected


def test_a_sheet_with_an_error_cell_written_otherwise_is_looked_at_cell_by_cell():
    odd = ["<c r='D7' t='e'><v>#REF!</v></c>",  # other quotes
           '<c r="D7" t="e" s="2"><v>#REF!</v></c>',  # style after the type
           '<c r="D7" t="e"/>',  # no value
           '<c r="D7" t="e"><v>#REF!</v><is><t>x</t></is></c>']  # more than a value
    for cell in odd:
        x = _sheet(NA.format(ref="R7") + cell)
        assert _usual_errors(x, _shape(x)) is None, cell
        kinds = _kinds(x, _shape(x), frozenset())
        assert set(kinds) == {(6, 17), (6, 3)}, cell
        assert kinds[6, 17] == CellError("#N/A", "IF($G$7=1,$H$7,NA())")
        assert kinds[6, 3].code in ("#REF!", ""), cell


def test_a_type_attribute_inside_a_text_is_no_error_cell():
    """``t="e"`` in a formula's text (quotes need no escaping there) counts against the quick way: the cell
    by cell way then finds the one error cell."""
    x = _sheet(NA.format(ref="R7") + '<c r="E7"><f>IF(A1="t=""e""",1,2)</f><v>2</v></c>'.replace('""', '"'))
    assert _shape(x).count(b't="e"') == 2
    assert _usual_errors(x, _shape(x)) is None
    assert _kinds(x, _shape(x), frozenset()) == {(6, 17): CellError("#N/A", "IF($G$7=1,$H$7,NA())")}
