"""riskon: the Dash app factory, `server` for gunicorn, and the `riskon` command line."""

from __future__ import annotations

import functools
import secrets
import sys

from dash import Dash
from flask import Flask

from components import callbacks, claims_page, export, health, layout, preview, security, signals, static, status_line
from components.charts import event_study, upload
from components.url_state import DEFAULT
from data_sources import cli
from data_sources.config import default_store, secret_key, start_refresher
from data_sources.logs import setup_logging
from data_sources.store import Store
from data_sources.uploads import UploadStore


def create_app(store: Store | None = None) -> Dash:
    """Build the dashboard on `store` (default: configured from the environment, the snapshot unless told)."""
    store = store or default_store()
    app = Dash(__name__, title="riskon", update_title="", assets_folder="assets", compress=True)
    static.cache_static(app)
    static.compress_fast(app)
    layout.register(app)
    first_view = callbacks.register(app, store)
    app.layout = lambda: layout.page_for_referrer(first_view)  # a function: Dash serves each page its own
    signals.register(app, store)
    uploads = UploadStore(upload.upload_directory(store))
    event_study.register(app, store, uploads)
    upload.register(app, store, uploads)
    export.register(app.server, store)
    health.register(app.server, store)
    claims_page.register(app.server, store)
    status_line.register(app, store)
    preview.register(app, store)
    security.harden(app)  # last: the CSP hashes every inline script registered above
    # One process may sign with a key of its own; several share RISKON_SECRET_KEY (gunicorn.conf.py insists).
    app.server.secret_key = secret_key() or secrets.token_hex(32)
    # Dash sets itself up in its first request and marks that done before doing it: a thread serving a request
    # meanwhile (gthread, the threaded dev server) finds no script registered and every bundle 404s, so the page
    # never draws (plotly/dash#3971, open in Dash 4.4.1). Set up before any request instead.
    app._setup_server()
    return app


def main(argv: list[str] | None = None) -> int:
    """The `riskon` command: `serve` runs the dashboard, every other command is the data layer's."""
    setup_logging()
    options = cli.parser().parse_args(sys.argv[1:] if argv is None else argv)
    if options.command != "serve":
        return cli.run(options)
    try:
        store = default_store(options.source)
    except ValueError as exc:
        print(f"riskon: {exc}")
        return 2
    serving(store).run(host=options.host, port=options.port, debug=False)
    return 0


def serving(store: Store) -> Dash:
    """The dashboard as a server runs it: the background refresher started (in each gunicorn worker; one of them
    is elected to refresh), the PNG renderer warmed and the default view drawn once, so that the first page a
    worker serves does not pay for building it."""
    app = create_app(store)
    start_refresher(store)
    export.warm()
    callbacks.chart_figures(store, DEFAULT)
    return app


@functools.cache
def _server() -> Flask:
    return serving(default_store()).server


def __getattr__(name: str) -> object:
    """`server` for `gunicorn app:server`: built once, on first use, so that importing app.py builds nothing."""
    if name == "server":
        return _server()
    raise AttributeError(name)


if __name__ == "__main__":
    raise SystemExit(main(["serve", *sys.argv[1:]]))
