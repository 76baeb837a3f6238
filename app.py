"""riskon: the Dash app factory, `server` for gunicorn, and the `riskon` command line."""

from __future__ import annotations

import argparse
import os
import sys

from dash import Dash

from components import callbacks, export, health, security, signals
from components.layout import page
from data_sources.store import Store, default_store


def create_app(store: Store | None = None) -> Dash:
    """Build the dashboard on `store` (default: configured from the environment, the snapshot unless told)."""
    store = store or default_store()
    app = Dash(__name__, title="riskon", update_title="", assets_folder="assets")
    app.layout = page()
    callbacks.register(app, store)
    signals.register(app, store)
    export.register(app.server, store)
    health.register(app.server, store)
    security.harden(app)  # last: the CSP hashes every inline script registered above
    # Several gunicorn workers must agree on the key; set RISKON_SECRET_KEY in production.
    app.server.secret_key = os.environ.get("RISKON_SECRET_KEY", "riskon-dev-only-key")
    return app


def main(argv: list[str] | None = None) -> int:
    """`riskon serve` runs the dashboard; every other command is the data layer's (`riskon refresh`, `sources`)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] != ["serve"]:
        from data_sources.cli import main as data_main

        return data_main(args)
    parser = argparse.ArgumentParser(prog="riskon serve", description="Serve the dashboard.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--source", choices=("snapshot", "live", "auto"), help="default: $RISKON_SOURCE or snapshot")
    options = parser.parse_args(args[1:])
    if options.source:
        os.environ["RISKON_SOURCE"] = options.source
    create_app().run(host=options.host, port=options.port, debug=False)
    return 0


def __getattr__(name: str) -> object:
    """`server` for `gunicorn app:server`, built on first use so that importing app.py (the CLI) builds nothing."""
    if name == "server":
        return create_app().server
    raise AttributeError(name)


if __name__ == "__main__":
    raise SystemExit(main(["serve", *sys.argv[1:]]))
