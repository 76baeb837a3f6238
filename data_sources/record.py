"""`riskon record`: save each adapter's real response under tests/fixtures/<vendor>/, for the contract tests.

Run where there is internet. Bodies are saved as the vendor sent them, except that the value of any API key in the
environment is blanked out; request URLs (where keys and cookies travel) are never saved."""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from data_sources.base import Adapter, SourceError

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
KEY_VARIABLES = ("COINGECKO_API_KEY", "COINGECKO_DEMO_API_KEY", "ALPHAVANTAGE_API_KEY")


def vendor(adapter: Adapter) -> str:
    """The fixture folder of an adapter: its vendor module's name (yahoo, coinmarketcap...)."""
    return type(adapter).__module__.rsplit(".", 1)[-1]


def _extension(body: bytes) -> str:
    head = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return {b"{": "json", b"[": "json", b"<": "xml"}.get(head, "csv")


def _strip_keys(body: bytes) -> bytes:
    for name in KEY_VARIABLES:
        if secret := os.environ.get(name):
            body = body.replace(secret.encode(), b"REDACTED")
    return body


def record(
    chains: Mapping[str, Sequence[Adapter]], vendors: Iterable[str] = (), *, out_dir: Path = FIXTURES
) -> dict[str, str]:
    """Fetch every adapter of every series chain (only the named vendors, if any) and save its body as
    `<out_dir>/<vendor>/<series>_recorded.<ext>.gz`. Returns {saved path or "vendor/series": outcome}; a vendor
    that fails is reported and the others are still recorded."""
    wanted = set(vendors)
    outcomes: dict[str, str] = {}
    for series_id, chain in chains.items():
        for adapter in chain:
            folder = vendor(adapter)
            if wanted and folder not in wanted:
                continue
            try:
                body = _strip_keys(adapter.fetch(series_id))
            except SourceError as exc:
                outcomes[f"{folder}/{series_id}"] = f"failed: {exc.reason}"
                continue
            path = out_dir / folder / f"{series_id}_recorded.{_extension(body)}.gz"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(gzip.compress(body, mtime=0))
            outcomes[str(path)] = f"saved {len(body):,} bytes"
    return outcomes
