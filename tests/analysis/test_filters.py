"""apply_filters: the dashboards' filter rule as a pure function over a response table."""

import polars as pl

from nmahp.analysis import response_frame
from nmahp.analysis.filters import apply_filters
from nmahp.instruments import get_instrument


def frame():
    instrument = get_instrument("nmahp")
    rows = [{"region": "greater_manchester", "pay_band": "band_5", "organisation_type": "acute_trust"},
            {"region": "lancashire_south_cumbria", "pay_band": "band_6",
             "organisation_type": "acute_trust community_trust"},
            {"region": "greater_manchester", "pay_band": "band_6", "organisation_type": "community_trust"}]
    return instrument, response_frame(instrument, rows)


def test_single_choice_filters_and_what_was_applied():
    instrument, data = frame()
    out, applied = apply_filters(data, instrument, {"region": "greater_manchester", "pay_band": ""})
    assert out.height == 2 and applied == {"region": "greater_manchester"}
    both, applied = apply_filters(data, instrument, {"region": "greater_manchester", "pay_band": "band_6"})
    assert both.height == 1 and applied == {"region": "greater_manchester", "pay_band": "band_6"}


def test_unknown_values_and_questions_are_ignored_not_passed_on():
    instrument, data = frame()
    out, applied = apply_filters(data, instrument, {"region": "<script>", "no_such_question": "x"})
    assert out.height == 3 and applied == {}
    out, applied = apply_filters(data, instrument, {"region": "greater_manchester"}, allowed=["pay_band"])
    assert out.height == 3 and applied == {}


def test_select_multiple_matches_a_value_among_others():
    instrument, data = frame()
    out, applied = apply_filters(data, instrument, {"organisation_type": "community_trust"})
    assert out.height == 2 and applied == {"organisation_type": "community_trust"}
    out, _ = apply_filters(data, instrument, {"organisation_type": "acute_trust"})
    assert out.height == 2
    data = pl.DataFrame({"organisation_type": ["community_trust_x", None]})  # whole values, not substrings
    assert apply_filters(data, instrument, {"organisation_type": "community_trust"})[0].height == 0
