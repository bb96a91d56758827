"""Reading a filled KAM-Excellence questionnaire back: generated questionnaires read back to the same Response,
ratings typed as words (German or English) score as checked by hand, a rating that is not an answer is one
problem at its cell while the rest still reads, and workbooks of another template or catalogue are named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils.cell import range_boundaries

from kam_xl.databook import demo_databook
from kam_xl.excellence import Answer, Response, load_catalogue, score_response
from kam_xl.workbook.excellence_sheet import parse_excellence
from kam_xl.workbook.names import NamedValues, read_named
from kam_xl.workbook.questionnaire import (
    TEMPLATE_ID,
    TEMPLATE_VERSION,
    parse_questionnaire,
    questionnaire,
    questionnaire_meta_problem,
)
from kam_xl.workbook.render import write_book

CAT = load_catalogue()
ProblemRow = tuple[str, int | None, int | None, Any, str]


def _read(path: Path) -> tuple[NamedValues, Response, list[ProblemRow]]:
    nv = read_named(path)
    found: list[ProblemRow] = []
    response = parse_questionnaire(nv, CAT, lambda *args: found.append(args))
    return nv, response, found


def _rating_cells(wb: openpyxl.Workbook, dim: str) -> dict[str, tuple[str, str, int]]:
    """criterion id → (sheet, rating cell, row offset inside ``exc_<dim>_ratings``)."""
    [(sheet, ids_ref)] = list(wb.defined_names[f"exc_{dim}_ids"].destinations)
    [(_, ratings_ref)] = list(wb.defined_names[f"exc_{dim}_ratings"].destinations)
    id_col, r0, _, r1 = range_boundaries(ids_ref.replace("$", ""))
    rating_col, *_ = range_boundaries(ratings_ref.replace("$", ""))
    ws = wb[sheet]
    return {str(ws.cell(r, id_col).value): (sheet, ws.cell(r, rating_col).coordinate, r - r0)
            for r in range(r0, r1 + 1) if ws.cell(r, id_col).value}


def _type(path: Path, out: Path, ratings: dict[str, str], evidence: dict[str, str] | None = None) -> Path:
    """Type ``ratings`` (criterion id → text) and ``evidence`` into the questionnaire at ``path`` (openpyxl)."""
    wb = openpyxl.load_workbook(path)
    for cid, text in ratings.items():
        sheet, cell, _ = _rating_cells(wb, cid.split("-")[0])[cid]
        wb[sheet][cell] = text
    for cid, text in (evidence or {}).items():
        sheet, cell, _ = _rating_cells(wb, cid.split("-")[0])[cid]
        wb[sheet][cell].offset(0, 1).value = text  # evidence is the column right of the rating
    wb.save(out)
    return out


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory) -> list[tuple[Response, Path]]:
    folder = tmp_path_factory.mktemp("q")
    responses = demo_databook().responses()
    files = [(r, write_book(questionnaire(CAT, r, r.respondent, r.role), folder / f"q{i}.xlsx"))
             for i, r in enumerate(responses)]
    r = responses[1]
    files.append((r, write_book(questionnaire(CAT, r, r.respondent, r.role, lang="en"), folder / "q_en.xlsx")))
    return files


def test_demo_questionnaires_read_back_to_the_same_response(demo_files):
    assert len(demo_files) == 4
    for original, path in demo_files:
        nv, response, found = _read(path)
        assert found == []
        assert questionnaire_meta_problem(nv.meta, CAT) is None
        assert response == original  # respondent, role, every answer with rating and evidence, in order
        assert len(response.answers) == 62
        assert score_response(CAT, response) == score_response(CAT, original)


def test_ratings_typed_as_words_score_as_checked_by_hand(tmp_path):
    # Checked by hand (German and English words mixed, as a respondent might paste them):
    #   SW-1.1 100, SW-1.2 50, SW-1.3 n.r. → SW-1 = 75;  SW-2.1 75 (with evidence) → SW-2 = 75
    #   SW = (100 + 50 + 75) / 3 = 75; rated 3, n.r. 1, coverage 3 / 9
    #   OS-1.1 0, OS-1.2 25 → OS = 12.5;  LM-1.1 n.r. only → LM no score;  BP-1.1 100 → BP = 100
    #   overall = (75 + 12.5 + 100) / 3 = 62.5; coverage = 6 rated / (62 − 2 n.r.) = 0.1
    #   75/100 without evidence: SW-1.1, BP-1.1 (SW-2.1 has evidence)
    typed = {"SW-1.1": "100 – trifft voll und ganz zu", "SW-1.2": "trifft teilweise zu", "SW-1.3": "nicht relevant",
             "SW-2.1": "largely applies", "OS-1.1": "0 – does not apply at all",
             "OS-1.2": "25 – trifft in geringem Maße zu", "LM-1.1": "not relevant", "BP-1.1": "Fully applies"}
    for lang in ("de", "en"):
        empty = write_book(questionnaire(CAT, None, "Test Person", "KAM", lang=lang), tmp_path / f"empty_{lang}.xlsx")
        _, blank, found = _read(empty)
        assert found == [] and blank.respondent == "Test Person" and blank.role == "KAM"
        assert len(blank.answers) == 62 and all(a.rating is None and a.evidence == "" for a in blank.answers)

        path = _type(empty, tmp_path / f"typed_{lang}.xlsx", typed, {"SW-2.1": "Kundenplan 2025"})
        _, response, found = _read(path)
        assert found == []
        got = {a.criterion_id: a for a in response.answers if a.rating is not None or a.evidence}
        assert {cid: a.rating for cid, a in got.items()} == {
            "SW-1.1": 100, "SW-1.2": 50, "SW-1.3": "n.r.", "SW-2.1": 75, "OS-1.1": 0, "OS-1.2": 25,
            "LM-1.1": "n.r.", "BP-1.1": 100}
        assert got["SW-2.1"].evidence == "Kundenplan 2025"

        result = score_response(CAT, response)
        assert result.sections["SW-1"].score == 75 and result.sections["SW-2"].score == 75
        sw = result.dimensions["SW"]
        assert (sw.score, sw.rated, sw.not_relevant, sw.coverage) == (75, 3, 1, pytest.approx(1 / 3))
        assert result.dimensions["OS"].score == 12.5
        assert result.dimensions["LM"].score is None and result.dimensions["LM"].not_relevant == 1
        assert result.dimensions["BP"].score == 100
        assert result.overall == pytest.approx(62.5)
        assert result.coverage == pytest.approx(0.1)
        assert result.unsupported == ["SW-1.1", "BP-1.1"]


def test_a_rating_that_is_not_an_answer_is_one_problem_and_the_rest_reads(demo_files, tmp_path):
    original, path = demo_files[0]
    wb = openpyxl.load_workbook(path)
    sheet, cell, offset = _rating_cells(wb, "OS")["OS-2.2"]
    bad = _type(path, tmp_path / "bad.xlsx", {"OS-2.2": "sehr gut"})

    nv, response, found = _read(bad)
    assert len(found) == 1
    name, row, col, value, allowed = found[0]
    assert (name, row, col, value) == ("exc_OS_ratings", offset, 0, "sehr gut")
    assert offset > 0  # section titles and guiding questions come before OS-2.2 inside the block
    assert "trifft im Wesentlichen zu" in allowed
    assert nv.locate(name, row, col) == (sheet, cell)

    before = {a.criterion_id: a for a in original.answers}
    after = {a.criterion_id: a for a in response.answers}
    assert after.keys() == before.keys()
    assert after["OS-2.2"] == Answer(criterion_id="OS-2.2", rating=None, evidence=before["OS-2.2"].evidence)
    assert {k: v for k, v in after.items() if k != "OS-2.2"} == {k: v for k, v in before.items() if k != "OS-2.2"}


def test_blank_respondent_is_a_problem(tmp_path):
    path = write_book(questionnaire(CAT, None, "", "KAM"), tmp_path / "anon.xlsx")
    _, response, found = _read(path)
    assert [f[:4] for f in found] == [("exc_respondent", None, None, None)]
    assert response.respondent == "-" and response.role == "KAM"


def test_parse_excellence_reads_only_the_given_dimensions(demo_files):
    original, path = demo_files[0]
    found: list[ProblemRow] = []
    response = parse_excellence(read_named(path).values, CAT, ["BP", "SW"], original.respondent, original.role,
                                lambda *args: found.append(args))
    assert found == []
    assert [a.criterion_id[:2] for a in response.answers] == ["BP"] * 17 + ["SW"] * 10
    wanted = {a.criterion_id: a for a in original.answers if a.criterion_id[:2] in ("BP", "SW")}
    assert {a.criterion_id: a for a in response.answers} == wanted
    # a workbook without the criteria of a dimension (e.g. another sheet) is reported, not raised
    found.clear()
    parse_excellence({}, CAT, ["SW"], "X", "", lambda *args: found.append(args))
    assert [f[0] for f in found] == ["exc_SW_ids"]


def test_meta_problem_names_other_templates_versions_and_catalogues(demo_files):
    meta = read_named(demo_files[0][1]).meta
    assert meta["template_id"] == TEMPLATE_ID and meta["template_version"] == TEMPLATE_VERSION
    assert questionnaire_meta_problem(meta, CAT) is None
    wrong_template = questionnaire_meta_problem({**meta, "template_id": "kam_xl.account_plan"}, CAT)
    assert wrong_template is not None and "kam_xl.account_plan" in wrong_template
    assert "not a kam_xl questionnaire" in questionnaire_meta_problem({}, CAT)
    wrong_version = questionnaire_meta_problem({**meta, "template_version": "0.9"}, CAT)
    assert wrong_version is not None and "0.9" in wrong_version and TEMPLATE_VERSION in wrong_version
    wrong_catalogue = questionnaire_meta_problem({**meta, "catalogue_version": "0.1"}, CAT)
    assert wrong_catalogue is not None and "0.1" in wrong_catalogue and CAT.version in wrong_catalogue
    assert questionnaire_meta_problem({**meta, "catalogue_id": "other"}, CAT) is not None
