"""Series records: complete or rejected at import, one id each, derived inputs that exist, one F&G classifier."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from data_sources import fear_greed
from data_sources.base import UnknownSeriesError
from data_sources.series import SERIES, Derived, _checked, series_def


def test_unknown_ids_are_refused_by_name() -> None:
    assert series_def("rut") is SERIES["rut"]
    with pytest.raises(UnknownSeriesError, match="BTC-USD"):
        series_def("BTC-USD")


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"label": " "}, "empty label"),
        ({"terms": ""}, "empty terms"),
        ({"calendar": "crypto"}, "calendar 'crypto'"),
        ({"unit": "EUR"}, "unit 'EUR'"),
        ({"color": "orange"}, "not #rrggbb"),
        ({"live": (), "snapshot": None}, "neither a live source nor an embedded copy"),
    ],
)
def test_an_incomplete_record_is_rejected(change: dict[str, object], complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        replace(SERIES["btc"], **change)  # type: ignore[arg-type]


def test_a_derived_series_must_name_existing_inputs_and_ids_are_unique() -> None:
    orphan = replace(SERIES["altcoin_mcap"], live=Derived(("total_mcap", "nope"), sum, "x"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="derived from unknown nope"):
        _checked((SERIES["total_mcap"], orphan))
    with pytest.raises(ValueError, match="share an id"):
        _checked((SERIES["btc"], SERIES["btc"]))


def test_every_live_vendor_has_a_cache_lifetime() -> None:
    for record in SERIES.values():
        if not record.derived:
            assert all(adapter.ttl_seconds > 0 for adapter in record.live), record.id  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("value", "label"),
    [(0, "Extreme Fear"), (25, "Extreme Fear"), (26, "Fear"), (46, "Fear"), (47, "Neutral"), (54, "Neutral"),
     (55, "Greed"), (75, "Greed"), (76, "Extreme Greed"), (100, "Extreme Greed")],
)  # fmt: skip
def test_fear_greed_band_edges(value: float, label: str) -> None:
    assert fear_greed.classes(pd.Series([value])).iloc[0] == label
