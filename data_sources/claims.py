"""The claims of the Dec 2025 articles riskon tests, each computed from the current data with its convention.

Every claim is a record: its words, the series it needs, a pure `evaluate(frame)` over whole histories (the store's
aligned panel: union of dates, never filled) and the dashboard query that shows it. A claim whose data riskon does
not have says so ("cannot test") and names the next best evidence, never a guess.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from data_sources import fear_greed
from data_sources.analytics import breakouts
from data_sources.analytics.event_study import breakout_dates, event_study
from data_sources.series import SERIES

if TYPE_CHECKING:
    from data_sources.store import Store

Verdict = Literal["supported", "not supported", "mixed", "cannot test"]
ARTICLE_DAY = pd.Timestamp("2025-12-08")  # "as of 8 Dec 2025" in the articles


@dataclass(frozen=True)
class Finding:
    """What the data says about one claim."""

    value: str  # the computed figure(s), in words
    convention: str  # how it was computed
    verdict: Verdict
    why: str  # one sentence behind the verdict


@dataclass(frozen=True)
class Claim:
    """One claim as written, what it needs, how it is tested and where the dashboard shows it."""

    number: int
    text: str
    series: tuple[str, ...]
    evaluate: Callable[[pd.DataFrame], Finding]
    view: str  # query string of the dashboard view that shows it


def _pct(value: float) -> str:
    return f"{value:+.1%}" if np.isfinite(value) else "n/a"


def _usd(value: float) -> str:
    return f"${value / 1e9:,.1f}B"


def _closes(frame: pd.DataFrame, series_id: str) -> pd.Series:
    if series_id not in frame:
        return pd.Series(dtype="float64", index=pd.DatetimeIndex([], name="date"))
    return frame[series_id].dropna()


def _close_on_or_before(values: pd.Series, day: pd.Timestamp) -> tuple[pd.Timestamp, float] | None:
    upto = values.loc[:day]
    return (upto.index[-1], float(upto.iloc[-1])) if len(upto) else None


def _missing(series_id: str) -> Finding:
    return Finding("-", "-", "cannot test", f"no {series_id} data is available")


def _rut_breakouts(frame: pd.DataFrame) -> pd.DataFrame:
    return breakouts(_closes(frame, "rut"))


def claim_1_breakout(frame: pd.DataFrame) -> Finding:
    """^RUT above a long-standing prior high by Dec 2025."""
    events = _rut_breakouts(frame)
    recent = events[(events["date"] >= "2025-01-01") & (events["date"] <= ARTICLE_DAY)]
    if _closes(frame, "rut").empty:
        return _missing("rut")
    convention = "daily closes; breakout = first close above a high >= 90 days old after a >= 15% fall"
    if recent.empty:
        return Finding("no breakout in 2025", convention, "not supported", "^RUT made no prior-high breakout in 2025")
    event = recent.iloc[-1]
    on_day = _close_on_or_before(_closes(frame, "rut"), ARTICLE_DAY)
    assert on_day is not None
    above = on_day[1] / event["level"] - 1
    value = (
        f"broke its {event['level_date']:%Y-%m-%d} high ({event['level']:,.2f}) on {event['date']:%Y-%m-%d}; "
        f"{_pct(above)} above it on {on_day[0]:%Y-%m-%d}"
    )
    verdict: Verdict = "supported" if above > 0 else "mixed"
    return Finding(value, convention, verdict, "the breakout came in Sep 2025 and held into December")


def claim_2_support(frame: pd.DataFrame) -> Finding:
    """Late 2020: new highs, then the old high acted as support."""
    events = _rut_breakouts(frame)
    late_2020 = events[(events["date"] >= "2020-09-01") & (events["date"] <= "2020-12-31")]
    if late_2020.empty:
        return Finding("no breakout in late 2020", "daily closes", "not supported", "no prior-high breakout found")
    event = late_2020.iloc[0]
    after = _closes(frame, "rut").loc[event["date"] : event["date"] + pd.Timedelta(days=365)]
    floor = after.min() / event["level"] - 1
    value = (
        f"broke the {event['level_date']:%Y-%m-%d} high ({event['level']:,.2f}) on {event['date']:%Y-%m-%d}; "
        f"retest: {event['retest_status']}; lowest close in the next 12 months {_pct(floor)} vs the level"
    )
    convention = "retest = first close back within 3% above the level within 90 days; holds if 20 days stay above"
    if event["retest_status"] == "held" or (event["retest_status"] == "none" and floor >= 0):
        why = "the old high was never lost" if event["retest_status"] == "none" else "the retest held"
        return Finding(value, convention, "supported", why)
    return Finding(value, convention, "not supported", "price fell back below the old high")


def claim_3_btc(frame: pd.DataFrame) -> Finding:
    """BTC +380% / "over 390%" after the late-2020 ^RUT breakout."""
    events = _rut_breakouts(frame)
    late_2020 = events[(events["date"] >= "2020-09-01") & (events["date"] <= "2020-12-31")]
    btc = _closes(frame, "btc")
    if late_2020.empty or btc.empty:
        return _missing("btc")
    day = late_2020.iloc[0]["date"]
    entries = {
        "breakout close": _close_on_or_before(btc, day),
        "Oct 2020 close": _close_on_or_before(btc, day.replace(day=1) - pd.Timedelta(days=1)),
    }
    peaks = {
        "Apr 2021 peak": btc.loc["2021-01-01":"2021-04-30"].max(),
        "Nov 2021 peak": btc.loc["2021-01-01":"2021-11-30"].max(),
    }
    figures = [
        f"{_pct(peak / entry[1] - 1)} from the {name} to the {peak_name}"
        for name, entry in entries.items()
        if entry is not None
        for peak_name, peak in peaks.items()
    ]
    best = max(peak / entry[1] - 1 for entry in entries.values() if entry is not None for peak in peaks.values())
    convention = "BTC daily UTC closes; return to the highest close before the peak date"
    if best >= 3.8:
        why = "only the most favourable entry and peak reach the quoted figure; from the breakout close it is less"
        return Finding("; ".join(figures), convention, "mixed", why)
    return Finding("; ".join(figures), convention, "not supported", "no convention reaches +380%")


# Altcoin series nearest to OTHERS first: OTHERS itself when backfilled, else TOTAL3 (total minus BTC and ETH).
ALTCOIN_PROXIES = ("others_mcap", "cmc_total3", "cryptocap_total3", "altcoin_ex_eth_mcap")


def _altcoins(frame: pd.DataFrame, *, covering: pd.Timestamp) -> str | None:
    """The altcoin series nearest to OTHERS whose history starts by `covering`, preferring the newest data."""
    usable = [sid for sid in ALTCOIN_PROXIES if len(_closes(frame, sid)) and _closes(frame, sid).index[0] <= covering]
    return max(usable, key=lambda sid: _closes(frame, sid).index[-1], default=None)


def claim_4_others(frame: pd.DataFrame) -> Finding:
    """OTHERS surges after IWM breaks its prior all-time high (2017, 2021)."""
    events = breakout_dates(_closes(frame, "iwm_unadj"))
    altcoins = _altcoins(frame, covering=pd.Timestamp("2020-11-13"))
    if not len(events) or altcoins is None:
        return _missing("iwm_unadj or an altcoin market cap")
    study = event_study(frame, events=events, assets=[altcoins], horizons=(180,), draws=2000, placebo="shifted")
    row = study[study["statistic"] == "return_180d"].iloc[0]
    covered = [day for day in events if day >= _closes(frame, altcoins).index[0]]
    after = {
        f"{day:%Y-%m-%d}": _total_growth(_closes(frame, altcoins), f"{day:%Y-%m-%d}", day + pd.Timedelta(days=180))
        for day in covered
    }
    value = (
        f"{altcoins} 180 days after IWM's unadjusted breakouts: "
        + ", ".join(f"{day} {_pct(change)}" for day, change in after.items())
        + f"; any day: median {_pct(row['baseline_median'])}; placebo p = {row['placebo_p']:.2f}; {row['badge']}"
    )
    convention = (
        "IWM unadjusted closes (chart analysts' all-time high); entry at the breakout close; "
        f"{altcoins} stands in for OTHERS (total minus the top 10), which no embedded history provides"
    )
    surged = [change > row["baseline_median"] for change in after.values()]
    verdict: Verdict = "supported" if all(surged) and row["n"] >= 5 else "mixed" if any(surged) else "not supported"
    early = [f"{day:%Y-%m-%d}" for day in events if day < _closes(frame, altcoins).index[0] and day.year >= 2015]
    why = f"{sum(surged)} of {len(surged)} covered breakouts beat the typical 180 days; too few to infer"
    if early:
        why += f"; the {', '.join(early)} breakout predates the altcoin history"
    return Finding(value, convention, verdict, why)


def claim_5_boom(frame: pd.DataFrame) -> Finding:
    """An altcoin boom in 2026 after IWM's 2025 breakout."""
    events = breakout_dates(_closes(frame, "iwm_unadj"))
    recent = [day for day in events if day >= pd.Timestamp("2025-01-01")]
    altcoins = _altcoins(frame, covering=recent[0]) if recent else None
    if altcoins is None:
        return _missing("a 2025 IWM breakout with altcoin data after it")
    values = _closes(frame, altcoins)
    start = _close_on_or_before(values, recent[0])
    assert start is not None
    change, peak = values.iloc[-1] / start[1] - 1, values.loc[start[0] :].max() / start[1] - 1
    value = (
        f"{altcoins} {_pct(change)} from the {recent[0]:%Y-%m-%d} breakout to {values.index[-1]:%Y-%m-%d} "
        f"(best {_pct(peak)})"
    )
    verdict: Verdict = "supported" if change > 0.5 else "mixed" if change > 0 else "not supported"
    why = "no boom through the newest data" if verdict == "not supported" else "altcoins rose after the breakout"
    return Finding(value, f"{altcoins} daily closes since IWM's unadjusted breakout close", verdict, why)


