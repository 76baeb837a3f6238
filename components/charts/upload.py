"""Bring your own series: the upload card. A CSV is checked in the browser for size (an oversized file is never
sent), then parsed and stored on the server (data_sources.uploads) and named in the URL by its content id; the card
draws its columns against a riskon series, and the event study can use a column as signal or asset.

Builders are pure; `register` adds the callbacks.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from dash import ALL, Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from components import ids
from components.figures import Figure, line_traces
from components.security import MAX_REQUEST_BYTES
from components.theme import color, short, template
from components.url_state import UPLOAD, ViewState, decode
from data_sources.paths import cache_dir
from data_sources.store import ResilientCache
from data_sources.uploads import MAX_BYTES, Upload, UploadError, UploadStore, parse, too_large

if TYPE_CHECKING:
    from data_sources.store import Store

# dcc.Upload sends a file base64-encoded (4 bytes per 3) inside the callback's JSON body, which the app caps
# (components/security.py): a larger file would meet a bare 413, so it is refused first, with a reason. The rest
# of the body (ids, file name) takes well under ENVELOPE_BYTES.
ENVELOPE_BYTES = 16_384
MAX_UPLOAD_BYTES = min(MAX_BYTES, (MAX_REQUEST_BYTES - ENVELOPE_BYTES) * 3 // 4)
READS = ("upload", "upload_vs", "theme", "scale")
# The message line's class: a refusal reads as an error, an accepted file as a note.
REFUSED, ACCEPTED = "panel-message", "convention"
COLUMN_COLOURS = ("#7b2cbf", "#e76f51", "#2a9d8f", "#f4a261", "#264653", "#8ac926", "#1982c4", "#ff595e")
# In the browser: refuse an oversized file before it is sent; otherwise pass it on to the server callback. The
# refusal words the sizes as data_sources.uploads.too_large does.
SIZE_CHECK = f"""function (dropped, names) {{
    const nc = window.dash_clientside.no_update;
    const contents = dropped[0], filename = names[0];  // one drop box, once built (layout.deferred)
    if (!contents) return [nc, nc, nc];
    const bytes = Math.floor((contents.length - contents.indexOf(",") - 1) * 3 / 4), limit = {MAX_UPLOAD_BYTES};
    if (bytes > limit) {{
        let sizes = bytes.toLocaleString("en-US") + " bytes; the limit is " + limit.toLocaleString("en-US") + " bytes";
        for (const [unit, scale] of [["MB", 1e6], ["KB", 1e3]]) {{
            const size = (bytes / scale).toFixed(1), most = (limit / scale).toFixed(1);
            if (size !== most) {{ sizes = size + " " + unit + "; the limit is " + most + " " + unit; break; }}
        }}
        return [nc, filename + ": the file is " + sizes + ". Upload daily rows only, or fewer columns.", "{REFUSED}"];
    }}
    return [{{"contents": contents, "filename": filename}}, "Checking " + filename + "...", "{ACCEPTED}"];
}}"""


def upload_directory(store: Store) -> Path:
    """<cache dir>/uploads: beside the store's disk cache, or under RISKON_CACHE_DIR (or the default) beside Redis."""
    # A ResilientCache is named by its directory (disk) or its URL (Redis).
    name = store.cache.name if isinstance(store.cache, ResilientCache) else ""
    if name and Path(name).is_dir():
        return Path(name) / "uploads"
    return cache_dir() / "uploads"


