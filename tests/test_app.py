"""The app module: one server per process."""

from __future__ import annotations

import app


def test_server_is_built_once_per_process() -> None:
    assert app.server is app.server
