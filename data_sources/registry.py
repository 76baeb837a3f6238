"""The live fallback chain: fetch a series from the first of its record's vendors that works."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from data_sources.base import Fetched, SourceError, validate_series
from data_sources.series import SERIES, Derived, SeriesDef


class Registry:
    """A LiveSource over series records: tries each vendor in turn; one SourceError lists every failure."""

    def __init__(self, records: Mapping[str, SeriesDef] = SERIES) -> None:
        self.records = records

    def fetch_series(self, series_id: str) -> Fetched:
        live = self.records[series_id].live
        if isinstance(live, Derived):
            return self._derive(series_id, live)
        failures = []
        for adapter in live:
            try:
                series = adapter.parse(adapter.fetch(series_id), series_id)
            except SourceError as exc:
                failures.append(f"{exc.source}: {exc.reason}")
                continue
            return Fetched(series, adapter.name, adapter.ttl_seconds)
        raise SourceError("live", series_id, "every source failed: " + "; ".join(failures))

    def _derive(self, series_id: str, derived: Derived) -> Fetched:
        return derive(series_id, derived, [self.fetch_series(input_id) for input_id in derived.inputs])


def derive(series_id: str, derived: Derived, parts: Sequence[Fetched]) -> Fetched:
    """`derived` computed from its inputs' copies (in `derived.inputs` order) on their common dates."""
    frame = pd.concat([part.series for part in parts], axis=1, join="inner")
    series = validate_series(derived.combine(frame), source="derived", series_id=series_id)
    sources = " + ".join(dict.fromkeys(part.source for part in parts))
    return Fetched(series, f"{sources} ({derived.description})", min(part.ttl_seconds for part in parts))


def default_registry() -> Registry:
    """The registry `riskon` uses in live and auto modes."""
    return Registry()
