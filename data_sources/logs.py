"""One logging setup for every entry point: `riskon serve`, the CLI, gunicorn (gunicorn.conf.py) and Celery.

Every line reads `2026-11-24 22:50:01,123 WARNING [4242] riskon.data: message`: time, level, process id (which
gunicorn worker) and logger name, on stderr.
"""

from __future__ import annotations

import logging.config
from typing import Any

FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"
# gunicorn gives its own loggers their own handlers and format; emptied here, its messages go through the root like
# the rest. Its access log stays off (the reverse proxy keeps one), so a rejected request is one line, riskon's.
GUNICORN_LOGGERS = {"gunicorn.error": True, "gunicorn.access": False}


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """The `logging.config.dictConfig` schema of riskon's setup (gunicorn takes it as `logconfig_dict`)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"riskon": {"format": FORMAT}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "riskon", "stream": "ext://sys.stderr"}},
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {name: {"handlers": [], "propagate": on} for name, on in GUNICORN_LOGGERS.items()},
    }


def setup_logging(level: str = "INFO") -> None:
    """Send every logger's records at `level` and above to stderr in riskon's one format; safe to call again."""
    logging.config.dictConfig(logging_config(level))
