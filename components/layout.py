"""The page: a header, the control bar and one card per panel."""

from __future__ import annotations

from dash import dcc, html
from dash.development.base_component import Component

from components import ids
from components.panels import PANEL_KEYS, SHORT_LABELS
from components.signals import ANALYTICS_KEYS, signals_card
from components.url_state import DEFAULT, STABLES

_PRESET_LABELS = {"ytd": "YTD", "1y": "1Y", "3y": "3Y", "5y": "5Y", "max": "Max"}


def _segmented(component_id: str, options: dict[str, str], value: str) -> dcc.RadioItems:
    return dcc.RadioItems(
        id=component_id,
        options=[{"label": label, "value": key} for key, label in options.items()],
        value=value,
        inline=True,
        className="segmented",
    )


def _control(label: str, control: Component) -> html.Div:
    return html.Div([html.Label(label, className="control-label"), control], className="control")


def controls() -> html.Div:
    """Range, instrument choices, scale, value mode and stablecoin toggles."""
    return html.Div(
        [
            _control("Range", _segmented(ids.PRESET, _PRESET_LABELS, DEFAULT.preset)),
            _control(
                "Custom",
                dcc.DatePickerRange(
                    id=ids.DATES,
                    display_format="YYYY-MM-DD",
                    start_date_placeholder_text="start",
                    end_date_placeholder_text="end",
                    clearable=True,
                    minimum_nights=1,
                ),
            ),
            _control("Small caps", _segmented(ids.EQUITY, {"rut": "^RUT", "iwm": "IWM"}, DEFAULT.equity)),
            _control(
                "Altcoins",
                _segmented(ids.ALTCOIN, {"altcoin_mcap": "TOTAL2", "altcoin_ex_eth_mcap": "TOTAL3"}, DEFAULT.altcoin),
            ),
            _control(
                "Values", _segmented(ids.MODE, {"raw": "Raw (dual axis)", "rebase": "Rebased to 100"}, DEFAULT.mode)
            ),
            _control("Scale", _segmented(ids.SCALE, {"linear": "Linear", "log": "Log"}, DEFAULT.scale)),
            _control(
                "Stablecoins",
                dcc.Checklist(
                    id=ids.STABLES,
                    options=[{"label": SHORT_LABELS[stable], "value": stable} for stable in STABLES],
                    value=list(DEFAULT.stables),
                    inline=True,
                    className="segmented",
                ),
            ),
        ],
        className="controls",
    )


def card(key: str) -> html.Section:
    """One panel: status badge and actions, a message line for unavailable series, the chart."""
    return html.Section(
        [
            html.Div(
                [
                    html.Span(id=ids.badge(key), className="badge"),
                    html.Div(
                        [
                            html.Button("CSV", id=ids.csv_button(key), className="action", title="Download the data"),
                            html.A("PNG", id=ids.png_link(key), className="action", target="_blank", title="Image"),
                        ],
                        className="actions",
                    ),
                    dcc.Download(id=ids.csv_download(key)),
                ],
                className="card-head",
            ),
            html.Div(id=ids.message(key), className="panel-message"),
            dcc.Loading(dcc.Graph(id=ids.graph(key), className="chart"), type="dot", delay_show=300),
        ],
        id=ids.card(key),
        className="card",
    )


def page() -> html.Div:
    """The whole page; the URL is the source of truth for every control's value."""
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh="callback-nav"),
            dcc.Store(id=ids.VIEW),
            dcc.Store(id=ids.ZOOM),
            dcc.Store(id=ids.HOVER),
            dcc.Store(id=ids.RENDERED),
            html.Header(
                [
                    html.Div(
                        [
                            html.H1("riskon"),
                            html.P("Small caps, crypto and stablecoins: is risk on?", className="tagline"),
                        ],
                        className="brand",
                    ),
                    html.Div(
                        [
                            _segmented(ids.THEME, {"light": "Light", "dark": "Dark"}, DEFAULT.theme),
                            html.Div(
                                [dcc.Clipboard(id=ids.COPY_LINK, title="Copy a link to this view"), "Copy link"],
                                className="copy-link",
                            ),
                        ],
                        className="header-actions",
                    ),
                ],
                className="header",
            ),
            controls(),
            html.Main([card(key) for key in PANEL_KEYS], className="grid"),
            html.H2("Signals: do small-cap breakouts lead crypto?", className="section-title"),
            html.Div([signals_card(), *[card(key) for key in ANALYTICS_KEYS]], className="grid"),
            html.Footer(
                [
                    "Data: embedded snapshot of real public data or live sources; see each chart's source line. ",
                    html.Button(id=ids.PING, hidden=True),
                    html.Span(id=ids.PING_OUT, hidden=True),
                ],
                className="footer",
            ),
        ],
        id=ids.PAGE,
        className=f"page theme-{DEFAULT.theme}",
    )
