"""How responses reach the browser: compressed at levels chosen for what riskon sends, static files cached for good
when their URL names their version, and plotly.js as the cartesian build in assets/ (1.5 MB instead of 4.8 MB;
dcc.Graph uses a `window.Plotly` it finds and then never fetches its own bundle).

The cartesian bundle is `plotly-cartesian.min.js` from the npm package `plotly.js-cartesian-dist-min`, the same
plotly.js version as plotly.py's (4.1.1); update both together (`npm pack plotly.js-cartesian-dist-min@<version>`).
"""

from __future__ import annotations

from dash import Dash
from flask import Response, request

YEAR_SECONDS = 365 * 24 * 3600
# Dash's lazily loaded chunks (async-graph.js, async-table.js...) have no version in their URL; they change only
# with a Dash upgrade, which restarts the server: a day is a fair trade for warm loads without revalidation.
CHUNK_SECONDS = 24 * 3600


def cache_static(app: Dash) -> None:
    """Long cache lifetimes: assets carry `?m=<mtime>` in their URLs (Dash adds it), chunks are cached a day."""
    app.server.config["SEND_FILE_MAX_AGE_DEFAULT"] = YEAR_SECONDS

    @app.server.after_request
    def chunk_lifetime(response: Response) -> Response:
        # Only what was found: a 404 cached for a day would outlive the deploy that adds the file.
        found = response.status_code in (200, 304)
        if found and request.path.startswith("/_dash-component-suites/") and response.cache_control.max_age is None:
            response.cache_control.public = True
            response.cache_control.max_age = CHUNK_SECONDS
        return response


# flask-compress's levels (read at each response), for what riskon sends: a view's answer (100-300 KB, mostly base64
# floats, which compress only about 2x) and the plotly.js bundle. br and gzip (clients without zstd) at the level
# that costs least at 100 Mbit/s, CPU plus transfer: the defaults (br 4, gzip 6) spend 3x and 2x the CPU to save 3-5%
# of the bytes. zstd (Chromium) keeps its default, the best but for level 2 (0.3 ms less for 0.6% more bytes, and
# the browser's bytes must not grow). Figures: `python -m benchmarks.compression`.
COMPRESSION = {"COMPRESS_ZSTD_LEVEL": 3, "COMPRESS_BR_LEVEL": 1, "COMPRESS_LEVEL": 1}


def compress_fast(app: Dash) -> None:
    """Compress responses at the levels above (the app was built with `compress=True`)."""
    app.server.config.update(COMPRESSION)
