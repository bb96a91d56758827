"""The KAM-Excellence questionnaire workbook: LibreOffice recalculates every formula to kam_xl's scores, a
questionnaire filled in by hand (words from the drop-down) scores like :func:`score_response`, "nicht relevant"
changes no score, and the sheets protect their formulas."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.cell import range_boundaries

from kam_xl.databook import demo_databook
from kam_xl.errors import KamInputError
from kam_xl.excellence import RATING_SCALE, Answer, Response, load_catalogue, score_response, summarise_dimensions
from kam_xl.testing.recalc import error_cells, mismatches, read_defined_names, read_values, recalculate
from kam_xl.workbook.excellence_sheet import excellence_sheet, rating_word, rating_words
from kam_xl.workbook.layout import Book
from kam_xl.workbook.questionnaire import TEMPLATE_ID, questionnaire
from kam_xl.workbook.render import write_book

CAT = load_catalogue()
DIMS = [d.id for d in CAT.dimensions]


def _answers(*items: tuple) -> list[Answer]:
    return [Answer(criterion_id=cid, rating=rating, evidence=evidence) for cid, rating, evidence in items]


# Checked by hand:
#   SW: 100 (no evidence), 50, n.r.          → SW-1 = SW = 75; rated 2 of 10, n.r. 1 → coverage 2/9, thin
#   OS: 100, 100 (no evidence), 75, 75 | 50, 50, 25 | 25 → OS-1 = 87.5, OS-2 = 41.67, OS-3 = 25, OS = 500/8 = 62.5;
#       8 of 15 rated → not thin (8·2 ≥ 15)
#   LM: ten criteria rated 0                 → LM = 0 (a score, not empty); 10 of 20 → exactly half, not thin
#   BP: nothing                              → no score, coverage 0, thin
#   overall = (75 + 62.5 + 0) / 3 = 45.83; coverage = 20 / (62 − 1); 75/100 without evidence: SW-1.1, OS-1.2
HAND = _answers(
    ("SW-1.1", 100, ""), ("SW-1.2", 50, "Strategiepapier"), ("SW-1.3", "n.r.", ""),
    ("OS-1.1", 100, "Organigramm"), ("OS-1.2", 100, ""), ("OS-1.3", 75, "Protokolle"), ("OS-1.4", 75, "Matrix"),
    ("OS-2.1", 50, ""), ("OS-2.2", 50, ""), ("OS-2.3", 25, ""), ("OS-3.1", 25, ""),
    *[(cid, 0, "") for cid in ("LM-1.1", "LM-1.2", "LM-2.1", "LM-2.2", "LM-2.3", "LM-3.1", "LM-3.2", "LM-4.1",
                               "LM-4.2", "LM-4.3")],
)
# the same plus "nicht relevant" on criteria that were unanswered (a whole section SW-2, one each of LM and BP)
HAND_NR = HAND + _answers(("SW-2.1", "n.r.", ""), ("SW-2.2", "n.r.", ""), ("SW-2.3", "n.r.", ""),
                          ("LM-5.1", "n.r.", ""), ("BP-1.1", "n.r.", ""))


def _destinations(wb: openpyxl.Workbook, name: str) -> tuple[str, tuple[int, int, int, int]]:
    [(sheet, ref)] = list(wb.defined_names[name].destinations)
    return sheet, range_boundaries(ref.replace("$", ""))


def _list_choices(ws, coordinate: str) -> list[str] | None:
    """The words of the list validation that covers ``coordinate`` (None if there is none)."""
    for dv in ws.data_validations.dataValidation:
        if dv.type == "list" and coordinate in dv.sqref:
            return dv.formula1.strip('"').split(",")
    return None


def fill_by_hand(src: Path, dst: Path, answers: list[Answer]) -> Path:
    """What a KAM does: find each criterion's row (by the defined names), choose the rating's words from the
    cell's drop-down list and type the evidence."""
    wb = openpyxl.load_workbook(src)
    for a in answers:
        dim = a.criterion_id.split("-")[0]
        sheet, (id_col, r0, _, r1) = _destinations(wb, f"exc_{dim}_ids")
        ws = wb[sheet]
        _, (rating_col, *_) = _destinations(wb, f"exc_{dim}_ratings")
        _, (evidence_col, *_) = _destinations(wb, f"exc_{dim}_evidence")
        [row] = [r for r in range(r0, r1 + 1) if ws.cell(r, id_col).value == a.criterion_id]
        cell = ws.cell(row, rating_col)
        choices = _list_choices(ws, cell.coordinate)
        [word] = [w for w in choices if w.split(" ")[0] == str(a.rating) or (a.rating == "n.r." and w[0].isalpha())]
        cell.value = word
        if a.evidence:
            ws.cell(row, evidence_col).value = a.evidence
    wb.save(dst)
    return dst


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    """All workbooks of this module, recalculated by LibreOffice in one call: the three demo respondents in
    German, the first in English, and the empty German questionnaire filled by hand (twice)."""
    src = tmp_path_factory.mktemp("src")
    items: dict[str, tuple[Book, Path]] = {}
    responses = demo_databook().responses()
    for i, r in enumerate(responses):
        book = questionnaire(CAT, r, r.respondent, r.role)
        items[f"demo{i}_de"] = (book, write_book(book, src / f"demo{i}_de.xlsx"))
    book = questionnaire(CAT, responses[0], responses[0].respondent, responses[0].role, lang="en")
    items["demo0_en"] = (book, write_book(book, src / "demo0_en.xlsx"))
    empty = write_book(questionnaire(CAT, None, "Anna Berg", "KAM"), src / "empty.xlsx")
    for key, answers in (("hand", HAND), ("hand_nr", HAND_NR)):
        # the layout generated *with* these answers: its cached values are what the hand-filled file must give
        expected = questionnaire(CAT, Response(respondent="Anna Berg", answers=answers), "Anna Berg", "KAM")
        items[key] = (expected, fill_by_hand(empty, src / f"{key}.xlsx", answers))
    outs = recalculate([p for _, p in items.values()], tmp_path_factory.mktemp("out"))
    return {key: (book, read_values(out), read_defined_names(out))
            for (key, (book, _)), out in zip(items.items(), outs, strict=True)}