def _total_growth(values: pd.Series, start: str, end: pd.Timestamp) -> float:
    first = values.loc[start:].head(1)
    last = values.loc[:end].tail(1)
    return float(last.iloc[0] / first.iloc[0] - 1) if len(first) and len(last) else float("nan")


def claim_6_ytd(frame: pd.DataFrame) -> Finding:
    """^RUT up > 13% YTD and > 40% off its April lows on 8 Dec 2025."""
    rut = _closes(frame, "rut")
    on_day = _close_on_or_before(rut, ARTICLE_DAY)
    year_end = _close_on_or_before(rut, pd.Timestamp("2024-12-31"))
    if on_day is None or year_end is None or on_day[0] < pd.Timestamp("2025-12-01"):
        return _missing("rut")
    april_low = rut.loc["2025-04-01":"2025-04-30"].min()
    ytd, off_low = on_day[1] / year_end[1] - 1, on_day[1] / april_low - 1
    value = f"{_pct(ytd)} year to date and {_pct(off_low)} off the April low on {on_day[0]:%Y-%m-%d}"
    verdict: Verdict = (
        "supported" if ytd > 0.13 and off_low > 0.40 else "mixed" if ytd > 0.13 or off_low > 0.4 else "not supported"
    )
    return Finding(
        value,
        "closes: 2024-12-31 and the lowest April 2025 close",
        verdict,
        "both figures as quoted" if verdict == "supported" else "one figure falls short",
    )


