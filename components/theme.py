"""How series look: short labels, units and one colour per series (the same in every panel; on each theme's
background only as much lighter or darker as it takes to read), and the Plotly templates."""

from __future__ import annotations

import functools
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


def color(series_id: str, theme: Theme) -> str:
    """The series' colour as drawn on `theme`: its record's colour, lightened (dark) or darkened (light) just enough
    to reach 3:1 on the background, WCAG's minimum for graphics (^RUT's #1f4e9c read 2.0:1 on the dark one)."""
    return readable(series_def(series_id).color, _INK[theme][0])


@functools.cache
def readable(colour: str, background: str) -> str:
    """`colour` (#rrggbb) mixed toward white on a dark `background`, toward black on a light one, in steps of 5%,
    until its contrast with `background` is at least MIN_CONTRAST."""
    target = 255 if _luminance(background) < 0.5 else 0
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    for step in range(21):
        mixed = "#" + "".join(f"{round(c + (target - c) * step / 20):02x}" for c in rgb)
        if contrast(mixed, background) >= MIN_CONTRAST:
            return mixed
    return mixed


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours."""
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


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
MIN_CONTRAST = 3.0  # lines and marks on the chart background (WCAG 1.4.11, non-text contrast)
FONT = "Inter, system-ui, -apple-system, Segoe UI, Roboto, sans-serif"
_INK: dict[Theme, tuple[str, str, str, str]] = {
    # paper, text, grid, muted text
    "light": ("#ffffff", "#1d2433", "#eceef2", "#6b7280"),
    "dark": ("#1e2130", "#e7e9ee", "#2c3142", "#9aa1ad"),
}


def correlation_colors(theme: Theme) -> tuple[str, str, str]:
    short, medium, long = (readable(colour, _INK[theme][0]) for colour in _CORRELATION_COLORS[theme])
    return short, medium, long


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
