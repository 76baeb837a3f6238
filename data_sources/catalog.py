"""The project's series ids: the only names code outside data_sources/ uses for data."""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_sources.base import SeriesSpec, UnknownSeriesError

_SPECS = (
    SeriesSpec("btc", "Bitcoin price", "USD", "crypto", "BTC-USD daily close"),
    SeriesSpec("btc_mcap", "Bitcoin market cap", "USD", "crypto", "BTC market capitalisation"),
    SeriesSpec("eth_mcap", "Ether market cap", "USD", "crypto", "ETH market capitalisation"),
    SeriesSpec("rut", "Russell 2000 (^RUT)", "points", "equity", "Russell 2000 index daily close"),
    SeriesSpec("iwm", "iShares Russell 2000 ETF (IWM)", "USD", "equity", "IWM daily close, dividend-adjusted"),
    SeriesSpec("total_mcap", "Total crypto market cap", "USD", "crypto", "All crypto assets, CoinGecko global"),
    SeriesSpec(
        "altcoin_mcap",
        "Altcoin market cap (TOTAL2)",
        "USD",
        "crypto",
        "Total crypto market cap minus BTC (TradingView's TOTAL2); not OTHERS, which needs top-10 history",
    ),
    SeriesSpec(
        "altcoin_ex_eth_mcap",
        "Altcoin market cap ex-ETH (TOTAL3)",
        "USD",
        "crypto",
        "Total crypto market cap minus BTC and ETH (TradingView's TOTAL3)",
    ),
    SeriesSpec("usdt_supply", "USDT supply", "USD", "crypto", "Tether circulating market cap"),
    SeriesSpec("usdc_supply", "USDC supply", "USD", "crypto", "USD Coin circulating market cap"),
    SeriesSpec(
        "stablecoin_supply",
        "Stablecoin supply (total)",
        "USD",
        "crypto",
        "Sum of major USD stablecoins' circulating market cap",
    ),
    SeriesSpec("fear_greed", "Crypto Fear & Greed", "index 0-100", "crypto", "alternative.me Crypto Fear & Greed"),
)

SERIES: dict[str, SeriesSpec] = {spec.id: spec for spec in _SPECS}
SERIES_IDS: tuple[str, ...] = tuple(SERIES)

# alternative.me's published bands; tests check them against every upstream label in the snapshot.
_FEAR_GREED_BANDS = ((25, "Extreme Fear"), (46, "Fear"), (54, "Neutral"), (75, "Greed"), (100, "Extreme Greed"))


def spec(series_id: str) -> SeriesSpec:
    """The spec of a project series id, or UnknownSeriesError."""
    try:
        return SERIES[series_id]
    except KeyError:
        raise UnknownSeriesError(series_id) from None


FEAR_GREED_LABELS: tuple[str, ...] = tuple(label for _, label in _FEAR_GREED_BANDS)


def fear_greed_codes(values: np.ndarray) -> np.ndarray:
    """Index into FEAR_GREED_LABELS for each value (vectorised `classify_fear_greed`)."""
    uppers = np.array([upper for upper, _ in _FEAR_GREED_BANDS[:-1]], dtype="float64")
    return np.searchsorted(uppers, values, side="left")


def fear_greed_classes(values: pd.Series) -> pd.Series:
    """alternative.me's label for each value of a series."""
    labels = np.array(FEAR_GREED_LABELS)[fear_greed_codes(values.to_numpy(dtype="float64"))]
    return pd.Series(labels, index=values.index, name=values.name)


def classify_fear_greed(value: float) -> str:
    """alternative.me's label for a Fear & Greed value (0-100)."""
    for upper, label in _FEAR_GREED_BANDS:
        if value <= upper:
            return label
    return _FEAR_GREED_BANDS[-1][1]