def claim_8_highs(frame: pd.DataFrame) -> Finding:
    """USDT and USDC at new highs in Dec 2025: ~$185B and ~$78B."""
    parts = []
    highs = []
    for series_id, quoted in (("usdt_supply", 185e9), ("usdc_supply", 78e9)):
        values = _closes(frame, series_id)
        on_day = _close_on_or_before(values, ARTICLE_DAY)
        if on_day is None:
            return _missing(series_id)
        high_before = values.loc[: on_day[0]].max()
        highs.append(on_day[1] >= high_before * 0.999 and abs(on_day[1] / quoted - 1) < 0.02)
        parts.append(f"{series_id.split('_')[0].upper()} {_usd(on_day[1])} on {on_day[0]:%Y-%m-%d}")
    verdict: Verdict = "supported" if all(highs) else "mixed"
    return Finding(
        "; ".join(parts),
        "circulating supply; a new high = within 0.1% of the running maximum",
        verdict,
        "both at their highs and within 2% of the quoted figures" if all(highs) else "not both at highs",
    )


def claim_9_growth(frame: pd.DataFrame) -> Finding:
    """Stablecoins grew through 2025 while the crypto market did not grow proportionally."""
    market_id = next(
        (
            sid
            for sid in ("cmc_total", "cryptocap_total", "total_mcap")
            if not _closes(frame, sid).loc["2025-11-01":].empty
        ),
        None,
    )
    if market_id is None:
        return Finding("-", "-", "cannot test", "no total crypto market cap reaches Dec 2025 in the data")
    growth = {
        sid: _total_growth(_closes(frame, sid), "2025-01-01", ARTICLE_DAY)
        for sid in ("usdt_supply", "usdc_supply", market_id)
    }
    value = "; ".join(f"{sid}: {_pct(g)}" for sid, g in growth.items()) + " (2025-01-01 to 2025-12-08)"
    stable = min(growth["usdt_supply"], growth["usdc_supply"])
    verdict: Verdict = "supported" if stable > growth[market_id] else "not supported"
    return Finding(
        value,
        "growth of circulating supply and of total market cap over the same days",
        verdict,
        "both stablecoins outgrew the market" if verdict == "supported" else "the market grew as fast",
    )


