"""The four panels: which series each draws for a view, on which axis, and how it is titled."""

from __future__ import annotations

from dataclasses import dataclass

from components.url_state import ViewState
from data_sources.series import SERIES
from data_sources.series import series_def as spec


@dataclass(frozen=True)
class PanelSeries:
    """A panel's series for one view: `left` on the primary axis, `right` on the secondary in raw mode."""

    left: tuple[str, ...]
    right: tuple[str, ...]

    @property
    def all(self) -> tuple[str, ...]:
        return self.left + self.right


PANEL_KEYS = ("smallcaps", "altcoins", "stablecoins", "sentiment")
SHORT_LABELS = {series_id: record.short for series_id, record in SERIES.items()}


def panel_series(key: str, state: ViewState) -> PanelSeries:
    """The series panel `key` shows for `state`."""
    if key == "smallcaps":
        return PanelSeries((state.equity,), ("btc",))
    if key == "altcoins":
        return PanelSeries(("iwm",), (state.altcoin,))
    if key == "stablecoins":
        return PanelSeries(state.stables, ("total_mcap",))
    if key == "sentiment":
        return PanelSeries(("fear_greed",), ())
    raise KeyError(key)


def panel_title(key: str, state: ViewState) -> str:
    """The chart title, naming the series actually shown."""
    if key == "smallcaps":
        return f"Small caps vs Bitcoin: {SHORT_LABELS[state.equity]} and BTC"
    if key == "altcoins":
        return f"Altcoin market cap ({spec(state.altcoin).label.split('(')[-1].rstrip(')')}) vs IWM"
    if key == "stablecoins":
        return "Stablecoin supply vs total crypto market cap"
    return "Crypto Fear & Greed Index"


def all_series(state: ViewState) -> tuple[str, ...]:
    """Every series any panel shows for `state`, each once."""
    return tuple(dict.fromkeys(sid for key in PANEL_KEYS for sid in panel_series(key, state).all))
