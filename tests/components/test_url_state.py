"""URL state: round trips, defaults left out, malformed input falls back to defaults and never raises."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.url_state import (
    CONTROLS,
    DEFAULT,
    Choice,
    Control,
    Number,
    Toggles,
    Token,
    ViewState,
    decode,
    encode,
    updated,
)


def _values(control: Control) -> st.SearchStrategy[object]:
    """Any valid value of a control, from its declaration."""
    if isinstance(control, Choice):
        return st.sampled_from(list(control.options))
    if isinstance(control, Toggles):
        options = list(control.options)
        return st.lists(st.sampled_from(options), min_size=1, unique=True).map(
            lambda chosen: tuple(option for option in options if option in chosen)
        )
    if isinstance(control, Token):
        return st.just("") | st.from_regex(control.pattern, fullmatch=True)
    assert isinstance(control, Number)
    low, high = control.bounds
    if isinstance(control.default, int):
        return st.integers(int(low), int(high))
    return st.integers(int(low * 100), int(high * 100)).map(lambda hundredths: hundredths / 100)


states = st.fixed_dictionaries({control.field: _values(control) for control in CONTROLS}).map(
    lambda fields: ViewState(**fields)  # type: ignore[arg-type]
)
ranges = st.tuples(st.dates(dt.date(1985, 1, 1), dt.date(2030, 1, 1)), st.integers(1, 20000))


@settings(deadline=None)  # a loaded machine is slow, not wrong
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
    assert query == "?scale=log&stables=usdt,all&theme=dark"


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
    assert (state.equity, state.altcoin, state.mode, state.scale) == ("iwm", "total3", "rebase", "log")
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


@settings(deadline=None)
@given(st.text())
def test_decode_never_raises_and_always_round_trips(search: str) -> None:
    state = decode(search)
    assert decode(encode(state)) == state


def test_a_control_accepts_only_its_declared_values() -> None:
    for control in CONTROLS:
        default = getattr(DEFAULT, control.field)
        assert control.default == default  # the view's defaults are the declarations'
        assert updated(DEFAULT, {control.field: "not a value"}) == DEFAULT
        assert updated(DEFAULT, {control.field: None}) == DEFAULT
    assert updated(DEFAULT, {"min_age": "3651"}) == DEFAULT and updated(DEFAULT, {"min_age": "3650"}).min_age == 3650
    assert updated(DEFAULT, {"stables": []}) == DEFAULT
    assert updated(DEFAULT, {"stables": ["usdc_supply", "doge"]}).stables == ("usdc_supply",)