def claim_10_mints(frame: pd.DataFrame) -> Finding:
    """Tether minted $1B and Circle $0.5B in the days before 9 Dec 2025."""
    changes = {}
    for series_id in ("usdt_supply", "usdc_supply"):
        values = _closes(frame, series_id).loc["2025-12-01":"2025-12-09"]
        if len(values) < 2:
            return _missing(series_id)
        changes[series_id] = float(values.iloc[-1] - values.iloc[0])
    value = f"USDT {_usd(changes['usdt_supply'])}, USDC {_usd(changes['usdc_supply'])} net change 2025-12-01..09"
    verdict: Verdict = "supported" if changes["usdt_supply"] >= 0.9e9 and changes["usdc_supply"] >= 0.45e9 else "mixed"
    return Finding(
        value,
        "net change in circulating supply (mints minus burns), not gross mints",
        verdict,
        "supply data show net changes; gross mints need issuer treasury data",
    )


def claim_12_sentiment(frame: pd.DataFrame) -> Finding:
    """Fear or extreme fear in early Dec 2025."""
    values = _closes(frame, "fear_greed").loc["2025-12-01":"2025-12-08"]
    if values.empty:
        return _missing("fear_greed")
    labels = fear_greed.classes(values)
    fearful = labels.isin(["Fear", "Extreme Fear"]).mean()
    value = f"{values.min():.0f}-{values.max():.0f} over 2025-12-01..08; " + ", ".join(
        f"{label} {count}d" for label, count in labels.value_counts().items()
    )
    verdict: Verdict = "supported" if fearful == 1 else "mixed" if fearful > 0 else "not supported"
    return Finding(value, "alternative.me daily index and its own classes", verdict, f"{fearful:.0%} of days in fear")


def claim_13_2022(frame: pd.DataFrame) -> Finding:
    """H1 2022: stablecoin supply kept rising in the bear market; late 2022 it dropped sharply."""
    supply_id = next(
        (sid for sid in ("stablecoin_supply", "stablecoin_majors") if not _closes(frame, sid).loc["2022"].empty), None
    )
    if supply_id is None:
        return Finding("-", "-", "cannot test", "no stablecoin total covers 2022")
    supply = _closes(frame, supply_id)
    h1 = _total_growth(supply, "2022-01-01", pd.Timestamp("2022-06-30"))
    late = _total_growth(supply, "2022-07-01", pd.Timestamp("2022-12-31"))
    value = f"{supply_id}: H1 2022 {_pct(h1)}, H2 2022 {_pct(late)}"
    why = "rose in H1 and fell sharply in H2" if _verdict_2022(h1, late) == "supported" else "H1 supply did not rise"
    if supply_id == "stablecoin_majors":
        why += "; on the majors tracked today, which leave out UST, BUSD and others that were large in 2022"
    return Finding(value, "change in total circulating supply over each half", _verdict_2022(h1, late), why)


def _verdict_2022(h1: float, late: float) -> Verdict:
    """Claim 13: supply up in H1 2022 and down more than 5% in H2."""
    return "supported" if h1 > 0 and late < -0.05 else "mixed" if h1 > 0 or late < 0 else "not supported"


def claim_7_flows(frame: pd.DataFrame) -> Finding:
    """About $19.5-20B of small-cap ETF net outflows in 2025."""
    year = {sid: _closes(frame, sid).loc["2025"] for sid in ("iwm_flows", "ijr_flows")}
    covered = {sid: flows for sid, flows in year.items() if len(flows) >= 240}  # about every 2025 session
    if not covered:
        return Finding("-", "-", "cannot test", "needs daily shares outstanding and NAV of small-cap ETFs (iShares "
                       "fund data, fetched live); the embedded data has none")  # fmt: skip
    total = sum(float(flows.sum()) for flows in covered.values())
    value = f"{_usd(total)} in 2025 from " + ", ".join(covered)
    verdict: Verdict = "supported" if -21e9 <= total <= -18.5e9 else "mixed" if total < 0 else "not supported"
    why = "sums iShares funds only; the articles count every small-cap ETF" if len(covered) < 5 else "as computed"
    return Finding(value, "daily change in shares outstanding x NAV, summed over 2025", verdict, why)


def _cannot(why: str) -> Callable[[pd.DataFrame], Finding]:
    def evaluate(_: pd.DataFrame) -> Finding:
        return Finding("-", "-", "cannot test", why)

    return evaluate


