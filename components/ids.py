"""Every component id in one place, so layout, callbacks, clientside code and tests agree."""

from __future__ import annotations

URL = "url"
VIEW = "view"  # dcc.Store: the current ViewState as a query string
RENDERED = "rendered"  # dcc.Store: the view the charts' traces were last built for
ZOOM = "zoom"  # dcc.Store: the range the clientside zoom handler last applied
HOVER = "hover"  # dcc.Store: the output the clientside hover link needs; never written
PRESET = "preset"
DATES = "dates"
EQUITY = "equity"
ALTCOIN = "altcoin"
SCALE = "scale"
MODE = "mode"
STABLES = "stables"
THEME = "theme"
COPY_LINK = "copy-link"
PAGE = "page"
PING = "ping"  # a no-op callback target, the floor for benchmarks/callbacks.py
PING_OUT = "ping-out"


def graph(panel: str) -> str:
    return f"graph-{panel}"


def card(panel: str) -> str:
    return f"panel-{panel}"


def badge(panel: str) -> str:
    return f"badge-{panel}"


def message(panel: str) -> str:
    return f"message-{panel}"


def csv_button(panel: str) -> str:
    return f"csv-{panel}"


def csv_download(panel: str) -> str:
    return f"csv-download-{panel}"


def png_link(panel: str) -> str:
    return f"png-{panel}"


RESOLUTION = "resolution"
ENTRY = "entry"
MIN_AGE = "min-age"
MIN_DRAWDOWN = "min-drawdown"
MARGIN = "margin"
CORR_WITH = "corr-with"
HORIZON = "horizon"
PEAK_DAYS = "peak-days"
SIGNAL_TABLE = "signal-table"
SIGNAL_SUMMARY = "signal-summary"
SIGNAL_CONVENTION = "signal-convention"
