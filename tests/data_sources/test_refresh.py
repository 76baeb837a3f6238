"""The refresher: each series on its own schedule, backoff after failures, derived series from cached inputs,
owned leases, and nothing good ever replaced by a failed, short or disagreeing answer."""

from __future__ import annotations

import logging
import multiprocessing
import time
from multiprocessing.synchronize import Event as EventType

import pandas as pd
import pytest

from data_sources import snapshot
from data_sources.base import Fetched, ParseError
from data_sources.refresher import MAX_BACKOFF_SECONDS, Refresher, refresh_command
from data_sources.store import ResilientCache, Store
from tests.data_sources.conftest import open_at
from tests.data_sources.test_store import Clock, ScriptedSource, down, real, refresher


class PerSeries:
    """A live source answering each series from its own script; counts calls per series."""

    def __init__(self, **scripts: list[pd.Series | BaseException]) -> None:
        self.scripts = scripts
        self.calls: dict[str, int] = {}

    def fetch_series(self, series_id: str) -> Fetched:
        self.calls[series_id] = self.calls.get(series_id, 0) + 1
        result = self.scripts[series_id].pop(0)
        if isinstance(result, BaseException):
            raise result
        return Fetched(result.rename(series_id), f"vendor-{series_id}", 3600)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(cache: ResilientCache, clock: Clock) -> Store:
    return Store(cache, mode="auto", now=clock)


def test_each_series_is_refreshed_again_after_its_ttl_only(store: Store, clock: Clock) -> None:
    source = ScriptedSource(real(drop_last=2), real(), ttl=600)
    refresh = refresher(store, source)
    assert "btc" in refresh.due()
    refresh.refresh("btc", force=False)
    assert "btc" not in refresh.due()
    clock.advance(599)
    assert [result.outcome for result in refresh.refresh("btc", force=False)] == ["current"]
    assert source.calls == 1
    clock.advance(1)
    assert "btc" in refresh.due()
    refresh.refresh("btc", force=False)
    assert source.calls == 2 and store.series("btc")[0] is not None


def test_failures_back_off_exponentially_up_to_a_cap(store: Store, clock: Clock) -> None:
    source = ScriptedSource(*[down()] * 9)
    refresh = refresher(store, source, retry_seconds=60)
    waits = []
    for _ in range(8):
        refresh.refresh("btc", force=False)
        state = store.state("btc")
        assert state is not None and state.next_attempt is not None
        waits.append((state.next_attempt - clock()).total_seconds())
        clock.advance(waits[-1] - 1)
        refresh.refresh("btc", force=False)  # not due yet: upstream rests
        clock.advance(1)
    assert waits == [60, 120, 240, 480, 960, 1920, MAX_BACKOFF_SECONDS, MAX_BACKOFF_SECONDS]
    assert source.calls == 8


