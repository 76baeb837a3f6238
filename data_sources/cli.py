"""`riskon refresh` and `riskon sources`: warm the cache from live sources, and show where each series comes from."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from data_sources.catalog import SERIES_IDS
from data_sources.config import default_refresher, default_store
from data_sources.refresher import refresh_command
from data_sources.store import SOURCE_MODES, SeriesMeta, Store


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


def _series_id(text: str) -> str:
    if text not in SERIES_IDS:
        raise argparse.ArgumentTypeError(f"unknown series {text!r}; choose from {', '.join(SERIES_IDS)}")
    return text


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(prog="riskon", description="riskon: risk-on signals dashboard and data tools.")
    commands = cli.add_subparsers(dest="command", required=True, metavar="{serve,refresh,sources}")
    commands.add_parser("serve", help="serve the dashboard (see `riskon serve --help`)")
    refresh_cmd = commands.add_parser("refresh", help="warm the cache from live sources")
    refresh_cmd.add_argument("series", nargs="*", type=_series_id, metavar="SERIES", help="default: every series")
    refresh_cmd.add_argument("--source", choices=("live", "auto"), default="live")
    sources_cmd = commands.add_parser("sources", help="show each series' source, range and freshness")
    sources_cmd.add_argument("--source", choices=SOURCE_MODES, default=None, help="default: $RISKON_SOURCE or auto")
    return cli


def main(argv: Sequence[str]) -> int:
    """Run one data command; argparse exits with a usage message on bad arguments."""
    options = parser().parse_args(argv)
    try:
        store = default_store(options.source)
    except ValueError as exc:
        print(f"riskon: {exc}")
        return 2
    if options.command == "refresh":
        return refresh_command(default_refresher(store), options.series or SERIES_IDS)
    return sources(store)