def test_demo_questionnaires_recalculate_to_the_pure_scores(recalculated):
    compared = 0
    for key in ("demo0_de", "demo1_de", "demo2_de", "demo0_en"):
        book, values, names = recalculated[key]
        assert error_cells(values) == []
        assert mismatches(book, values) == []
        compared += len(book.formula_cells())
        response = next(r for r in demo_databook().responses() if r.respondent == book.meta["respondent"])
        result = score_response(CAT, response)
        assert names["exc_overall"] == pytest.approx(result.overall)
        assert names["exc_coverage"] == pytest.approx(result.coverage)
        for d in DIMS:
            assert names[f"exc_{d}_score"] == pytest.approx(result.dimensions[d].score)
        assert [row[2] for row in names["exc_priorities"]] == result.weakest_sections
        assert names["meta_template_id"] == TEMPLATE_ID and names["meta_catalogue_version"] == CAT.version
    assert compared > 4 * 250


def test_hand_filled_questionnaire_scores_like_score_response(recalculated):
    book, values, names = recalculated["hand"]
    assert error_cells(values) == []
    assert mismatches(book, values) == []  # every formula, as if generated with these answers
    result = score_response(CAT, Response(respondent="Anna Berg", answers=HAND))
    # by hand
    assert names["exc_SW_1_score"] == 75 and names["exc_SW_score"] == 75
    assert names["exc_SW_rated"] == 2 and names["exc_SW_not_relevant"] == 1 and names["exc_SW_unanswered"] == 7
    assert names["exc_SW_coverage"] == pytest.approx(2 / 9) and names["exc_SW_thin"] == "ja"
    assert names["exc_OS_1_score"] == 87.5 and names["exc_OS_2_score"] == pytest.approx(125 / 3)
    assert names["exc_OS_score"] == 62.5 and names["exc_OS_thin"] == "nein"
    assert names["exc_LM_score"] == 0 and names["exc_LM_coverage"] == 0.5 and names["exc_LM_thin"] == "nein"
    assert names["exc_BP_score"] in (None, "") and names["exc_BP_coverage"] == 0 and names["exc_BP_thin"] == "ja"
    assert names["exc_OS_5_score"] in (None, "")  # a section without criteria has no score
    assert names["exc_overall"] == pytest.approx((75 + 62.5 + 0) / 3)
    assert names["exc_coverage"] == pytest.approx(20 / 61)
    assert names["exc_unsupported"] == 2
    assert [row[2] for row in names["exc_priorities"]] == ["LM-1", "LM-2", "LM-3", "LM-4", "OS-3"]  # ties in order
    # and the same as the pure function
    for d in DIMS:
        area = result.dimensions[d]
        if area.score is None:
            assert names[f"exc_{d}_score"] in (None, "")
        else:
            assert names[f"exc_{d}_score"] == pytest.approx(area.score)
        assert (names[f"exc_{d}_rated"], names[f"exc_{d}_not_relevant"], names[f"exc_{d}_unanswered"]) == (
            area.rated, area.not_relevant, area.unanswered)
        assert names[f"exc_{d}_coverage"] == pytest.approx(area.coverage)
        assert names[f"exc_{d}_thin"] == ("ja" if area.thin else "nein")
    assert names["exc_overall"] == pytest.approx(result.overall)
    assert names["exc_coverage"] == pytest.approx(result.coverage)
    assert names["exc_unsupported"] == len(result.unsupported)


