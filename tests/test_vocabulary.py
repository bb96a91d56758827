"""The shared words match the models they translate: every id of a domain tuple has a word in each language."""

from kam_xl.cdb import STAGES
from kam_xl.kaop import LEVERS, MEASURE_STATUSES
from kam_xl.portfolio import BAND_LABELS, portfolio_band
from kam_xl.vocabulary import (
    BAND_WORDS,
    LANGS,
    LEVER_WORDS,
    MEASURE_STATUS_WORDS,
    STAGE_LABELS,
    stage_word,
)


def test_words_cover_the_model_ids_in_their_order() -> None:
    assert tuple(STAGE_LABELS) == STAGES
    for lang in LANGS:
        assert tuple(LEVER_WORDS[lang]) == LEVERS
        assert tuple(MEASURE_STATUS_WORDS[lang]) == MEASURE_STATUSES
    assert LEVER_WORDS["en"]["Platzierung"] == "Placement"
    assert stage_word("development", "de") == "Entwicklung"


def test_band_labels_are_the_band_words_with_their_measure() -> None:
    assert BAND_LABELS["loss"] == ("CDB III < 0 % (Big Step or Out)", "CDB III < 0 % (big step or out)")
    assert BAND_LABELS["high"][0] == "CDB III " + BAND_WORDS["de"]["high"] == "CDB III > 10 %"
    assert {portfolio_band(0.2), portfolio_band(0.05), portfolio_band(-0.01)} == set(BAND_WORDS["en"])
