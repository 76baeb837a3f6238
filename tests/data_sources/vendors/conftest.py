"""Recorded vendor bodies; the fake upstream that serves them is tests/data_sources/fake_upstream.py."""

from __future__ import annotations

import gzip

from tests.conftest import FIXTURES


def fixture_bytes(name: str) -> bytes:
    """A fixture's body, gunzipped if it is stored compressed."""
    body = (FIXTURES / name).read_bytes()
    return gzip.decompress(body) if name.endswith(".gz") else body