def test_an_unexpected_error_leaves_a_failure_marker_and_backs_off(
    store: Store, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """Defect 4: an error that is not a SourceError used to leave no marker, so every request asked again."""
    source = ScriptedSource(KeyError("chart"), real())
    refresh = refresher(store, source)
    [result] = refresh.refresh("btc", force=False)
    assert (result.outcome, result.detail) == ("failed", "internal error")
    state = store.state("btc")
    assert state is not None and state.error == "internal error" and state.failures == 1
    assert "Traceback" in caplog.text and "KeyError: 'chart'" in caplog.text
    refresh.refresh("btc", force=False)
    assert source.calls == 1, "inside the backoff the failing source is left alone"
    clock.advance(60)
    refresh.refresh("btc", force=False)
    assert source.calls == 2 and store.series("btc")[1].source == "vendor"


def test_a_short_answer_never_replaces_the_embedded_history(store: Store, caplog: pytest.LogCaptureFixture) -> None:
    """Issue 10: with Yahoo down, keyless CoinGecko's 365 days replaced 4,662 BTC points; a 1-point answer left 1."""
    history = snapshot.load("btc")
    source = ScriptedSource(real().iloc[-365:], real().iloc[-1:])
    for _ in range(2):
        [result] = refresher(store, source).refresh("btc")
        assert result.outcome == "rejected"
    assert result.detail == f"rejected: 1 points where {len(history):,} are kept"
    values, meta = store.series("btc")
    assert values is not None and values.equals(history) and meta.source.startswith("snapshot")
    assert f"rejected btc from vendor (365 points where {len(history):,} are kept)" in caplog.text


def test_a_shorter_answer_never_replaces_the_last_good_copy(cache: ResilientCache, clock: Clock) -> None:
    store = Store(cache, mode="live", now=clock)
    source = ScriptedSource(real(), real().iloc[: len(real()) // 2])
    refresh = refresher(store, source)
    assert [result.outcome for result in refresh.refresh("btc")] == ["fetched"]
    assert [result.outcome for result in refresh.refresh("btc")] == ["rejected"]
    values, meta = store.series("btc")
    assert values is not None and values.equals(real())
    assert meta.stale and "rejected" in (meta.message or "")


def test_an_answer_that_disagrees_where_it_overlaps_is_rejected(store: Store) -> None:
    in_cents = real() * 100
    [result] = refresher(store, ScriptedSource(in_cents)).refresh("btc")
    assert result.outcome == "rejected" and result.detail.startswith("rejected: differs from the kept copy by 9900%")
    slightly_revised = real() * 1.01
    assert refresher(store, ScriptedSource(slightly_revised)).refresh("btc")[0].outcome == "fetched"


def test_derived_series_are_computed_from_cached_inputs_not_refetched(store: Store) -> None:
    total, btc, eth = real("total_mcap"), real("btc_mcap"), real("eth_mcap")
    source = PerSeries(total_mcap=[total], btc_mcap=[btc], eth_mcap=[eth])
    refresh = Refresher(store, source)
    touched = [(result.series_id, result.outcome) for result in refresh.refresh("altcoin_ex_eth_mcap")]
    assert touched == [
        ("total_mcap", "fetched"),
        ("altcoin_mcap", "failed"),  # waiting for BTC
        ("altcoin_ex_eth_mcap", "failed"),
        ("btc_mcap", "fetched"),
        ("altcoin_mcap", "fetched"),
        ("altcoin_ex_eth_mcap", "failed"),  # waiting for ETH
        ("eth_mcap", "fetched"),
        ("altcoin_ex_eth_mcap", "fetched"),
    ]
    assert source.calls == {"total_mcap": 1, "btc_mcap": 1, "eth_mcap": 1}
    values, meta = store.series("altcoin_ex_eth_mcap")
    common = total.index.intersection(btc.index).intersection(eth.index)
    expected = (total[common] - btc[common] - eth[common]).rename("altcoin_ex_eth_mcap")
    assert values is not None
    pd.testing.assert_series_equal(values, expected, check_freq=False)
    assert meta.source == "vendor-total_mcap + vendor-btc_mcap + vendor-eth_mcap (total - BTC - ETH)"
    assert "altcoin_mcap" not in refresh.due(), "derived series have no schedule of their own"


def _hold_lease(location: str, name: str, ready: EventType, done: EventType) -> None:
    lease = open_at(location).lease(name, 60)
    assert lease is not None and lease.acquire()
    ready.set()
    done.wait(60)
    lease.release()


def test_a_series_another_process_is_refreshing_is_reported_busy_not_refreshed(
    store: Store, location: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Defect 10: `riskon refresh btc` printed ok and exited 0 while another process held the fetch lease."""
    context = multiprocessing.get_context("fork")
    ready, done = context.Event(), context.Event()
    holder = context.Process(target=_hold_lease, args=(location, "fetch-btc", ready, done))
    holder.start()
    try:
        assert ready.wait(30)
        source = ScriptedSource(real())
        assert refresh_command(refresher(store, source), ["btc"]) == 1
        out = capsys.readouterr().out
        assert "BUSY     btc" in out and "another process is refreshing it" in out
        assert "0 of 1 series refreshed" in out and source.calls == 0
    finally:
        done.set()
        holder.join(30)
    assert holder.exitcode == 0
    assert refresh_command(refresher(store, ScriptedSource(real())), ["btc"]) == 0
    assert "1 of 1 series refreshed" in capsys.readouterr().out


def test_a_lease_belongs_to_whoever_took_it(cache: ResilientCache) -> None:
    """Defect 3: the lease was a plain key, so a loser could delete the winner's; now the library's lock owns it."""
    mine, theirs = cache.lease("fetch-btc", 60), cache.lease("fetch-btc", 60)
    assert mine is not None and theirs is not None
    assert mine.acquire()
    assert not theirs.acquire()
    theirs.release()
    assert not cache.lease("fetch-btc", 60).acquire(), "a loser's release left the winner's lease alone"  # type: ignore[union-attr]
    assert mine.renew() and not theirs.renew()
    mine.release()
    assert theirs.acquire()
    theirs.release()


def test_a_redis_lease_expires_when_its_holder_stops_renewing(redis_url: str) -> None:
    cache = open_at(redis_url)
    dead, successor = cache.lease("refresher", 0.2), cache.lease("refresher", 60)
    assert dead is not None and successor is not None and dead.acquire()
    assert not successor.acquire()
    time.sleep(0.3)  # the lifetime Redis enforces
    assert successor.acquire(), "the lease of a host that died is free after its lifetime"
    assert not dead.renew()
    dead.release()
    assert not cache.lease("refresher", 60).acquire(), "the expired holder's release left the successor's lease"  # type: ignore[union-attr]


def test_parse_errors_and_network_errors_read_as_words(store: Store) -> None:
    reasons = {
        down("every source failed: yahoo: connection failed after retries (https://q): ConnectionError"): (
            "network unreachable"
        ),
        down("timed out after retries (https://query2.finance.yahoo.com/v8)"): "upstream timed out",
        down("rate limited (HTTP 429, Retry-After 120) at https://api.coingecko.com"): "rate limited",
        ParseError("coingecko", "btc", "missing 'prices'"): "unexpected answer",
    }
    for error, words in reasons.items():
        [result] = refresher(store, ScriptedSource(error)).refresh("btc")
        assert result.detail == words
        message = store.series("btc")[1]
        assert "http" not in result.detail and "Error" not in result.detail and message.source.startswith("snapshot")


def test_refresh_logs_one_line_per_failure(store: Store, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="riskon.data"):
        refresher(store, ScriptedSource(down())).refresh("btc")
    assert len(caplog.records) == 1 and "btc" in caplog.records[0].getMessage()


def test_an_embedded_only_series_is_never_fetched(store: Store) -> None:
    source = ScriptedSource(real())
    [result] = refresher(store, source).refresh("cryptocap_total")
    assert (result.outcome, result.detail, source.calls) == ("failed", "no live source: embedded data only", 0)
    assert "cryptocap_total" not in refresher(store, source).due()