# fmt: off
CLAIMS: tuple[Claim, ...] = (
    Claim(1, "The Russell 2000 broke above long-term resistance (Dec 2025): a risk-on signal.", ("rut",),
          claim_1_breakout, "?range=2025-01-01..2026-08-21"),
    Claim(2, "In late 2020 the Russell 2000 broke through new highs and later turned that level into support.",
          ("rut",), claim_2_support, "?range=2020-07-01..2021-12-31"),
    Claim(3, "Bitcoin surged about 380% after that; last time this setup appeared BTC delivered over 390% upside.",
          ("rut", "btc"), claim_3_btc, "?range=2020-10-01..2021-12-31&scale=log&mode=rebase"),
    Claim(4, "Altcoin market cap (OTHERS) surges when IWM breaks above its previous all-time high: in 2017 and 2021.",
          ("iwm_unadj", *ALTCOIN_PROXIES), claim_4_others,
          "?range=2016-10-01..2022-06-30&iwm=unadjusted&alt=total3&provider=cryptocap&scale=log"
          "&signal=iwm_unadj&asset=cryptocap_total3&study_days=180"),
    Claim(5, "This suggests an altcoin boom in 2026.", ("iwm_unadj", *ALTCOIN_PROXIES), claim_5_boom,
          "?range=2025-06-01..2026-08-21&iwm=unadjusted&alt=total3&provider=cryptocap"),
    Claim(6, "The Russell 2000 is up more than 13% year to date and over 40% off its April lows (8 Dec 2025).",
          ("rut",), claim_6_ytd, "?range=2024-12-31..2025-12-31"),
    Claim(7, "Small-cap ETFs recorded about $19.5-20B of net outflows in 2025.", ("iwm_flows", "ijr_flows"),
          claim_7_flows, "?range=2025-01-01..2025-12-31"),
    Claim(8, "USDT and USDC market caps reached new highs in December 2025, about $185B and $78B.",
          ("usdt_supply", "usdc_supply"), claim_8_highs, "?range=2025-01-01..2025-12-31&stables=usdt,usdc"),
    Claim(9, "Both grew steadily since the start of 2025 while the broader crypto market did not grow proportionally.",
          ("usdt_supply", "usdc_supply", "cmc_total", "cryptocap_total", "total_mcap"), claim_9_growth,
          "?range=2025-01-01..2025-12-31&provider=cryptocap&mode=rebase"),
    Claim(10, "Tether minted $1B and Circle $0.5B in the days before 9 Dec 2025.", ("usdt_supply", "usdc_supply"),
          claim_10_mints, "?range=2025-11-15..2025-12-15&stables=usdt,usdc"),
    Claim(11, "USDT (ERC-20) on derivatives exchanges rose from below $40B to nearly $60B in 2025 while spot reserves "
          "fell; USDC on spot exchanges fell from $6B to $3B.", (),
          _cannot("exchange-reserve data by exchange type is paid-only; upload your CryptoQuant export to test it"),
          "?range=2025-01-01..2025-12-31"),
    Claim(12, "Sentiment sat in fear or extreme fear in early December 2025.", ("fear_greed",), claim_12_sentiment,
          "?range=2025-10-01..2025-12-31"),
    Claim(13, "In H1 2022 stablecoin supply kept rising after the market entered a bear phase; in late 2022 it "
          "dropped sharply.", ("stablecoin_supply", "stablecoin_majors"), claim_13_2022,
          "?range=2021-11-01..2023-03-31&stables=majors,all"),
)
# fmt: on


def findings(store: Store) -> list[tuple[Claim, Finding]]:
    """Every claim evaluated on the store's current data (live where it has it, else the snapshot)."""
    return evaluate(lambda series_ids: store.panel([sid for sid in series_ids if sid in SERIES]).frame)


def text_table(results: list[tuple[Claim, Finding]]) -> str:
    """The claims table for a terminal: one block per claim."""
    blocks = [
        f"{claim.number:>2}. {claim.text}\n    {finding.verdict.upper()}: {finding.value}\n"
        f"    why: {finding.why}\n    convention: {finding.convention}\n    view: /{claim.view}"
        for claim, finding in results
    ]
    return "\n\n".join(blocks) + "\n"


def evaluate(load: Callable[[tuple[str, ...]], pd.DataFrame]) -> list[tuple[Claim, Finding]]:
    """Every claim with its finding; `load(ids)` returns those series' whole histories aligned (unknown ids absent)."""
    frame = load(tuple(dict.fromkeys(sid for claim in CLAIMS for sid in claim.series)))
    return [(claim, claim.evaluate(frame)) for claim in CLAIMS]
