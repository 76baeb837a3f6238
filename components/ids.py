"""Every component id in one place, so layout, callbacks, clientside code and tests agree.

Controls take their ids from their declarations (url_state: `control.id`, the field name with dashes). The CSV
buttons and downloads use pattern-matching ids ({"type": ..., "chart": key}) so that one callback serves every chart."""

from __future__ import annotations

URL = "url"
VIEW = "view"  # dcc.Store: the current view as its query string
SIGNAL_VIEW = "signal-view"  # dcc.Store: the part of the view the signal table reads (changes only with it)
RENDERED = "rendered"  # dcc.Store: per chart, the view (range pinned) its traces were built for
PRESET_RANGES = "preset-ranges"  # dcc.Store: each preset's [start, end] for the view, drawn by the browser
ZOOM = "zoom"  # dcc.Store: the range the clientside zoom handler last applied to every chart
DATES = "dates"  # pattern type: the custom-range picker, built once the analyst reaches for it (layout.PARTS)
DATES_SHOWN = "dates-shown"  # what stands in for the picker until then: the custom range as text
COPY_LINK = "copy-link"
PAGE = "page"
VIEW_TITLE = "view-title"  # dcc.Store: the document title of the current view (preview.register)
SIGNAL_TABLE = "signal-table"  # pattern type: built once its card nears the screen
SIGNAL_SUMMARY = "signal-summary"
SIGNAL_CONVENTION = "signal-convention"
STUDY_VIEW = "study-view"  # dcc.Store: the part of the view the event study reads
UPLOAD_VIEW = "upload-view"  # dcc.Store: the part of the view the upload card reads
STUDY_GRAPH = "study-graph"  # pattern type: built once its card nears the screen; x is days after entry
STUDY_TABLE = "study-table"  # pattern type: built once its card nears the screen
STUDY_SUMMARY = "study-summary"
STUDY_NOTES = "study-notes"
UPLOAD_INPUT = "upload-input"  # pattern type: the dcc.Upload, built once its card nears the screen
UPLOAD_PENDING = "upload-pending"  # dcc.Store: a file that passed the browser's size check, for the server
UPLOAD_MESSAGE = "upload-message"  # what became of the last file dropped
UPLOAD_STATUS = "upload-status"  # what the view's upload id names
UPLOAD_GRAPH = "upload-graph"  # pattern type: built once its card nears the screen
LAZY = "lazy"  # pattern type: the place where a part of the page is built once wanted (layout.deferred)
WANTED = "wanted"  # pattern type: dcc.Store, set once its part is wanted (assets/clientside.js watchLazy)
CSV = "csv"  # pattern type: a chart's CSV button
CSV_DOWNLOAD = "csv-download"  # the page's one dcc.Download: whichever chart's CSV was asked for


def graph(chart: str) -> str:
    """The dcc.Graph of a chart (a plain id: clientside code finds graphs by it)."""
    return f"graph-{chart}"


def card(chart: str) -> str:
    return f"panel-{chart}"


def badge(chart: str) -> str:
    return f"badge-{chart}"


def message(chart: str) -> str:
    return f"message-{chart}"


def png_link(chart: str) -> str:
    """A chart's server PNG link (a plain id: the view callback writes every chart's href in one answer)."""
    return f"png-{chart}"


def indexed(kind: str, index: object = 0) -> dict[str, object]:
    """A pattern-matching id of a component that is not in the page until built: {"type": kind, "index": index}; a
    callback names it with `index` ALL (a list: empty until it is built) or MATCH."""
    return {"type": kind, "index": index}


def action(kind: str, chart: object) -> dict[str, object]:
    """A pattern-matching id of a chart's action (`kind` CSV); `chart` a key, MATCH or ALL."""
    return {"type": kind, "chart": chart}


STATUS_LINE = "status-line"  # one line under the header: live, offline, stale, with when
STATUS_TEXT = "status-text"
STATUS_TABLE = "status-table"  # the data-status drawer: one row per series
STATUS_SUMMARY = "status-summary"  # html.Summary: its clicks open and close the data-status drawer
STATUS_TICK = "status-tick"  # dcc.Interval: re-read the status and notice new data
DATA_VERSION = "data-version"  # dcc.Store: what data the charts show; a change re-renders without a reload
