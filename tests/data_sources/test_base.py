from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data_sources.base import ParseError, validate_series


def _series(dates: list[str], values: list[float]) -> pd.Series:
    return pd.Series(values, index=pd.DatetimeIndex(pd.to_datetime(dates)))


def test_validate_series_returns_canonical_shape() -> None:
    result = validate_series(_series(["2024-01-01", "2024-01-02"], [1, 2]), source="t", series_id="btc")
    assert result.dtype == "float64"
    assert result.index.name == "date"
    assert result.name == "btc"
    pd.testing.assert_index_equal(result.index, pd.DatetimeIndex(["2024-01-01", "2024-01-02"], name="date"))


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        (pd.Series(dtype="float64"), "no data points"),
        (pd.Series([1.0], index=[0]), "not a DatetimeIndex"),
        (_series(["2024-01-02", "2024-01-01"], [1, 2]), "not ascending"),
        (_series(["2024-01-01", "2024-01-01"], [1, 2]), "1 duplicate dates"),
        (_series(["2024-01-01 10:00"], [1]), "intraday"),
        (_series(["2024-01-01", "2024-01-02"], [1, np.nan]), "NaN"),
        (_series(["2024-01-01"], [1]).tz_localize("UTC"), "timezone-aware"),
        (pd.Series(["a"], index=pd.DatetimeIndex(["2024-01-01"])), "not numeric"),
    ],
)
def test_validate_series_names_source_series_and_reason(values: pd.Series, reason: str) -> None:
    with pytest.raises(ParseError, match=rf"^vendor / iwm: .*{reason}") as info:
        validate_series(values, source="vendor", series_id="iwm")
    assert (info.value.source, info.value.series_id) == ("vendor", "iwm")
