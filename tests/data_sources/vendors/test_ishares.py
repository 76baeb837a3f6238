"""iShares: shares outstanding from real holdings downloads, the fund-data Historical sheet, and flows."""

from __future__ import annotations

import pandas as pd
import pytest

from data_sources.base import ParseError
from data_sources.vendors.ishares import IWM, NAV, SHARES, flows, fund_history, holdings_header
from tests.data_sources.vendors.conftest import fixture_bytes

FUND = "ishares/IWM_fund_historical_documented_shape.xls"


@pytest.mark.parametrize(
    ("name", "day", "shares"),
    [
        ("IWM_holdings_2025-05-13.csv", "2025-05-13", 303_600_000.0),
        ("IWM_holdings_2025-11-05.csv", "2025-11-05", 281_300_000.0),
        ("IWM_holdings_2026-05-05.csv", "2026-05-05", 278_750_000.0),
    ],
)
def test_holdings_header_gives_the_day_and_shares_outstanding(name: str, day: str, shares: float) -> None:
    assert holdings_header(fixture_bytes(f"ishares/{name}"), series_id="iwm_flows") == (pd.Timestamp(day), shares)


def test_holdings_without_its_header_is_a_parse_error() -> None:
    body = fixture_bytes("ishares/IWM_holdings_2025-05-13.csv").replace(b"Shares Outstanding", b"Units")
    with pytest.raises(ParseError, match=r"^iShares / iwm_flows: holdings header lacks"):
        holdings_header(body, series_id="iwm_flows")


def test_historical_sheet_reads_nav_and_shares_oldest_first() -> None:
    history = fund_history(fixture_bytes(FUND), series_id="iwm_flows")
    assert list(pd.DatetimeIndex(history.index).strftime("%Y-%m-%d")) == ["2025-05-13", "2025-11-05", "2026-05-05"]
    assert history[SHARES].tolist() == [303_600_000.0, 281_300_000.0, 278_750_000.0]
    assert history[NAV].notna().all()


def test_a_bare_ampersand_a_malformed_declaration_and_missing_figures_are_read() -> None:
    body = (
        fixture_bytes(FUND).replace(b"Russell 2000 ETF", b"S&P Small-Cap").replace(b'"1.0"?>', b"'1.0'encoding='x'?>")
    )
    body = body.replace(b'<ss:Data ss:Type="Number">284.6</ss:Data>', b'<ss:Data ss:Type="String">--</ss:Data>')
    history = fund_history(body, series_id="iwm_flows")
    assert history[NAV].isna().sum() == 1 and len(history) == 3


def test_flows_are_the_change_in_shares_times_nav_on_days_with_both() -> None:
    days = pd.DatetimeIndex(["2025-01-02", "2025-01-03", "2025-01-06", "2025-01-07"], name="date")
    nav = pd.Series([100.0, 101.0, None, 99.0], index=days)
    shares = pd.Series([1_000.0, 1_200.0, 900.0, 1_100.0], index=days)
    expected = pd.Series([200.0 * 101.0, -100.0 * 99.0], index=days[[1, 3]])
    pd.testing.assert_series_equal(flows(nav, shares), expected, check_names=False)


def test_the_adapter_returns_flows_from_the_fund_download() -> None:
    series = IWM.parse(fixture_bytes(FUND), "iwm_flows")
    history = fund_history(fixture_bytes(FUND), series_id="iwm_flows")
    assert series.index.tolist() == list(history.index[1:])
    assert series.iloc[0] == pytest.approx((281_300_000 - 303_600_000) * history[NAV].iloc[1])
