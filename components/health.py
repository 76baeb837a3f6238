"""`/healthz`: each series' source and freshness, for load balancers and monitoring."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, Response, jsonify

from data_sources.series import SERIES_IDS
from data_sources.store import NO_EMBEDDED_DATA

if TYPE_CHECKING:
    from data_sources.store import SeriesMeta, Store


def _day(stamp: object) -> str | None:
    return None if stamp is None else str(stamp)[:10]


def series_health(meta: SeriesMeta) -> dict[str, object]:
    return {
        "source": meta.source,
        "first": _day(meta.first),
        "last": _day(meta.last),
        "as_of": None if meta.as_of is None else meta.as_of.isoformat(),
        "stale": meta.stale,
        "available": meta.available,
        "message": meta.message,
    }


def register(server: Flask, store: Store) -> None:
    """Add /healthz: 200 'ok' or 'degraded' (something stale or missing), 503 when no series can be served."""

    @server.get("/healthz")
    def healthz() -> tuple[Response, int]:
        metas = [store.series(series_id)[1] for series_id in SERIES_IDS]
        if not any(meta.available for meta in metas):
            status, code = "down", 503
        elif all((meta.available and not meta.stale) or meta.message == NO_EMBEDDED_DATA for meta in metas):
            status, code = "ok", 200
        else:
            status, code = "degraded", 200
        body = {"status": status, "mode": store.mode, "series": {m.series_id: series_health(m) for m in metas}}
        return jsonify(body), code
