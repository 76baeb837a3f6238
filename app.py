"""riskon: the Dash app factory, `server` for gunicorn, and the `riskon` command line."""

from __future__ import annotations

import argparse
import sys

import dash


def create_app() -> dash.Dash:
    """Build the Dash app (the dashboard lands with issue 3)."""
    app = dash.Dash(__name__, title="riskon")
    app.layout = dash.html.Main([dash.html.H1("riskon")])
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
    options = parser.parse_args(args[1:])
    create_app().run(host=options.host, port=options.port, debug=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(["serve", *sys.argv[1:]]))
