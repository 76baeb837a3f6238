"""How derived series are computed from their inputs: one definition each, used by the live registry and the
snapshot recipes alike, so a live copy and the embedded one mean the same thing."""

from __future__ import annotations

import pandas as pd

# The Fed's daily ON RRP facility starts here; before it, RRPONTSYD has a value only on rare operation days.
ON_RRP_FROM = pd.Timestamp("2013-09-23")


def total_minus_rest(frame: pd.DataFrame) -> pd.Series:
    """The first column minus the sum of the others (TOTAL2, TOTAL3)."""
    return frame.iloc[:, 0] - frame.iloc[:, 1:].sum(axis=1)


def total_times_rest_of_dominance(frame: pd.DataFrame) -> pd.Series:
    """Total x (1 - the dominances in %): TOTAL3 from a provider's own total, BTC.D and ETH.D."""
    return frame.iloc[:, 0] * (1 - frame.iloc[:, 1:].sum(axis=1) / 100)


def net_liquidity(frame: pd.DataFrame) -> pd.Series:
    """WALCL - WTREGEN - RRPONTSYD (all in USD) on each Wednesday that has all three, RRP of that same Wednesday,
    from the start of the daily ON RRP facility; a Wednesday without an RRP value stays missing."""
    net = frame["walcl"] - frame["wtregen"] - frame["rrpontsyd"]
    return net[net.index >= ON_RRP_FROM].dropna()
