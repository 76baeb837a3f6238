"""`/healthz`: the data status (`data_sources.status`) machine-readable, for load balancers and monitoring."""

from __future__ import annotations

import pandas as pd
from flask import Flask, Response, jsonify

from data_sources.status import DataStatus, SeriesStatus, status
from data_sources.store import Store


def _time(stamp: pd.Timestamp | None) -> str | None:
    return None if stamp is None else stamp.isoformat()


def series_health(row: SeriesStatus) -> dict[str, object]:
    return {
        "source": row.source,
        "live": row.live,
        "available": row.available,
        "stale": row.stale,
        "first": None if row.first is None else f"{row.first:%Y-%m-%d}",
        "last": None if row.last is None else f"{row.last:%Y-%m-%d}",
        "fetched_at": _time(row.fetched_at),
        "last_success": _time(row.last_success),
        "last_attempt": _time(row.last_attempt),
        "error": row.error,
        "next_attempt": _time(row.next_attempt),
    }


def health(data: DataStatus) -> tuple[dict[str, object], int]:
    """The /healthz body and code: 'ok' when everything is as the mode promises, 'degraded' when something is
    stale, embedded in place of live, or missing, 'down' (503) when no series can be served."""
    if not any(row.available for row in data.series):
        verdict, code = "down", 503
    # In snapshot mode a live-only series has nothing to serve, by design.
    elif data.state in ("live", "snapshot") and all(
        (row.available and not row.stale) or (data.mode == "snapshot" and not row.available) for row in data.series
    ):
        verdict, code = "ok", 200
    else:
        verdict, code = "degraded", 200
    body: dict[str, object] = {
        "status": verdict,
        "mode": data.mode,
        "state": data.state,
        "line": data.line,
        "refresher": data.refresher,
        "series": {row.series_id: series_health(row) for row in data.series},
    }
    return body, code


def register(server: Flask, store: Store) -> None:
    """Add /healthz."""

    @server.get("/healthz")
    def healthz() -> tuple[Response, int]:
        body, code = health(status(store))
        return jsonify(body), code
