"""KAM-Excellence catalogue and scoring (seed 000, Tabelle 1–3, 6, 7, 9, 10, 12, 13)."""

import json

import pytest

from kam_xl.excellence import (
    Answer,
    Response,
    compare_checkups,
    consolidate,
    load_catalogue,
    parse_rating,
    score_response,
)

CAT = load_catalogue()


def test_catalogue_counts_match_the_seed():
    assert [d.id for d in CAT.dimensions] == ["SW", "OS", "LM", "BP"]
    assert len(CAT.sections()) == 22
    per_dim = {d.id: sum(len(s.criteria) for s in d.sections) for d in CAT.dimensions}
    assert per_dim == {"SW": 10, "OS": 15, "LM": 20, "BP": 17}  # Tabelle 2, 6, 9, 12
    questions = sorted(q.number for d in CAT.dimensions for s in d.sections for q in s.questions)
    assert questions == list(range(1, 57))  # Tabelle 13: Leitfragen 1–56
    assert CAT.criterion("SW-2.1").text.de == "kennt den Kundendeckungsbeitrag III für die wichtigsten Kunden."
    assert CAT.dimensions[0].sections[0].questions[0].text.de == "Mit wem verdienen wir derzeit unser Geld?"
    assert all(r.criterion.text.en and r.criterion.text.de for r in CAT.criteria())
    assert CAT.ref("LM-2.1").dimension == "LM" and CAT.ref("LM-2.1").section == "LM-2"


def test_scores_by_hand_nr_and_unanswered_left_out():
    answers = [Answer(criterion_id="SW-1.1", rating=100, evidence="CDB-III-Rechnung"),
               Answer(criterion_id="SW-1.2", rating=50), Answer(criterion_id="SW-1.3", rating="n.r."),
               Answer(criterion_id="SW-2.1", rating=0), Answer(criterion_id="OS-1.1", rating=75),
               Answer(criterion_id="LM-1.1", rating=25, evidence="")]
    r = score_response(CAT, Response(respondent="KAM", role="KAM", answers=answers))
    assert r.sections["SW-1"].score == 75  # (100 + 50) / 2; n.r. left out
    assert r.sections["SW-2"].score == 0
    assert r.dimensions["SW"].score == 50  # mean of rated criteria (100, 50, 0), not of section means
    assert r.dimensions["OS"].score == 75 and r.dimensions["LM"].score == 25
    assert r.dimensions["BP"].score is None
    assert r.overall == pytest.approx((50 + 75 + 25) / 3)
    # coverage = rated ÷ criteria not marked n.r. = 5 / (62 − 1)
    assert r.coverage == pytest.approx(5 / 61)
    assert r.dimensions["SW"].coverage == pytest.approx(3 / 9)
    assert r.dimensions["SW"].thin  # 3 of 10 rated
    assert r.dimensions["SW"].not_relevant == 1 and r.dimensions["SW"].unanswered == 6
    assert r.weakest_sections[:2] == ["SW-2", "LM-1"]
    assert r.weakest_criteria == ["SW-2.1", "LM-1.1", "SW-1.2"]
    assert r.unsupported == ["OS-1.1"]  # 75 without evidence; SW-1.1 has evidence


def test_rating_parsing_and_errors():
    assert parse_rating("trifft im Wesentlichen zu") == 75
    assert parse_rating("75 – trifft im Wesentlichen zu") == 75  # the questionnaire's drop-down words
    assert parse_rating("75 – largely applies") == 75
    assert parse_rating("not relevant") == "n.r."
    assert parse_rating(" 25 ") == 25
    assert parse_rating(None) is None
    for bad in (60, "60", "sehr gut", True, 12.5):
        with pytest.raises(ValueError, match="allowed: 0, 25, 50, 75, 100 or n.r."):
            parse_rating(bad)


def test_unknown_and_duplicate_criteria():
    with pytest.raises(ValueError, match="unknown criterion ids XX-9.9"):
        score_response(CAT, Response(respondent="A", answers=[Answer(criterion_id="XX-9.9", rating=50)]))
    with pytest.raises(ValueError, match="answered twice: SW-1.1"):
        Response(respondent="A", answers=[Answer(criterion_id="SW-1.1", rating=50)] * 2)


def test_consolidation_flags_disagreement():
    rs = [Response(respondent=n, answers=[Answer(criterion_id="SW-1.1", rating=v),
                                          Answer(criterion_id="SW-1.2", rating=w)])
          for n, v, w in (("KAM", 100, 50), ("Vertriebsleitung", 50, 75), ("BU", "n.r.", 50))]
    c = consolidate(CAT, rs)
    assert (c["SW-1.1"].mean, c["SW-1.1"].min, c["SW-1.1"].max) == (75, 50, 100)
    assert c["SW-1.1"].spread == 50 and c["SW-1.1"].disagreement
    assert c["SW-1.1"].not_relevant == 1 and c["SW-1.1"].rated == 2
    assert c["SW-1.2"].mean == pytest.approx(175 / 3) and not c["SW-1.2"].disagreement
    assert c["BP-1.1"].mean is None and not c["BP-1.1"].disagreement
    assert len(c) == 62


def test_compare_two_checkups():
    before = score_response(CAT, Response(respondent="A", answers=[Answer(criterion_id="SW-1.1", rating=25)]))
    after = score_response(CAT, Response(respondent="A", answers=[Answer(criterion_id="SW-1.1", rating=75),
                                                                  Answer(criterion_id="OS-1.1", rating=50)]))
    d = compare_checkups(before, after)
    assert d.dimensions == {"SW": 50, "OS": None, "LM": None, "BP": None}
    assert d.sections["SW-1"] == 50
    assert d.overall == pytest.approx(62.5 - 25)


def test_company_criteria_from_a_file(tmp_path):
    f = tmp_path / "acme.csv"
    f.write_text("dimension;section;text_de;text_en;section_title_de\n"
                 "SW;2;bewertet Kunden jährlich nach CDB III.;rates customers yearly by CDB III.;\n"
                 "BP;7;pflegt ein CRM.;keeps a CRM.;Wie dokumentieren wir Kontakte?\n", encoding="utf-8")
    cat = load_catalogue(f)
    assert cat.version == "1.0.0+acme"
    assert cat.criterion("SW-2.4").text.en == "rates customers yearly by CDB III."
    assert cat.criterion("BP-7.1").text.de == "pflegt ein CRM."
    assert len(cat.criteria()) == 64
    j = tmp_path / "bad.json"
    j.write_text(json.dumps([{"dimension": "XY", "section": 1, "text_de": "x"},
                             {"dimension": "SW", "section": 9, "text_de": "y"}]), encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad, row 2: dimension 'XY'.*bad, row 3: section SW-9 does not exist"):
        load_catalogue(j)
    dup = tmp_path / "dup.csv"
    dup.write_text("dimension,section,id,text_de\nSW,1,SW-1.1,doppelt\n", encoding="utf-8")
    with pytest.raises(ValueError, match="SW-1.1 listed twice"):
        load_catalogue(dup)
