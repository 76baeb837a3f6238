"""The `riskon` command line: one parser for every command; `serve` is run by app.main, the rest here."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from data_sources import claims
from data_sources.backfill import FIRST_DAY, PACE_SECONDS, backfill_others, pending, ranked_days, schedule
from data_sources.base import SourceError
from data_sources.config import default_refresher, default_store
from data_sources.record import FIXTURES, record
from data_sources.refresher import refresh_command
from data_sources.series import SERIES, SERIES_IDS, Derived
from data_sources.store import SOURCE_MODES, SeriesMeta, Store
from data_sources.tabular import to_csv, to_json
from data_sources.tasks import run_worker
from data_sources.vendors.coinmarketcap import API as CMC_API


def _day(stamp: object) -> str:
    return "-" if stamp is None else str(stamp)[:10]


def _row(meta: SeriesMeta) -> str:
    state = "stale" if meta.stale else "fresh"
    line = f"{meta.series_id:20} {_day(meta.first)} -> {_day(meta.last)}  as of {str(meta.as_of)[:16]:16}  {state:5}"
    return f"{line}  {meta.source}" + (f"  ({meta.message})" if meta.message else "")


def sources(store: Store) -> int:
    """Print each series' source, date range, as-of time and freshness."""
    print(f"source mode: {store.mode}")
    for series_id in SERIES_IDS:
        print(_row(store.series(series_id)[1]))
    return 0


def data(store: Store, series_ids: Sequence[str], *, start: str | None, end: str | None, fmt: str) -> int:
    """Print the aligned data (union of dates, never filled), as the dashboard's CSV downloads hold it."""
    frame = store.panel(series_ids, start=start, end=end).frame.dropna(how="all")
    sys.stdout.write(to_csv(frame) if fmt == "csv" else to_json(frame) + "\n")
    return 0


def _series_id(text: str) -> str:
    if text not in SERIES_IDS:
        raise argparse.ArgumentTypeError(f"unknown series {text!r}; choose from {', '.join(SERIES_IDS)}")
    return text


def _day_arg(text: str) -> str:
    try:
        return pd.Timestamp(text).strftime("%Y-%m-%d")
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None


def parser() -> argparse.ArgumentParser:
    """Every `riskon` command and its options."""
    cli = argparse.ArgumentParser(prog="riskon", description="riskon: risk-on signals dashboard and data tools.")
    commands = cli.add_subparsers(dest="command", required=True)
    source_help = "default: $RISKON_SOURCE or auto"
    serve = commands.add_parser("serve", help="serve the dashboard")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8050)
    serve.add_argument("--source", choices=SOURCE_MODES, default=None, help=source_help)
    refresh_cmd = commands.add_parser("refresh", help="fetch from live sources now")
    refresh_cmd.add_argument("series", nargs="*", type=_series_id, metavar="SERIES", help="default: every series")
    refresh_cmd.add_argument("--source", choices=("live", "auto"), default="live")
    sources_cmd = commands.add_parser("sources", help="show each series' source, range and freshness")
    sources_cmd.add_argument("--source", choices=SOURCE_MODES, default=None, help=source_help)
    data_cmd = commands.add_parser("data", help="print aligned data as CSV or JSON")
    data_cmd.add_argument("series", nargs="+", type=_series_id, metavar="SERIES")
    data_cmd.add_argument("--start", type=_day_arg, help="first date, YYYY-MM-DD")
    data_cmd.add_argument("--end", type=_day_arg, help="last date, YYYY-MM-DD")
    data_cmd.add_argument("--format", choices=("csv", "json"), default="csv", dest="fmt")
    data_cmd.add_argument("--source", choices=SOURCE_MODES, default=None, help=source_help)
    record_cmd = commands.add_parser("record", help="save real vendor responses as test fixtures (needs internet)")
    record_cmd.add_argument("vendors", nargs="*", metavar="VENDOR", help="e.g. yahoo coinmarketcap (default: all)")
    record_cmd.add_argument("--out", type=Path, default=FIXTURES, help="default: tests/fixtures")
    backfill_cmd = commands.add_parser("backfill", help="rank each day on CoinMarketCap for OTHERS (resumable)")
    backfill_cmd.add_argument("what", choices=("others",))
    backfill_cmd.add_argument("--start", type=_day_arg, default=f"{FIRST_DAY:%Y-%m-%d}", help="default: 2017-01-01")
    backfill_cmd.add_argument("--end", type=_day_arg, default=None, help="default: yesterday (UTC)")
    worker_cmd = commands.add_parser("worker", help="run the Celery refresh worker (several hosts; needs Redis)")
    worker_cmd.add_argument("celery", nargs=argparse.REMAINDER, help="--no-beat, or celery worker options")
    claims_cmd = commands.add_parser("claims", help="test the Dec 2025 claims on the current data")
    claims_cmd.add_argument("--source", choices=SOURCE_MODES, default=None, help=source_help)
    return cli


def record_fixtures(vendors: Sequence[str], out_dir: Path) -> int:
    """Save every live adapter's real response under tests/fixtures/<vendor>/; exit 1 if any vendor failed."""
    chains = {record.id: record.live for record in SERIES.values() if not isinstance(record.live, Derived)}
    outcomes = record(chains, vendors, out_dir=out_dir)
    for where, outcome in outcomes.items():
        print(f"{outcome:28} {where}")
    return 1 if any(outcome.startswith("failed") for outcome in outcomes.values()) else 0


def backfill(*, start: str, end: str | None, api: str = CMC_API, pace: float = PACE_SECONDS) -> int:
    """Rank every day from `start` to `end` (Sundays first), skipping days already ranked; exit 1 if stopped."""
    last = pd.Timestamp(end) if end else pd.Timestamp.now(tz="UTC").tz_localize(None).normalize() - pd.Timedelta(days=1)
    index = ranked_days()
    try:
        todo = pending(index, schedule(last, start=pd.Timestamp(start)))
        print(f"{len(index)} days ranked already; {len(todo)} to go, about {len(todo) * pace / 3600:.1f} h")
        try:
            for _ in tqdm(
                backfill_others(index, todo, api=api, pace=pace), total=len(todo), desc="ranking days", unit="day"
            ):
                pass
        except SourceError as exc:
            print(f"stopped: {exc.reason}; everything ranked so far is kept, run it again to resume")
            return 1
    finally:
        index.cache.close()
    print("done: the refresher (or `riskon refresh others_mcap`) now derives OTHERS from the ranked days")
    return 0


def run(options: argparse.Namespace) -> int:
    """Run one data command (everything but `serve`)."""
    if options.command == "backfill":
        return backfill(start=options.start, end=options.end)
    if options.command == "worker":
        return run_worker(options.celery)
    if options.command == "record":
        return record_fixtures(options.vendors, options.out)
    try:
        store = default_store(options.source)
    except ValueError as exc:
        print(f"riskon: {exc}")
        return 2
    if options.command == "refresh":
        return refresh_command(default_refresher(store), options.series or SERIES_IDS)
    if options.command == "claims":
        sys.stdout.write(claims.text_table(claims.findings(store)))
        return 0
    if options.command == "data":
        return data(store, options.series, start=options.start, end=options.end, fmt=options.fmt)
    return sources(store)
