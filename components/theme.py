"""How series look: short labels, units and one colour per series (the same in every panel and both themes),
and the Plotly templates."""

from __future__ import annotations

from typing import Literal

from data_sources.series import series_def

Theme = Literal["light", "dark"]


def short(series_id: str) -> str:
    """The series' short label: legends, badges, axis titles."""
    return series_def(series_id).short


def label(series_id: str) -> str:
    """The series' full label: messages and tooltips."""
    return series_def(series_id).label


def unit(series_id: str) -> str:
    return series_def(series_id).unit


def color(series_id: str) -> str:
    return series_def(series_id).color


# alternative.me's classes, from fear (red) to greed (green).
FEAR_GREED_COLORS = {
    "Extreme Fear": "#c0392b",
    "Fear": "#e67e22",
    "Neutral": "#b7b7b7",
    "Greed": "#7dbb42",
    "Extreme Greed": "#1e8449",
}
# Rolling correlation windows (30, 90, 180), short to long as light to strong: each must read on its background.
_CORRELATION_COLORS: dict[Theme, tuple[str, str, str]] = {
    "light": ("#9db4e0", "#4a78c2", "#1b3a73"),
    "dark": ("#51648c", "#7aa7ff", "#dce7ff"),
}
FONT = "Inter, system-ui, -apple-system, Segoe UI, Roboto, sans-serif"
_INK: dict[Theme, tuple[str, str, str, str]] = {
    # paper, text, grid, muted text
    "light": ("#ffffff", "#1d2433", "#eceef2", "#6b7280"),
    "dark": ("#1e2130", "#e7e9ee", "#2c3142", "#9aa1ad"),
}


def correlation_colors(theme: Theme) -> tuple[str, str, str]:
    return _CORRELATION_COLORS[theme]


def template(theme: Theme) -> dict[str, object]:
    """A small Plotly template (figures are dicts, so plotly.py's named templates do not apply)."""
    paper, text, grid, muted = _INK[theme]
    axis = {
        "gridcolor": grid,
        "linecolor": grid,
        "zerolinecolor": grid,
        "tickcolor": grid,
        "automargin": False,
        "ticklabeloverflow": "allow",
    }
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
