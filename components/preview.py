"""Link previews: each view's page carries og:/twitter: tags naming what it shows, `/preview/<view>.png` answers a
1200 x 630 image of its first chart, and the document title follows the view as the analyst changes it."""

from __future__ import annotations

import datetime as dt
import functools
import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urljoin

import pandas as pd
from dash import ClientsideFunction, Dash, Input, Output
from flask import Response, request

from components import export, ids
from components.callbacks import badge, displayed, load, view_range
from components.charts import CHARTS
from components.signals import SIGNAL_ASSETS, signal_table
from components.theme import short
from components.url_state import ViewState, decode, encode

if TYPE_CHECKING:
    from data_sources.store import SeriesMeta, Store

WIDTH, HEIGHT = 1200, 630  # what link-preview services show as a large image (1.91:1), in image pixels
SCALE = 2  # export.render_png draws at 2 image pixels per CSS pixel: a chart laid out at 600 x 315, read small
SITE = "riskon"
FIRST_CHART = CHARTS[0]
# How a preset reads in a title: a shared preset link shows the latest data whenever it is opened.
PRESET_TEXT = {
    "ytd": "year to date",
    "1y": "last year",
    "3y": "last 3 years",
    "5y": "last 5 years",
    "max": "full history",
}
# The asset whose forward return after a breakout is the description's headline number.
HEADLINE_ASSET = "btc"
RETRY_AFTER_SECONDS = "30"
UNAVAILABLE = "The preview image cannot be drawn right now; try again later."


@dataclass(frozen=True)
class Preview:
    """What a link to one view unfurls into."""

    title: str
    description: str
    url: str
    image: str
    image_alt: str


def view_title(state: ViewState) -> str:
    """What the view's first chart shows: 'IWM vs BTC, 2020-10-01 to 2021-06-30, log'."""
    pair = " vs ".join(short(series_id) for series_id in FIRST_CHART.series(state))
    span = f"{state.start} to {state.end}" if state.has_custom_range else PRESET_TEXT[state.preset]
    options = ["log"] * (state.scale == "log") + ["rebased to 100"] * (state.mode == "rebase")
    return ", ".join([pair, span, *options])


def image_path(state: ViewState) -> str:
    """`/preview/<canonical query>.png`: one path per view, so caches in front of the server key on it."""
    return f"/preview/{quote(encode(state).lstrip('?'), safe='=&,.') or 'default'}.png"


def headline(table: pd.DataFrame, x_range: tuple[dt.date, dt.date], peak_days: int) -> str | None:
    """The latest breakout inside the range and BTC's peak return after it, or None when the range holds none."""
    if table.empty:
        return None
    asset = short(HEADLINE_ASSET)
    start, end = pd.Timestamp(x_range[0]), pd.Timestamp(x_range[1])
    rows = table[(table["asset"] == asset) & table["signal"].between(start, end)]
    if rows.empty:
        return None
    row = rows.sort_values("signal").iloc[-1]
    text = f"{row['equity']} broke above its {row['level_date']:%Y-%m-%d} high on {row['signal']:%Y-%m-%d}"
    if pd.isna(row["peak_return"]):
        return text
    return f"{text}; {asset} then peaked at {row['peak_return']:+.0%} within {peak_days} days"


def describe(store: Store, state: ViewState) -> tuple[str, str]:
    """The description (as-of date, then the signal headline if the view holds one) and the image's alt text."""
    signal_series = (state.equity_series, *SIGNAL_ASSETS)
    meta = load(store, (*displayed(state), *signal_series)).meta  # the render's metadata reads, reused
    return _describe(store, state, tuple(meta.values()))


@functools.lru_cache(maxsize=256)
def _describe(store: Store, state: ViewState, metas: tuple[SeriesMeta, ...]) -> tuple[str, str]:
    """`describe` once per view and data version (`metas`): a crawler storm costs metadata reads, not analytics."""
    meta = {m.series_id: m for m in metas}
    x_range = view_range(state, [meta[series_id] for series_id in displayed(state)])
    frame = store.panel((state.equity_series, *SIGNAL_ASSETS)).frame
    signal = headline(signal_table(frame, state), x_range, state.peak_days)
    as_of = badge([meta[series_id] for series_id in FIRST_CHART.series(state)])[0]
    parts = [
        f"Data {as_of}.",
        f"{signal}." if signal else "",
        "Small caps, crypto, stablecoins and sentiment on linked charts.",
    ]
    alt = f"{FIRST_CHART.title(state)}, {x_range[0]} to {x_range[1]}"
    return " ".join(part for part in parts if part), alt


def preview(store: Store, state: ViewState, *, root_url: str) -> Preview:
    """The link preview of `state` for the app served at `root_url`; every path shows the same page, so og:url is
    the root with the view's canonical query."""
    description, alt = describe(store, state)
    return Preview(
        title=view_title(state),
        description=description,
        url=root_url + encode(state),
        image=urljoin(root_url, image_path(state).lstrip("/")),
        image_alt=alt,
    )


def meta_tags(card: Preview) -> str:
    """The card as <meta> tags, every value HTML-escaped."""
    properties = {
        "og:type": "website",
        "og:site_name": SITE,
        "og:title": card.title,
        "og:description": card.description,
        "og:url": card.url,
        "og:image": card.image,
        "og:image:type": "image/png",
        "og:image:width": str(WIDTH),
        "og:image:height": str(HEIGHT),
        "og:image:alt": card.image_alt,
    }
    names = {
        "description": card.description,
        "twitter:card": "summary_large_image",
        "twitter:image:alt": card.image_alt,
    }
    tags = [f'<meta property="{key}" content="{html.escape(value)}">' for key, value in properties.items()]
    tags += [f'<meta name="{key}" content="{html.escape(value)}">' for key, value in names.items()]
    return "\n".join(tags)


def document_title(state: ViewState) -> str:
    return f"{view_title(state)} · {SITE}"


def register(app: Dash, store: Store) -> None:
    """Per-view tags in the index HTML, the preview image route and the title that follows the view."""
    interpolate = app.interpolate_index

    def interpolate_index(**kwargs: Any) -> str:
        # Dash serves one index for every path; this runs per request, so the tags describe the requested view.
        state = decode(request.query_string.decode("utf-8", errors="replace"))
        card = preview(store, state, root_url=request.url_root)
        metas = f"{kwargs.get('metas', '')}\n{meta_tags(card)}"
        return interpolate(**{**kwargs, "metas": metas, "title": html.escape(document_title(state))})

    app.interpolate_index = interpolate_index  # type: ignore[method-assign,assignment]

    @app.server.get("/preview/<view>.png")
    def preview_png(view: str) -> Response:
        try:
            image = export.render_png(FIRST_CHART.key, decode(view), WIDTH // SCALE, HEIGHT // SCALE)
        except (RuntimeError, TimeoutError):  # no browser, or every renderer busy: a crawler may come back later
            return Response(UNAVAILABLE, 503, mimetype="text/plain", headers={"Retry-After": RETRY_AFTER_SECONDS})
        return Response(image, mimetype="image/png", headers={"Cache-Control": "public, max-age=600"})

    @app.callback(Output(ids.VIEW_TITLE, "data"), Input(ids.VIEW, "data"), prevent_initial_call=True)
    def title(search: str | None) -> str:
        return document_title(decode(search))

    app.clientside_callback(ClientsideFunction("riskonShare", "setTitle"), Input(ids.VIEW_TITLE, "data"))
