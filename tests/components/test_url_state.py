"""URL state: round trips, defaults left out, malformed input falls back to defaults and never raises."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.url_state import DEFAULT, PRESETS, STABLES, ViewState, decode, encode

states = st.builds(
    ViewState,
    preset=st.sampled_from(PRESETS),
    equity=st.sampled_from(["rut", "iwm"]),
    altcoin=st.sampled_from(["altcoin_mcap", "altcoin_ex_eth_mcap"]),
    scale=st.sampled_from(["linear", "log"]),
    mode=st.sampled_from(["raw", "rebase"]),
    stables=st.lists(st.sampled_from(STABLES), min_size=1, unique=True).map(
        lambda chosen: tuple(s for s in STABLES if s in chosen)
    ),
    theme=st.sampled_from(["light", "dark"]),
    resolution=st.sampled_from(["daily", "weekly", "monthly"]),
    entry=st.sampled_from(["signal", "prior"]),
    min_age=st.integers(5, 3650),
    min_drawdown=st.integers(1, 90),
    margin=st.integers(0, 2000).map(lambda hundredths: hundredths / 100),
    corr_with=st.sampled_from(["btc", "altcoin_mcap"]),
    horizon=st.integers(7, 365),
    peak_days=st.integers(7, 1825),
)
ranges = st.tuples(st.dates(dt.date(1985, 1, 1), dt.date(2030, 1, 1)), st.integers(1, 20000))


@given(states, ranges | st.none())
def test_decode_encode_round_trip(state: ViewState, span: tuple[dt.date, int] | None) -> None:
    if span is not None:
        state = state.with_range(span[0], span[0] + dt.timedelta(days=span[1]))
    assert decode(encode(state)) == state
    assert encode(decode(encode(state))) == encode(state)


def test_default_view_is_an_empty_query_and_defaults_are_left_out() -> None:
    assert encode(DEFAULT) == ""
    assert encode(ViewState(equity="iwm")) == "?equity=iwm"
    query = encode(ViewState(scale="log", theme="dark", stables=("usdt_supply", "stablecoin_supply")))
    assert query == "?scale=log&stables=usdt,total&theme=dark"


def test_analytics_parameters_travel_in_the_url() -> None:
    state = decode("?resolution=monthly&entry=prior&min_age=180&min_drawdown=20&margin=1.5&corr_with=altcoin_mcap")
    assert (state.resolution, state.entry, state.min_age, state.min_drawdown) == ("monthly", "prior", 180, 20)
    assert (state.margin, state.corr_with) == (1.5, "altcoin_mcap")
    assert (
        encode(state) == "?resolution=monthly&entry=prior&min_age=180&min_drawdown=20&margin=1.5&corr_with=altcoin_mcap"
    )


def test_a_shared_link_decodes_to_the_view_it_describes() -> None:
    state = decode("?range=2020-10-01..2021-06-30&equity=iwm&alt=total3&mode=rebase&scale=log&stables=usdc")
    assert (state.start, state.end) == (dt.date(2020, 10, 1), dt.date(2021, 6, 30))
    assert (state.equity, state.altcoin, state.mode, state.scale) == ("iwm", "altcoin_ex_eth_mcap", "rebase", "log")
    assert state.stables == ("usdc_supply",)


@pytest.mark.parametrize(
    "search",
    [
        "?range=2021-06-30..2020-10-01",  # reversed
        "?range=2020-13-01..2021-01-01",  # no such month
        "?range=yesterday",
        "?range=1900-01-01..2020-01-01",  # before any data
        "?preset=10y&equity=spx&scale=cubic&mode=%00&theme=neon&alt=total9&stables=doge",
        "?%%%&&==",
        "?" + "x" * 5000,
        "?equity=iwm&equity=banana",  # last value wins, then falls back
        "?min_age=4&min_drawdown=95&margin=-1&horizon=nan&resolution=hourly&entry=later&corr_with=eth",
        "?min_age=1e400&margin=inf&horizon=true",
    ],
)
def test_malformed_parameters_fall_back_to_defaults(search: str) -> None:
    assert decode(search) == DEFAULT


@given(st.text())
def test_decode_never_raises_and_always_round_trips(search: str) -> None:
    state = decode(search)
    assert decode(encode(state)) == state
