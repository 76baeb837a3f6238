"""gunicorn's settings for riskon, read from the working directory (or `-c gunicorn.conf.py`): its logs in riskon's
one format, threaded workers, and no start with several workers but no shared secret key."""

from typing import Any

from data_sources.config import secret_key
from data_sources.logs import logging_config

logconfig_dict = logging_config()
# Threads per worker: a request waiting on I/O (a cache read, a slow client, the PNG renderer) does not hold a whole
# process. More threads add no CPU: Python's own work holds the GIL, so workers (one or two per core, `--workers`)
# set the capacity.
worker_class = "gthread"
threads = 4


def on_starting(server: Any) -> None:
    """Refuse to start several workers that would each sign with a key of their own."""
    try:
        secret_key(workers=server.cfg.workers)
    except ValueError as exc:
        raise SystemExit(f"riskon: {exc}") from None
