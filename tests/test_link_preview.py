"""Shared links unfurl: every view's HTML names what it shows, and og:image answers a 1200 x 630 PNG of that view."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import pytest
import requests

from app import create_app
from components import export
from components.url_state import decode
from data_sources.config import open_cache
from data_sources.store import Store
from tests.conftest import served

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The analysts' own check (README): ^RUT's first close above its 2018-08-31 high is 2020-11-13; the description
# gives BTC's peak close within 168 days of that day's close.
RUT_VIEW = "?range=2020-10-01..2021-06-30&peak_days=168"
BREAKOUT, PEAK_DAYS = pd.Timestamp("2020-11-13"), 168
IWM_LOG_VIEW = "?range=2020-10-01..2021-06-30&equity=iwm&scale=log"
QUIET_DARK_VIEW = "?range=2022-01-01..2022-12-31&mode=rebase&theme=dark"  # no breakout in 2022


class Head(HTMLParser):
    """The <title> text and the <meta> tags of a page, keyed by `property` or `name`."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        key = values.get("property") or values.get("name")
        if tag == "meta" and key:
            self.meta[key] = values.get("content") or ""
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def head(base: str, query: str) -> Head:
    response = requests.get(base + "/" + query, timeout=60)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    parsed = Head()
    parsed.feed(response.text)
    return parsed


def png_size_and_corner(image: bytes) -> tuple[int, int, tuple[int, ...]]:
    """Width, height and the top-left pixel of a PNG (the first pixel of a row is stored raw under every filter)."""
    assert image[:8] == PNG_SIGNATURE
    width, height, depth, color = struct.unpack(">IIBB", image[16:26])
    assert depth == 8 and color in (2, 6)  # 8-bit RGB or RGBA
    chunks, offset = [], 8
    while offset < len(image):
        (length,) = struct.unpack(">I", image[offset : offset + 4])
        if image[offset + 4 : offset + 8] == b"IDAT":
            chunks.append(image[offset + 8 : offset + 8 + length])
        offset += 12 + length
    first_row = zlib.decompressobj().decompress(b"".join(chunks), 8)
    return width, height, tuple(first_row[1 : 1 + (3 if color == 2 else 4)][:3])


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on the embedded snapshot, served on 127.0.0.1 from a thread (the og: URLs name this host)."""
    export.stop_renderer()
    with served(create_app(Store(open_cache(tmp_path_factory.mktemp("preview-cache")))).server) as url:
        yield url
    export.stop_renderer()


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return Store(open_cache(tmp_path_factory.mktemp("snapshot-cache")))


def btc_peak_after_breakout(store: Store) -> str:
    """BTC's best close within PEAK_DAYS of the breakout day's close, as the description words it ('+289%')."""
    btc = store.series("btc")[0]
    assert btc is not None
    window = btc.loc[BREAKOUT : BREAKOUT + pd.Timedelta(days=PEAK_DAYS)]
    return f"{window.max() / btc.loc[BREAKOUT] - 1:+.0%}"


@pytest.mark.parametrize(
    ("query", "title", "said", "unsaid"),
    [
        (
            RUT_VIEW,
            "^RUT vs BTC, 2020-10-01 to 2021-06-30",
            ["^RUT broke above its 2018-08-31 high on 2020-11-13; BTC then peaked at {peak} within 168 days"],
            [],
        ),
        (IWM_LOG_VIEW, "IWM vs BTC, 2020-10-01 to 2021-06-30, log", ["IWM broke above its 2018-08-31 high"], []),
        (QUIET_DARK_VIEW, "^RUT vs BTC, 2022-01-01 to 2022-12-31, rebased to 100", [], ["broke above"]),
        ("", "^RUT vs BTC, last 5 years", ["broke above its 2021-11-08 high on 2025-09-18"], []),
    ],
)
def test_every_view_carries_its_own_preview_tags(
    base: str, snapshot: Store, query: str, title: str, said: list[str], unsaid: list[str]
) -> None:
    page = head(base, query)
    # The newest day of the first chart's series (^RUT or IWM, and BTC) is the as-of date.
    lasts = [snapshot.series(series_id)[1].last for series_id in (decode(query).equity, "btc")]
    as_of = max(last for last in lasts if last is not None)
    said = [text.format(peak=btc_peak_after_breakout(snapshot)) for text in said]
    meta = page.meta
    assert meta["og:title"] == title
    assert page.title == f"{title} · riskon"  # tabs, history and bookmarks read the same
    description = meta["og:description"]
    assert description.startswith(f"Data as of {as_of:%Y-%m-%d}") and description == meta["description"]
    assert all(text in description for text in said) and not any(text in description for text in unsaid)
    # og:url is the absolute, canonical link to the same view; the image path is one per view.
    url = urlsplit(meta["og:url"])
    assert meta["og:url"].startswith(base + "/") and decode(url.query) == decode(query)
    assert meta["og:image"].startswith(base + "/preview/") and meta["og:image"].endswith(".png")
    assert (meta["og:image:width"], meta["og:image:height"], meta["og:image:type"]) == ("1200", "630", "image/png")
    assert meta["og:image:alt"].startswith("Small caps vs Bitcoin: ")
    assert meta["twitter:card"] == "summary_large_image"


def test_og_image_is_a_1200_by_630_png_of_the_view(base: str) -> None:
    light, dark = (
        requests.get(head(base, query).meta["og:image"], timeout=120) for query in (RUT_VIEW, QUIET_DARK_VIEW)
    )
    for response in (light, dark):
        assert response.status_code == 200 and response.headers["Content-Type"] == "image/png"
    light_width, light_height, light_corner = png_size_and_corner(light.content)
    dark_width, dark_height, dark_corner = png_size_and_corner(dark.content)
    assert (light_width, light_height) == (dark_width, dark_height) == (1200, 630)
    assert light.content != dark.content
    # Each image draws its own view: the dark view's background is dark, the light one's light.
    assert sum(light_corner) > 600 and sum(dark_corner) < 150


def test_the_same_view_answers_the_same_image(base: str) -> None:
    url = head(base, IWM_LOG_VIEW).meta["og:image"]
    first, again = (requests.get(url, timeout=120) for _ in range(2))
    assert first.status_code == again.status_code == 200 and first.content == again.content
    assert "max-age" in first.headers["Cache-Control"]


def test_nothing_from_the_request_reaches_the_page_unescaped(base: str) -> None:
    hostile = '"><script>alert(1)</script>'
    for path, query, host in (("/" + hostile, "", None), ("/", "?equity=" + hostile, None), ("/", "", hostile)):
        headers = {"Host": host} if host else {}
        response = requests.get(base + path + query, headers=headers, timeout=60)
        assert response.status_code == 200
        assert "<script>alert(1)" not in response.text
        meta = Head()
        meta.feed(response.text)
        assert meta.meta["og:url"].endswith("/")  # the canonical root: neither the path nor the bad value


def test_no_browser_is_a_503_a_crawler_can_retry(base: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    export.stop_renderer()
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))
    response = requests.get(base + "/preview/default.png", timeout=60)
    assert response.status_code == 503 and int(response.headers["Retry-After"]) > 0
    assert "try again later" in response.text
