"""Daily, weekly or monthly closes: the last observation of each period, labelled by the period's last calendar day."""

from __future__ import annotations

from typing import Literal, TypeVar, get_args

import pandas as pd

Resolution = Literal["daily", "weekly", "monthly"]
RESOLUTIONS: tuple[Resolution, ...] = get_args(Resolution)

FrameOrSeries = TypeVar("FrameOrSeries", pd.DataFrame, pd.Series)


def check_resolution(resolution: str) -> Resolution:
    """`resolution` if it is one of RESOLUTIONS, else ValueError naming the choices."""
    if resolution not in RESOLUTIONS:
        raise ValueError(f"unknown resolution {resolution!r}; expected one of {', '.join(RESOLUTIONS)}")
    return resolution  # type: ignore[return-value]


def resample_closes(values: FrameOrSeries, *, resolution: Resolution) -> FrameOrSeries:
    """Each column's last observation per period, labelled by the period's last day; daily returns `values` as is."""
    if check_resolution(resolution) == "daily":
        return values
    # groupby on computed labels, not resample: pandas 3 builds weekly resample bins one date at a time (~20 ms).
    closes = values.groupby(period_labels(pd.DatetimeIndex(values.index), resolution=resolution)).last()
    return closes.dropna(how="all")


def period_labels(dates: pd.DatetimeIndex, *, resolution: Resolution) -> pd.DatetimeIndex:
    """The label of each date's period: the date itself, its week's Sunday, or its month's last day."""
    if check_resolution(resolution) == "daily":
        return dates
    if resolution == "weekly":
        # Weeks end on Sunday so that crypto (7 days a week) and equities (last close usually Friday) share a label.
        labels = dates + pd.to_timedelta(6 - dates.day_of_week, unit="D")
    else:
        months = dates.to_numpy().astype("datetime64[M]")
        month_ends = (months + 1).astype(f"datetime64[{dates.unit}]") - pd.Timedelta(days=1)
        labels = pd.DatetimeIndex(month_ends)
    return labels.rename(dates.name)


def close_dates(values: pd.Series, *, resolution: Resolution) -> pd.Series:
    """The actual date each close in `resample_closes(values.dropna())` came from, indexed by period label."""
    observed = values.dropna()
    dates = pd.Series(observed.index, index=observed.index, name="close_date")
    return resample_closes(dates, resolution=resolution)


def period_starts(labels: pd.DatetimeIndex, *, resolution: Resolution) -> pd.DatetimeIndex:
    """The first calendar day of each period labelled (as by `resample_closes`) by `labels`."""
    if check_resolution(resolution) == "daily":
        return labels
    if resolution == "weekly":
        return labels - pd.Timedelta(days=6)
    return labels.to_period("M").to_timestamp().as_unit(labels.unit)
