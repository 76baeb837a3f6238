"""Which live sources serve each series, in order of preference, and the fallback chain that tries them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from data_sources.base import Adapter, Fetched, SourceError, validate_series
from data_sources.catalog import SERIES_IDS
from data_sources.vendors.alpha_vantage import AlphaVantage
from data_sources.vendors.alternative_me import AlternativeMe
from data_sources.vendors.blockchain_info import BlockchainInfo
from data_sources.vendors.coinbase import Coinbase
from data_sources.vendors.coingecko import CoinGecko
from data_sources.vendors.defillama import DefiLlama
from data_sources.vendors.fred import Fred
from data_sources.vendors.yahoo import HOSTS, Yahoo


@dataclass(frozen=True)
class Derived:
    """A series computed from other series (on their common dates), e.g. TOTAL2 = total - BTC."""

    inputs: tuple[str, ...]
    combine: Callable[[pd.DataFrame], pd.Series]
    description: str


def _total_minus_rest(frame: pd.DataFrame) -> pd.Series:
    return frame.iloc[:, 0] - frame.iloc[:, 1:].sum(axis=1)


def default_sources() -> dict[str, Sequence[Adapter] | Derived]:
    """Primary source first, then fallbacks. ^RUT's only fallback is Yahoo's second host; ETH cap, total cap,
    total stablecoin supply and Fear & Greed have no second vendor that serves their history without a paid key."""
    coingecko, yahoo, yahoo_mirror, defillama = CoinGecko(), Yahoo(), Yahoo(HOSTS[1]), DefiLlama()
    return {
        "btc": (yahoo, coingecko, Coinbase(), BlockchainInfo(), Fred()),
        "btc_mcap": (coingecko, BlockchainInfo()),
        "eth_mcap": (coingecko,),
        "rut": (yahoo, yahoo_mirror),
        "iwm": (yahoo, yahoo_mirror, AlphaVantage()),
        "total_mcap": (coingecko,),
        "altcoin_mcap": Derived(("total_mcap", "btc_mcap"), _total_minus_rest, "total - BTC"),
        "altcoin_ex_eth_mcap": Derived(("total_mcap", "btc_mcap", "eth_mcap"), _total_minus_rest, "total - BTC - ETH"),
        "usdt_supply": (defillama, coingecko),
        "usdc_supply": (defillama, coingecko),
        "stablecoin_supply": (defillama,),
        "fear_greed": (AlternativeMe(),),
    }


class Registry:
    """A LiveSource: fetches a series from its first working source; one SourceError lists every failure."""

    def __init__(self, sources: Mapping[str, Sequence[Adapter] | Derived]) -> None:
        missing = set(SERIES_IDS) - set(sources)
        if missing:
            raise ValueError(f"no live source for {', '.join(sorted(missing))}")
        self.sources = sources

    def fetch_series(self, series_id: str) -> Fetched:
        entry = self.sources[series_id]
        if isinstance(entry, Derived):
            return self._derive(series_id, entry)
        failures = []
        for adapter in entry:
            try:
                series = adapter.parse(adapter.fetch(series_id), series_id)
            except SourceError as exc:
                failures.append(f"{exc.source}: {exc.reason}")
                continue
            return Fetched(series, adapter.name, adapter.ttl_seconds)
        raise SourceError("live", series_id, "every source failed: " + "; ".join(failures))

    def _derive(self, series_id: str, derived: Derived) -> Fetched:
        return derive(series_id, derived, [self.fetch_series(input_id) for input_id in derived.inputs])


def derive(series_id: str, derived: Derived, parts: Sequence[Fetched]) -> Fetched:
    """`derived` computed from its inputs' copies (in `derived.inputs` order) on their common dates."""
    frame = pd.concat([part.series for part in parts], axis=1, join="inner")
    series = validate_series(derived.combine(frame), source="derived", series_id=series_id)
    sources = " + ".join(dict.fromkeys(part.source for part in parts))
    return Fetched(series, f"{sources} ({derived.description})", min(part.ttl_seconds for part in parts))


def default_registry() -> Registry:
    """The registry `riskon` uses in live and auto modes."""
    return Registry(default_sources())
