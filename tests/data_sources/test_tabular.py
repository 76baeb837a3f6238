"""CSV and JSON of aligned data: plain decimals, empty (never filled) gaps, dates as days."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from data_sources.tabular import plain, to_csv, to_json

FRAME = pd.DataFrame(
    {"total_mcap": [6.5e10, np.nan], "rut": [np.nan, 1740.75]},
    index=pd.DatetimeIndex(["2020-11-14", "2020-11-16"], name="date"),
)


@pytest.mark.parametrize(("value", "text"), [(6.5e10, "65000000000"), (0.1 + 0.2, "0.30000000000000004"),
                                             (1e-7, "0.0000001"), (np.nan, ""), (-2.0, "-2")])  # fmt: skip
def test_plain_never_uses_an_exponent_and_keeps_every_digit(value: float, text: str) -> None:
    assert plain(value) == text
    if text:
        assert float(text) == value


def test_csv_has_one_row_per_date_and_empty_gaps() -> None:
    assert to_csv(FRAME).splitlines() == ["date,total_mcap,rut", "2020-11-14,65000000000,", "2020-11-16,,1740.75"]


def test_csv_header_can_carry_labels_and_units_quoted_where_needed() -> None:
    text = to_csv(FRAME, header=["date", "Total crypto cap (USD)", "Russell 2000, ^RUT (points)"])
    assert text.splitlines()[0] == 'date,Total crypto cap (USD),"Russell 2000, ^RUT (points)"'
    with pytest.raises(ValueError, match="2 header names for 2 columns"):
        to_csv(FRAME, header=["date", "x"])


def test_json_holds_the_same_data_with_nulls() -> None:
    assert json.loads(to_json(FRAME)) == {
        "date": ["2020-11-14", "2020-11-16"],
        "total_mcap": [65000000000.0, None],
        "rut": [None, 1740.75],
    }
