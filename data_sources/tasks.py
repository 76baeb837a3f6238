"""The refresher's jobs on Celery, for several hosts sharing one Redis cache: beat asks for the due series every
tick, and each due series is refreshed as its own task by whichever worker takes it (its fetch lease keeps two
workers, or two beats, from fetching it twice).

Run `riskon worker` (a worker with beat) on one host and `riskon worker --no-beat` on the others, with
RISKON_CACHE_URL (and optionally RISKON_BROKER_URL) pointing at the same Redis.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from celery import Celery, signals

from data_sources.config import broker_url, default_refresher, default_store
from data_sources.logs import setup_logging
from data_sources.refresher import TICK_SECONDS, Refresher

app = Celery("riskon")
app.conf.update(
    broker_url=broker_url(),
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    beat_schedule={"refresh-due": {"task": "riskon.refresh_due", "schedule": TICK_SECONDS}},
)


@signals.setup_logging.connect
def _log_like_riskon(**_: object) -> None:
    """Celery's worker processes log in riskon's one format too."""
    setup_logging()


@functools.cache
def refresher() -> Refresher:
    """This worker's refresher, configured from the environment on first use."""
    return default_refresher(default_store())


@app.task(name="riskon.refresh_due")
def refresh_due() -> list[str]:
    """Queue one refresh per due series, so that several workers share them; returns their ids."""
    due = refresher().due()
    for series_id in due:
        refresh_series.delay(series_id)
    return due


@app.task(name="riskon.refresh_series")
def refresh_series(series_id: str) -> list[tuple[str, str]]:
    """Refresh one series if it is still due; (series, outcome) for it and any derived series recomputed."""
    return [(result.series_id, result.outcome) for result in refresher().refresh(series_id, force=False)]


def run_worker(argv: Sequence[str] = ()) -> int:
    """`riskon worker [--no-beat] [celery worker options]`: a Celery worker for these jobs, with beat unless told."""
    options = list(argv)
    beat = "--no-beat" not in options
    options = [option for option in options if option != "--no-beat"]
    if app.conf.broker_url is None:
        print(
            "riskon worker: set RISKON_CACHE_URL (or RISKON_BROKER_URL) to a Redis URL, e.g. redis://127.0.0.1:6379/0"
        )
        return 2
    app.worker_main(["worker", "--loglevel=INFO", *(["--beat"] if beat else []), *options])
    return 0