def test_not_relevant_changes_no_score(recalculated):
    _, _, before = recalculated["hand"]
    book, values, after = recalculated["hand_nr"]
    assert error_cells(values) == [] and mismatches(book, values) == []
    scores = [n for n in before if n.startswith("exc_") and n.endswith("_score")] + ["exc_overall"]
    assert len(scores) == 22 + 4 + 1
    assert {n: after[n] for n in scores} == {n: before[n] for n in scores}
    assert after["exc_SW_2_score"] in (None, "")  # all n.r.: no score, not 0
    assert (after["exc_SW_not_relevant"], after["exc_LM_not_relevant"], after["exc_BP_not_relevant"]) == (4, 1, 1)
    assert after["exc_SW_coverage"] == pytest.approx(2 / 6) and after["exc_LM_coverage"] == pytest.approx(10 / 19)
    assert after["exc_coverage"] == pytest.approx(20 / 56)
    assert after["exc_unanswered"] == before["exc_unanswered"] - 5


def test_inputs_unlocked_formulas_locked_sheets_protected_ratings_are_drop_downs(tmp_path):
    response = Response(respondent="X", answers=_answers(("SW-1.1", 75, "=1+1"), ("SW-1.2", "n.r.", "")))
    for lang in ("de", "en"):
        book = questionnaire(CAT, response, "@Anna", "KAM", lang=lang)
        wb = openpyxl.load_workbook(write_book(book, tmp_path / f"q_{lang}.xlsx"))
        assert all(ws.protection.sheet for ws in wb.worksheets)
        for sheet, cell in book.input_cells():
            assert wb[sheet][cell.address].protection.locked is False, cell.address
        for sheet, cell in book.formula_cells():
            assert wb[sheet][cell.address].protection.locked is True, cell.address
        # every input cell lies inside a defined name
        covered = set()
        for name in wb.defined_names:
            for sheet, ref in wb.defined_names[name].destinations:
                c0, r0, c1, r1 = range_boundaries(ref.replace("$", ""))
                covered |= {(sheet, r - 1, c - 1) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        assert [(s, c.address) for s, c in book.input_cells() if (s, c.row, c.col) not in covered] == []
        # one rating drop-down with the six answers in words per criterion
        words = rating_words(lang)
        assert len(words) == 6 and words[0].startswith("100 – ") and words[-1] in ("nicht relevant", "not relevant")
        ratings = 0
        for d in DIMS:
            sheet, (c0, r0, _, r1) = _destinations(wb, f"exc_{d}_ratings")
            _, (id_col, *_) = _destinations(wb, f"exc_{d}_ids")
            ws = wb[sheet]
            for r in range(r0, r1 + 1):
                cid = ws.cell(r, id_col).value
                if cid and "." in cid:
                    assert _list_choices(ws, ws.cell(r, c0).coordinate) == list(words)
                    ratings += 1
                else:
                    assert ws.cell(r, c0).protection.locked is True
        assert ratings == 62
        # text from data stays text
        crit = wb["Fragebogen" if lang == "de" else "Questionnaire"]
        sheet, (_, r0, _, _) = _destinations(wb, "exc_SW_evidence")
        assert wb[sheet].cell(r0, 4).value == "=1+1" and wb[sheet].cell(r0, 4).data_type == "s"
        assert crit.cell(r0, 3).value == rating_word(75, lang)
        assert wb["Profil" if lang == "de" else "Profile"]["B4"].value == "@Anna"


def test_rating_words_follow_the_scale():
    assert rating_words("de") == tuple(f"{v} – {de}" if v != "n.r." else de for v, de, _ in RATING_SCALE)
    assert rating_word(0, "en") == "0 – does not apply at all"
    with pytest.raises(KamInputError):
        rating_word(60, "de")  # type: ignore[arg-type]


def test_profile_has_the_radar_and_the_book_its_meta():
    r = demo_databook().responses()[1]
    book = questionnaire(CAT, r, r.respondent, r.role)
    assert [s.name for s in book.sheets] == ["Fragebogen", "Profil"]  # printed and opened on the questions
    assert book.active == "Fragebogen"
    assert not any(isinstance(c.value, str) and CAT.version in c.value for s in book.sheets for c in s.cells)
    assert book.template_id == "kam_xl.questionnaire" and book.template_version == "1.0"
    assert {"respondent", "role", "catalogue_id", "catalogue_version", "generated_at"} <= set(book.meta)
    [chart] = book.sheet("Profil").charts
    assert chart.kind == "radar" and chart.options["y_axis"]["min"] == 0 and chart.options["y_axis"]["max"] == 100
    assert chart.series[0]["values"].endswith("$B$9:$B$12")
    assert [s.name for s in questionnaire(CAT, None, "", "", lang="en").sheets] == ["Questionnaire", "Profile"]


def test_sheet_of_some_dimensions_and_its_summary():
    r = demo_databook().responses()[2]
    result = score_response(CAT, r)
    sheet = excellence_sheet(CAT, ["BP", "SW"], r)
    cached = {c.name: c.cached for c in sheet.cells if c.name}
    summary = summarise_dimensions(result, ["BP", "SW"])
    assert cached["exc_overall"] == pytest.approx((result.dimensions["BP"].score + result.dimensions["SW"].score) / 2)
    assert cached["exc_overall"] == summary.overall and cached["exc_coverage"] == summary.coverage
    assert summary.criteria == 27 and "exc_OS_score" not in cached
    assert cached["exc_unsupported"] == sum(1 for c in result.unsupported if c[:2] in ("BP", "SW"))
    full = summarise_dimensions(result)
    assert (full.overall, full.coverage, full.unsupported) == (result.overall, result.coverage,
                                                               len(result.unsupported))
    with pytest.raises(KamInputError, match="XX"):
        excellence_sheet(CAT, ["SW", "XX"], r)
    with pytest.raises(KamInputError, match="XX"):
        summarise_dimensions(result, ["XX"])
