"""Colours and Plotly templates: one colour per series, the same in every panel and both themes."""

from __future__ import annotations

from components.url_state import Theme
from data_sources.series import SERIES

SERIES_COLORS = {series_id: record.color for series_id, record in SERIES.items()}
# alternative.me's classes, from fear (red) to greed (green).
FEAR_GREED_COLORS = {
    "Extreme Fear": "#c0392b",
    "Fear": "#e67e22",
    "Neutral": "#b7b7b7",
    "Greed": "#7dbb42",
    "Extreme Greed": "#1e8449",
}
FONT = "Inter, system-ui, -apple-system, Segoe UI, Roboto, sans-serif"
_INK: dict[Theme, tuple[str, str, str, str]] = {
    # paper, text, grid, muted text
    "light": ("#ffffff", "#1d2433", "#eceef2", "#6b7280"),
    "dark": ("#1e2130", "#e7e9ee", "#2c3142", "#9aa1ad"),
}


def template(theme: Theme) -> dict[str, object]:
    """A small Plotly template (figures are dicts, so plotly.py's named templates do not apply)."""
    paper, text, grid, muted = _INK[theme]
    axis = {"gridcolor": grid, "linecolor": grid, "zerolinecolor": grid, "tickcolor": grid, "automargin": True}
    return {
        "layout": {
            "paper_bgcolor": paper,
            "plot_bgcolor": paper,
            "font": {"family": FONT, "size": 12, "color": text},
            "xaxis": axis,
            "yaxis": axis,
            "hoverlabel": {"font": {"family": FONT}},
            "annotationdefaults": {"font": {"color": muted}},
        }
    }
