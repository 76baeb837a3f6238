"""Claims: each verdict follows the data (hand-built frames), and the real data gives the articles' figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data_sources.claims import (
    CLAIMS,
    Finding,
    claim_7_flows,
    claim_8_highs,
    claim_12_sentiment,
    claim_13_2022,
    findings,
    text_table,
)
from data_sources.series import SERIES
from data_sources.store import Store


def _daily(start: str, values: list[float], name: str) -> pd.DataFrame:
    index = pd.date_range(start, periods=len(values), freq="D", name="date")
    return pd.DataFrame({name: values}, index=index)


def test_sentiment_verdict_follows_the_classes() -> None:
    fearful = _daily("2025-12-01", [20, 30, 40, 44, 10, 12, 25, 46], "fear_greed")
    assert claim_12_sentiment(fearful).verdict == "supported"
    mixed = _daily("2025-12-01", [20, 30, 40, 44, 10, 12, 25, 60], "fear_greed")
    finding = claim_12_sentiment(mixed)
    assert finding.verdict == "mixed" and "Greed 1d" in finding.value
    assert claim_12_sentiment(_daily("2024-01-01", [50], "fear_greed")).verdict == "cannot test"


def test_new_highs_need_the_running_maximum_and_the_quoted_level() -> None:
    days = 400
    usdt = np.linspace(150e9, 185.5e9, days)
    usdc = np.linspace(60e9, 78.1e9, days)
    frame = pd.concat(
        [_daily("2024-11-04", list(usdt), "usdt_supply"), _daily("2024-11-04", list(usdc), "usdc_supply")], axis=1
    )
    assert claim_8_highs(frame).verdict == "supported"
    frame.loc["2025-06-01", "usdc_supply"] = 90e9  # an earlier, higher peak: December is no new high
    assert claim_8_highs(frame).verdict == "mixed"


def test_2022_supply_verdict_and_the_majors_caveat() -> None:
    up_then_down = list(np.linspace(100, 110, 181)) + list(np.linspace(110, 90, 184))
    frame = _daily("2022-01-01", up_then_down, "stablecoin_majors")
    finding = claim_13_2022(frame)
    assert finding.verdict == "supported" and "leave out UST, BUSD" in finding.why
    assert claim_13_2022(_daily("2022-01-01", list(np.linspace(100, 80, 365)), "stablecoin_supply")).verdict == "mixed"


@pytest.fixture(scope="module")
def results(snapshot_store: Store) -> dict[int, Finding]:
    return {claim.number: finding for claim, finding in findings(snapshot_store)}


def test_every_claim_is_answered_and_each_names_known_series(results: dict[int, Finding]) -> None:
    assert sorted(results) == list(range(1, 14))
    # every series a claim reads is a known record, except OTHERS, which exists once backfilled
    assert {sid for claim in CLAIMS for sid in claim.series} - set(SERIES) <= {"others_mcap"}


def test_the_real_data_gives_the_articles_figures(results: dict[int, Finding]) -> None:
    breakout = results[1]
    assert breakout.verdict == "supported" and "on 2025-09-18" in breakout.value
    ytd = results[6]
    assert ytd.verdict == "supported" and "+13.0% year to date" in ytd.value
    btc = results[3]
    assert btc.verdict == "mixed" and "from the breakout close to the Apr 2021 peak" in btc.value
    assert results[11].verdict == "cannot test"


def test_text_table_has_one_block_per_claim(snapshot_store: Store) -> None:
    text = text_table(findings(snapshot_store))
    assert text.count("\n    view: /?") == 13 and text.startswith(" 1. The Russell 2000")


def test_flows_are_summed_only_when_a_fund_covers_2025() -> None:
    sessions = pd.bdate_range("2025-01-01", "2025-12-31", name="date")
    outflows = pd.DataFrame({"iwm_flows": -19.6e9 / len(sessions)}, index=sessions)
    assert claim_7_flows(outflows).verdict == "supported"
    assert claim_7_flows(outflows.iloc[:100]).verdict == "cannot test"


def test_the_2025_breakout_is_followed_on_the_newest_altcoin_data(results: dict[int, Finding]) -> None:
    boom = results[5]
    assert "from the 2025-09-18 breakout" in boom.value and boom.verdict == "not supported"
    others = results[4]
    assert others.verdict in ("mixed", "supported") and "2020-11-13" in others.value and "anecdote" in others.value
