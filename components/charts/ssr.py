"""Stablecoin supply ratio (BTC cap / stablecoin supply) and the stablecoin share of total crypto cap, shading
the periods when supply rose while the market fell."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from components.charts.base import Chart
from components.figures import base_layout, line_traces, on_scale, prepare
from components.theme import color
from components.url_state import HORIZON
from data_sources.analytics import stablecoin_share, supply_ratio, supply_up_market_down

if TYPE_CHECKING:
    from components.charts.base import ChartData, DateRange
    from components.figures import Figure
    from components.url_state import ViewState


# Stablecoin supply measured on the majors (embedded history); "all USD stablecoins" is live only.
SUPPLY = "stablecoin_majors"


def title(state: ViewState) -> str:
    return (f"Stablecoin supply ratio and share of crypto market cap<br><span style='font-size:11px'>shaded: "
            f"stablecoin supply up while total cap fell over {state.horizon} days</span>")  # fmt: skip


def series(state: ViewState) -> tuple[str, ...]:
    return ("btc_mcap", SUPPLY, "total_mcap")


def _shaded(periods: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {"type": "rect", "xref": "x", "yref": "paper", "x0": f"{start:%Y-%m-%d}", "x1": f"{end:%Y-%m-%d}",
         "y0": 0, "y1": 1, "fillcolor": "#f59e0b", "opacity": 0.15, "line": {"width": 0}, "layer": "below"}
        for start, end in zip(periods["start"], periods["end"], strict=True)
    ]  # fmt: skip


def build(data: ChartData, state: ViewState, x_range: DateRange) -> Figure:
    frame = data.frame(series(state))
    ratio = data.memo(("ssr",), lambda: prepare(supply_ratio(frame, supply=SUPPLY)))
    share = data.memo(("stablecoin_share",), lambda: prepare(stablecoin_share(frame, supply=SUPPLY)))
    traces: list[dict[str, Any]] = [
        *line_traces(ratio, x_range, name="SSR (BTC cap / stablecoins)",
                     line={"color": color("btc", state.theme), "width": 1.5},
                     hovertemplate="%{y:.2f}<extra>SSR</extra>"),
        *line_traces(share, x_range, name="Stablecoin share of total cap", yaxis="y2",
                     line={"color": color("usdt_supply", state.theme), "width": 1.5},
                     hovertemplate="%{y:.1%}<extra>Stablecoin share</extra>"),
    ]  # fmt: skip
    layout = base_layout(title=title(state), metas=[data.meta[sid] for sid in series(state)], state=state,
                         x_range=x_range)  # fmt: skip
    layout["shapes"] += data.memo(
        ("supply_up_market_down", state.horizon, state.resolution),
        lambda: _shaded(supply_up_market_down(frame, supply=SUPPLY, horizon_days=state.horizon,
                                              resolution=state.resolution)),
    )  # fmt: skip
    layout["yaxis"] = {"title": {"text": "SSR"}}
    # A decimal once ticks are closer than 1%: a zoomed share axis would otherwise label 5% 5% 6% 7% 7%.
    percent = [{"dtickrange": [None, 0.01], "value": ".1%"}, {"dtickrange": [0.01, None], "value": ".0%"}]
    layout["yaxis2"] = {"overlaying": "y", "side": "right", "tickformatstops": percent, "nticks": 6,
                        "showgrid": False, "title": {"text": "share of total cap"}}  # fmt: skip
    return {"data": traces, "layout": on_scale(layout, state, ("yaxis",))}


CHART = Chart("ssr", title, series, build, reads=("horizon", "resolution", "scale", "theme"), controls=(HORIZON,))