def decoded(contents: object) -> bytes:
    """The bytes of a dcc.Upload `contents` data URL ('data:<type>;base64,<data>'), size-checked before decoding."""
    if not isinstance(contents, str) or "," not in contents:
        raise UploadError("the upload did not arrive as a file; try again")
    data = contents.partition(",")[2]
    if len(data) * 3 // 4 > MAX_UPLOAD_BYTES:
        raise UploadError(too_large(len(data) * 3 // 4, MAX_UPLOAD_BYTES))
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise UploadError("the upload is not valid base64; try again") from None


def accept(pending: object, uploads: UploadStore) -> tuple[str | None, str]:
    """Parse and store a pending upload ({'contents', 'filename'}): (its id, what to tell the analyst), or
    (None, why it was refused)."""
    if not isinstance(pending, dict):
        return None, "the upload did not arrive as a file; try again"
    name = Path(str(pending.get("filename") or "upload")).stem
    try:
        upload = parse(decoded(pending.get("contents")), name=name)
        upload_id = uploads.save(upload)
    except UploadError as exc:
        return None, f"{name}: {exc}"
    columns = ", ".join(upload.frame.columns)
    first, last = upload.frame.index[[0, -1]]
    return upload_id, (
        f"{upload.name}: {len(upload.frame)} rows from {first:%Y-%m-%d} to {last:%Y-%m-%d}, columns {columns}. "
        f"Its id {upload_id} is in the URL: a link shows it on this server."
    )


def described(upload: Upload | None, state: ViewState) -> str:
    """The card's message for the view's upload id: none, unknown here, or what it holds."""
    if not state.upload:
        return "No upload in this view: drop a CSV (a date column and one or more numeric columns)."
    if upload is None:
        return (f"Upload {state.upload} is not on this server (uploads stay on the server that received them): "
                "upload the file again to see it.")  # fmt: skip
    first, last = upload.frame.index[[0, -1]]
    return f"{upload.name}: {', '.join(upload.frame.columns)}, {first:%Y-%m-%d} to {last:%Y-%m-%d} (id {upload.id})."


def figure(upload: Upload | None, against: pd.Series, state: ViewState) -> Figure:
    """The upload's columns (left axis) against a riskon series (right axis), over the upload's dates."""
    name = short(state.upload_vs)
    layout: dict[str, Any] = {
        "template": template(state.theme),
        "title": {"text": f"<b>{upload.name if upload else 'Upload'} vs {name}</b>", "x": 0.01, "xanchor": "left",
                  "font": {"size": 15}},
        "margin": {"l": 64, "r": 64, "t": 64, "b": 48},
        "height": 400,
        "hovermode": "x unified",
        "legend": {"orientation": "h", "x": 1, "y": 1.0, "yanchor": "bottom", "xanchor": "right"},
        "xaxis": {"type": "date"},
        "yaxis": {"title": {"text": "upload"}, "exponentformat": "B"},
        "yaxis2": {"title": {"text": name}, "overlaying": "y", "side": "right", "showgrid": False,
                   "type": "log" if state.scale == "log" else "linear", "exponentformat": "B"},
    }  # fmt: skip
    if upload is None:  # one sentence, no empty axes
        hidden = {"visible": False}
        prompt = {"text": "Upload a CSV above to chart it here", "showarrow": False, "xref": "paper", "yref": "paper",
                  "x": 0.5, "y": 0.5, "font": {"size": 14}}  # fmt: skip
        return {"data": [], "layout": layout | {"xaxis": hidden, "yaxis": hidden, "yaxis2": hidden, "height": 160,
                                                "annotations": [prompt]}}  # fmt: skip
    traces: list[dict[str, Any]] = []
    for number, (column, values) in enumerate(upload.frame.items()):
        colour = COLUMN_COLOURS[number % len(COLUMN_COLOURS)]
        traces += line_traces(values.dropna(), None, name=str(column), line={"color": colour, "width": 1.8},
                              hovertemplate=f"%{{y:,.4s}}<extra>{column}</extra>")  # fmt: skip
    first, last = upload.frame.index[[0, -1]]
    traces += line_traces(against.dropna().loc[first:last], None, name=name, yaxis="y2",
                          hovertemplate=f"%{{y:,.4s}}<extra>{name}</extra>",
                          line={"color": color(state.upload_vs, state.theme), "width": 1.4})  # fmt: skip
    layout["xaxis"]["range"] = [f"{first:%Y-%m-%d}", f"{last:%Y-%m-%d}"]
    return {"data": traces, "layout": layout}


def register(app: Dash, store: Store, uploads: UploadStore) -> None:
    """The size check in the browser, the server's parse-and-store, and the card's chart."""
    app.clientside_callback(
        SIZE_CHECK,
        Output(ids.UPLOAD_PENDING, "data"),
        Output(ids.UPLOAD_MESSAGE, "children"),
        Output(ids.UPLOAD_MESSAGE, "className"),
        Input(ids.indexed(ids.UPLOAD_INPUT, ALL), "contents"),
        State(ids.indexed(ids.UPLOAD_INPUT, ALL), "filename"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(UPLOAD.id, "value", allow_duplicate=True),
        Output(ids.UPLOAD_MESSAGE, "children", allow_duplicate=True),
        Output(ids.UPLOAD_MESSAGE, "className", allow_duplicate=True),
        Input(ids.UPLOAD_PENDING, "data"),
        prevent_initial_call=True,
    )
    def store_upload(pending: object) -> tuple[Any, str, str]:
        """A valid file becomes the view's upload (the view callback writes it to the URL); else say why."""
        upload_id, message = accept(pending, uploads)
        if upload_id is None:
            return no_update, message, REFUSED
        return upload_id, message, ACCEPTED

    @app.callback(
        Output(ids.indexed(ids.UPLOAD_GRAPH, ALL), "figure"),
        Output(ids.UPLOAD_STATUS, "children"),
        Input(ids.UPLOAD_VIEW, "data"),
    )
    def update_upload(search: str | None) -> tuple[list[Figure], str]:
        """The upload against its riskon series, once its graph is built as the card nears the screen."""
        if not (graphs := ctx.outputs_list[0]):
            raise PreventUpdate
        state = decode(search)
        upload = uploads.load(state.upload) if state.upload else None
        against = store.series(state.upload_vs)[0] if upload is not None else None
        values = against if against is not None else pd.Series(dtype="float64")
        return [figure(upload, values, state)] * len(graphs), described(upload, state)
