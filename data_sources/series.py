"""One frozen record per series: everything riskon knows about it, in one place.

The registry (live chains), the snapshot builder, chart labels and colours, `riskon sources`, `/healthz` and CSV
headers are all views of `SERIES`; nothing else keeps a table keyed by series id. A record that lacks a field, or
names an input that does not exist, is rejected when this module is imported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Literal, get_args

import pandas as pd

from data_sources import recipes
from data_sources.backfill import Others
from data_sources.base import Adapter, UnknownSeriesError
from data_sources.derivations import net_liquidity, total_minus_rest, total_times_rest_of_dominance
from data_sources.recipes import Recipe
from data_sources.vendors.alpha_vantage import AlphaVantage
from data_sources.vendors.alternative_me import AlternativeMe
from data_sources.vendors.blockchain_info import BlockchainInfo
from data_sources.vendors.coinbase import Coinbase
from data_sources.vendors.coingecko import CoinGecko
from data_sources.vendors.coinmarketcap import CoinMarketCap
from data_sources.vendors.defillama import DefiLlama
from data_sources.vendors.fred import BILLION, MILLION, Fred
from data_sources.vendors.ishares import IJR, IWM
from data_sources.vendors.yahoo import HOSTS, Yahoo

Calendar = Literal["7-day", "5-day", "weekly"]
Adjustment = Literal["adjusted", "unadjusted", "n/a"]
Unit = Literal["USD", "points", "index 0-100", "percent"]

_HEX_COLOR = re.compile(r"^#[0-9a-f]{6}$")


@dataclass(frozen=True)
class Derived:
    """A series computed from other series on their common dates, e.g. TOTAL2 = total - BTC."""

    inputs: tuple[str, ...]
    combine: Callable[[pd.DataFrame], pd.Series]
    description: str


@dataclass(frozen=True)
class SeriesDef:
    """What one series is, how to show it, where its live data comes from and under which terms."""

    id: str
    label: str  # full name, e.g. "iShares Russell 2000 ETF (IWM)"
    short: str  # legend and axis name, e.g. "IWM"
    unit: Unit
    calendar: Calendar
    color: str  # the same in every chart and both themes
    adjustment: Adjustment
    definition: str  # one sentence: universe, definition, what it is not
    terms: str  # the data's terms of use
    live: Sequence[Adapter] | Derived  # vendors in fallback order, how it is derived, or () for embedded only
    snapshot: Recipe | None  # how the embedded copy is built from raw files; None: live only

    def __post_init__(self) -> None:
        empty = [
            f.name
            for f in fields(self)
            if f.name not in ("live", "snapshot") and not str(getattr(self, f.name)).strip()
        ]
        if empty:
            raise ValueError(f"series {self.id!r}: empty {', '.join(empty)}")
        for name, kind in (("unit", Unit), ("calendar", Calendar), ("adjustment", Adjustment)):
            if getattr(self, name) not in get_args(kind):
                raise ValueError(f"series {self.id!r}: {name} {getattr(self, name)!r} is not one of {get_args(kind)}")
        if not _HEX_COLOR.match(self.color):
            raise ValueError(f"series {self.id!r}: colour {self.color!r} is not #rrggbb")
        if not self.live and self.snapshot is None:
            raise ValueError(f"series {self.id!r}: neither a live source nor an embedded copy")

    @property
    def derived(self) -> bool:
        return isinstance(self.live, Derived)


_YAHOO_TERMS = "Yahoo Finance data: personal, non-commercial use (Yahoo terms of service)"
_COINGECKO_TERMS = "CoinGecko data: attribution required (CoinGecko API terms)"
_DEFILLAMA_TERMS = "DefiLlama data: open, attribution appreciated"
_ALTERNATIVE_TERMS = "alternative.me Crypto Fear & Greed: free use with attribution to alternative.me"
_TRADINGVIEW_TERMS = "TradingView CRYPTOCAP exports: research use only, redistribution restricted (TradingView terms)"
_CMC_TERMS = "CoinMarketCap data: attribution required; its data API is not a licensed feed (CoinMarketCap terms)"
_FRED_TERMS = "Federal Reserve data via FRED: public domain; cite the Board of Governors and FRED"
_ISHARES_TERMS = "iShares (BlackRock) fund data: for information only (iShares terms of use)"


def _records() -> tuple[SeriesDef, ...]:
    return (
        SeriesDef(
            "btc", "Bitcoin price", "BTC", "USD", "7-day", "#f7931a", "n/a",
            "BTC-USD daily close, labelled by the UTC day whose close it is.",
            _YAHOO_TERMS + "; Coinbase, CoinGecko, blockchain.com and FRED as fallbacks under their own terms",
            (
                Yahoo("BTC-USD"),
                CoinGecko.coin("bitcoin", "prices"),
                Coinbase("BTC-USD"),
                BlockchainInfo("market-price"),
                Fred("CBBTCUSD"),
            ),
            snapshot=recipes.BTC,
        ),
        SeriesDef(
            "btc_mcap", "Bitcoin market cap", "BTC cap", "USD", "7-day", "#f7931a", "n/a",
            "Bitcoin's market capitalisation (price x circulating supply) at each UTC day's close.",
            _COINGECKO_TERMS, (CoinGecko.coin("bitcoin", "market_caps"), BlockchainInfo("market-cap")),
            snapshot=recipes.BTC_MCAP,
        ),
        SeriesDef(
            "eth_mcap", "Ether market cap", "ETH cap", "USD", "7-day", "#627eea", "n/a",
            "Ether's market capitalisation at each UTC day's close.", _COINGECKO_TERMS,
            (CoinGecko.coin("ethereum", "market_caps"),),
            snapshot=recipes.ETH_MCAP,
        ),
        SeriesDef(
            "rut", "Russell 2000 (^RUT)", "^RUT", "points", "5-day", "#1f4e9c", "n/a",
            "FTSE Russell's Russell 2000 small-cap price index, daily close.", _YAHOO_TERMS,
            (Yahoo("^RUT"), Yahoo("^RUT", host=HOSTS[1])),
            snapshot=recipes.RUT,
        ),
        SeriesDef(
            "iwm", "iShares Russell 2000 ETF (IWM)", "IWM", "USD", "5-day", "#2a9d8f", "adjusted",
            "IWM daily close adjusted for dividends and splits (a total-return view of the ETF).",
            _YAHOO_TERMS,
            (Yahoo("IWM", adjusted=True), Yahoo("IWM", adjusted=True, host=HOSTS[1])),
            snapshot=recipes.IWM,
        ),
        SeriesDef(
            "iwm_unadj", "IWM, unadjusted close", "IWM (unadj.)", "USD", "5-day", "#1b7f74", "unadjusted",
            "IWM daily close as traded, not adjusted for dividends: the price chart analysts read all-time highs on.",
            _YAHOO_TERMS + "; Alpha Vantage as fallback under its terms",
            (Yahoo("IWM"), Yahoo("IWM", host=HOSTS[1]), AlphaVantage("IWM")),
            snapshot=recipes.IWM_UNADJ,
        ),
        SeriesDef(
            "total_mcap", "Total crypto market cap", "Total crypto cap", "USD", "7-day", "#6a4c93", "n/a",
            "CoinGecko's total market capitalisation of every crypto asset it tracks.", _COINGECKO_TERMS,
            (CoinGecko.total(),),
            snapshot=recipes.TOTAL_MCAP,
        ),
        SeriesDef(
            "altcoin_mcap", "Altcoin market cap (TOTAL2)", "TOTAL2", "USD", "7-day", "#e63946", "n/a",
            "Total crypto market cap minus Bitcoin's (TOTAL2, CoinGecko universe); not OTHERS, which drops the top 10.",
            _COINGECKO_TERMS, Derived(("total_mcap", "btc_mcap"), total_minus_rest, "total - BTC"),
            snapshot=recipes.ALTCOIN_MCAP,
        ),
        SeriesDef(
            "altcoin_ex_eth_mcap", "Altcoin market cap ex-ETH (TOTAL3)", "TOTAL3", "USD", "7-day", "#d62f7f", "n/a",
            "Total crypto market cap minus Bitcoin's and Ether's (TOTAL3, CoinGecko universe).", _COINGECKO_TERMS,
            Derived(("total_mcap", "btc_mcap", "eth_mcap"), total_minus_rest, "total - BTC - ETH"),
            snapshot=recipes.ALTCOIN_EX_ETH_MCAP,
        ),
        SeriesDef(
            "usdt_supply", "USDT supply", "USDT", "USD", "7-day", "#26a17b", "n/a",
            "Tether (USDT) circulating supply in US dollars, all chains.", _DEFILLAMA_TERMS,
            (DefiLlama("1"), CoinGecko.coin("tether", "market_caps")),
            snapshot=recipes.USDT_SUPPLY,
        ),
        SeriesDef(
            "usdc_supply", "USDC supply", "USDC", "USD", "7-day", "#2775ca", "n/a",
            "USD Coin (USDC) circulating supply in US dollars, all chains.", _DEFILLAMA_TERMS,
            (DefiLlama("2"), CoinGecko.coin("usd-coin", "market_caps")),
            snapshot=recipes.USDC_SUPPLY,
        ),
        SeriesDef(
            "stablecoin_supply", "Stablecoin supply (all USD stablecoins)", "Stablecoins (all)", "USD", "7-day",
            "#8d99ae", "n/a", "Every USD-pegged stablecoin DefiLlama tracks, past ones included (UST, BUSD...).",
            _DEFILLAMA_TERMS, (DefiLlama(),),
            snapshot=None,
        ),
        SeriesDef(
            "fear_greed", "Crypto Fear & Greed", "Fear & Greed", "index 0-100", "7-day", "#555555", "n/a",
            "alternative.me's Crypto Fear & Greed Index, 0 (extreme fear) to 100 (extreme greed), daily.",
            _ALTERNATIVE_TERMS, (AlternativeMe(),),
            snapshot=recipes.FEAR_GREED,
        ),
        SeriesDef(
            "cmc_total", "Total crypto market cap (CoinMarketCap)", "Total cap (CMC)", "USD", "7-day", "#7b5ea7",
            "n/a", "CoinMarketCap's total market capitalisation of the coins it lists (its own universe).",
            _CMC_TERMS, (CoinMarketCap("totalMarketCap"),),
            snapshot=None,
        ),
        SeriesDef(
            "cmc_total2", "Altcoin market cap (CoinMarketCap TOTAL2)", "TOTAL2 (CMC)", "USD", "7-day", "#c9303e",
            "n/a", "CoinMarketCap's altcoin market cap: its total minus Bitcoin.", _CMC_TERMS,
            (CoinMarketCap("altcoinMarketCap"),),
            snapshot=None,
        ),
        SeriesDef(
            "cmc_btc_dominance", "Bitcoin dominance (CoinMarketCap)", "BTC.D", "percent", "7-day", "#b8690f", "n/a",
            "Bitcoin's share of CoinMarketCap's total market cap, in percent.", _CMC_TERMS,
            (CoinMarketCap("btcDominance"),),
            snapshot=None,
        ),
        SeriesDef(
            "cmc_eth_dominance", "Ether dominance (CoinMarketCap)", "ETH.D", "percent", "7-day", "#4a62c4", "n/a",
            "Ether's share of CoinMarketCap's total market cap, in percent.", _CMC_TERMS,
            (CoinMarketCap("ethDominance"),),
            snapshot=None,
        ),
        SeriesDef(
            "cmc_total3", "Altcoin market cap ex-ETH (CoinMarketCap TOTAL3)", "TOTAL3 (CMC)", "USD", "7-day",
            "#b8266f", "n/a", "CoinMarketCap's total minus Bitcoin and Ether, from its own total and dominances.",
            _CMC_TERMS,
            Derived(("cmc_total", "cmc_btc_dominance", "cmc_eth_dominance"), total_times_rest_of_dominance,
                    "total x (1 - BTC.D - ETH.D)"),
            snapshot=None,
        ),
        SeriesDef(
            "walcl", "Fed total assets (WALCL)", "Fed assets", "USD", "weekly", "#264653", "n/a",
            "Federal Reserve total assets, Wednesday level (FRED WALCL, published in $M, stored in USD).",
            _FRED_TERMS, (Fred("WALCL", scale=MILLION),),
            snapshot=recipes.WALCL,
        ),
        SeriesDef(
            "wtregen", "Treasury General Account (WTREGEN)", "TGA", "USD", "weekly", "#8a5a44", "n/a",
            "The Treasury's account at the Fed, Wednesday level (FRED WTREGEN, published in $M, stored in USD).",
            _FRED_TERMS, (Fred("WTREGEN", scale=MILLION),),
            snapshot=recipes.WTREGEN,
        ),
        SeriesDef(
            "rrpontsyd", "Overnight reverse repo (RRPONTSYD)", "ON RRP", "USD", "5-day", "#9c6644", "n/a",
            "Overnight reverse repurchase agreements at the Fed, daily (FRED RRPONTSYD, published in $B, stored in "
            "USD).", _FRED_TERMS, (Fred("RRPONTSYD", scale=BILLION),),
            snapshot=recipes.RRPONTSYD,
        ),
        SeriesDef(
            "net_liquidity", "Fed net liquidity", "Net liquidity", "USD", "weekly", "#2b9348", "n/a",
            "Fed total assets minus the Treasury General Account minus overnight reverse repo, on Wednesdays.",
            _FRED_TERMS,
            Derived(("walcl", "wtregen", "rrpontsyd"), net_liquidity, "WALCL - WTREGEN - RRPONTSYD"),
            snapshot=recipes.NET_LIQUIDITY,
        ),
        SeriesDef(
            "iwm_flows", "IWM daily net flows", "IWM flows", "USD", "5-day", "#2a9d8f", "n/a",
            "Daily creations minus redemptions of IWM: change in shares outstanding x NAV per share.",
            _ISHARES_TERMS, (IWM,),
            snapshot=None,
        ),
        SeriesDef(
            "ijr_flows", "IJR daily net flows", "IJR flows", "USD", "5-day", "#e9c46a", "n/a",
            "Daily creations minus redemptions of IJR (S&P SmallCap 600): change in shares outstanding x NAV.",
            _ISHARES_TERMS, (IJR,),
            snapshot=None,
        ),
        SeriesDef(
            "stablecoin_majors", "Stablecoin supply (USDT + USDC + 7 majors)", "Stablecoins (majors)", "USD",
            "7-day", "#6c7a89", "n/a",
            "USDT + USDC + 7 majors tracked today (Dai, USDS, USDe, PYUSD, USD1, USDG, RLUSD); leaves out coins that "
            "shrank or died (BUSD, UST, TUSD, USDP, FRAX), tens of billions in 2022.",
            _COINGECKO_TERMS, (), snapshot=recipes.STABLECOIN_MAJORS,
        ),
        SeriesDef(
            "cryptocap_total", "Total crypto market cap (TradingView CRYPTOCAP)", "TOTAL (TV)", "USD", "7-day",
            "#5a3d8a", "n/a",
            "TradingView's TOTAL, derived exactly from its TOTAL3, BTC.D and ETH.D (its own coin universe).",
            _TRADINGVIEW_TERMS, (),
            snapshot=recipes.CRYPTOCAP_TOTAL,
        ),
        SeriesDef(
            "cryptocap_total2", "Altcoin market cap (TradingView TOTAL2)", "TOTAL2 (TV)", "USD", "7-day", "#d1495b",
            "n/a", "TradingView's TOTAL2 = its TOTAL x (1 - BTC.D).", _TRADINGVIEW_TERMS,
            (), snapshot=recipes.CRYPTOCAP_TOTAL2,
        ),
        SeriesDef(
            "cryptocap_total3", "Altcoin market cap ex-ETH (TradingView TOTAL3)", "TOTAL3 (TV)", "USD", "7-day",
            "#c2185b", "n/a", "TradingView's TOTAL3: total crypto market cap minus BTC and ETH.", _TRADINGVIEW_TERMS,
            (), snapshot=recipes.CRYPTOCAP_TOTAL3,
        ),
        SeriesDef(
            "cryptocap_btc_dominance", "Bitcoin dominance (TradingView BTC.D)", "BTC.D (TV)", "percent", "7-day",
            "#e07b00", "n/a", "Bitcoin's share of TradingView's total crypto market cap, in percent.",
            _TRADINGVIEW_TERMS, (),
            snapshot=recipes.CRYPTOCAP_BTC_DOMINANCE,
        ),
        SeriesDef(
            "cryptocap_eth_dominance", "Ether dominance (TradingView ETH.D)", "ETH.D (TV)", "percent", "7-day",
            "#5c6bc0", "n/a", "Ether's share of TradingView's total crypto market cap, in percent.",
            _TRADINGVIEW_TERMS, (),
            snapshot=recipes.CRYPTOCAP_ETH_DOMINANCE,
        ),
        SeriesDef(
            "others_mcap", "Altcoin market cap outside the top 10 (OTHERS)", "OTHERS", "USD", "7-day", "#ff7f51",
            "n/a", "CoinMarketCap's total minus that day's 10 largest coins by market cap (stablecoins included), "
            "TradingView's OTHERS definition on CoinMarketCap's universe.", _CMC_TERMS, (Others(),), snapshot=None,
        ),
    )  # fmt: skip


def _checked(records: tuple[SeriesDef, ...]) -> dict[str, SeriesDef]:
    by_id = {record.id: record for record in records}
    if len(by_id) != len(records):
        raise ValueError("two series records share an id")
    for record in records:
        if isinstance(record.live, Derived):
            unknown = [name for name in record.live.inputs if name not in by_id]
            if unknown:
                raise ValueError(f"series {record.id!r} is derived from unknown {', '.join(unknown)}")
    return by_id


SERIES: dict[str, SeriesDef] = _checked(_records())
SERIES_IDS: tuple[str, ...] = tuple(SERIES)


def series_def(series_id: str) -> SeriesDef:
    """The record of a series id, or UnknownSeriesError."""
    try:
        return SERIES[series_id]
    except KeyError:
        raise UnknownSeriesError(series_id) from None
