"""Aligned data as text: the one CSV/JSON writer behind `riskon data` and the dashboard's CSV downloads."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd


def plain(value: float) -> str:
    """A float as a plain decimal with no exponent and no trailing zeros; '' for a missing value."""
    if not math.isfinite(value):
        return ""
    return np.format_float_positional(value, trim="-")


def to_csv(frame: pd.DataFrame, *, header: Sequence[str] | None = None) -> str:
    """One row per date (YYYY-MM-DD), one column per series, empty where a series has no value, never filled."""
    names = list(header) if header is not None else ["date", *map(str, frame.columns)]
    if len(names) != frame.shape[1] + 1:
        raise ValueError(f"{len(names)} header names for {frame.shape[1]} columns and the date")
    lines = [",".join(_csv_field(name) for name in names)]
    days = pd.DatetimeIndex(frame.index).strftime("%Y-%m-%d")
    values = frame.to_numpy(dtype="float64")
    lines += [",".join([day, *map(plain, row)]) for day, row in zip(days, values, strict=True)]
    return "\n".join(lines) + "\n"


def to_json(frame: pd.DataFrame) -> str:
    """`{"date": [...], "<id>": [... null where missing]}`: columns as arrays, the same data as `to_csv`."""
    days = pd.DatetimeIndex(frame.index).strftime("%Y-%m-%d").tolist()
    columns = {
        str(name): [None if not math.isfinite(v) else v for v in frame[name].to_numpy(dtype="float64").tolist()]
        for name in frame.columns
    }
    return json.dumps({"date": days, **columns})


def _csv_field(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text
