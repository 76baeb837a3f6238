"""iShares (BlackRock) fund data: daily NAV and shares outstanding of one ETF, and the flows they imply."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from data_sources.base import DATE, ParseError, validate_series
from data_sources.http import get_bytes

API = "https://www.ishares.com/us/products"
SS = "{urn:schemas-microsoft-com:office:spreadsheet}"
NAV, SHARES = "NAV per Share", "Shares Outstanding"
# A bare "&" (e.g. "S&P" in a fund name) makes iShares' XML invalid; escape every "&" that starts no entity.
_BARE_AMPERSAND = re.compile(rb"&(?!(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);)")


def flows(nav: pd.Series, shares: pd.Series) -> pd.Series:
    """Daily net flow in USD: the change in shares outstanding since the previous observation x that day's NAV.

    Only days with both figures count, and a change is taken between consecutive such days (never filled); the
    first day has no flow."""
    both = pd.concat([nav.rename("nav"), shares.rename("shares")], axis=1, join="inner").dropna()
    return (both["shares"].diff() * both["nav"]).iloc[1:]


def _sheet_rows(payload: bytes, sheet: str, *, source: str, series_id: str) -> list[list[str]]:
    """The cell texts of one worksheet of an XML Spreadsheet 2003 workbook (what iShares serves as .xls)."""
    start = payload.find(b"<ss:Workbook")
    if start < 0:
        raise ParseError(source, series_id, "not an XML spreadsheet (no ss:Workbook)")
    try:  # the XML declaration before the workbook is malformed in some downloads: skip it
        root = ET.fromstring(_BARE_AMPERSAND.sub(b"&amp;", payload[start:]))
    except ET.ParseError as exc:
        raise ParseError(source, series_id, f"unreadable XML spreadsheet ({exc})") from exc
    for worksheet in root.iter(f"{SS}Worksheet"):
        if worksheet.get(f"{SS}Name") == sheet:
            rows = []
            for row in worksheet.iter(f"{SS}Row"):
                cells: list[str] = []
                for cell in row.iter(f"{SS}Cell"):
                    if index := cell.get(f"{SS}Index"):  # a sparse row jumps to a 1-based column
                        cells.extend([""] * (int(index) - 1 - len(cells)))
                    data = cell.find(f"{SS}Data")
                    cells.append("".join(data.itertext()).strip() if data is not None else "")
                rows.append(cells)
            return rows
    raise ParseError(source, series_id, f"no {sheet!r} worksheet")


def fund_history(payload: bytes, *, series_id: str) -> pd.DataFrame:
    """The fund download's "Historical" sheet as a frame of NAV per share and shares outstanding by day. Pure.

    Rows are newest first with "As Of" dates like "Jan 12, 2026"; "--" marks a missing figure."""
    source = IShares.name
    rows = _sheet_rows(payload, "Historical", source=source, series_id=series_id)
    if not rows or not {"As Of", NAV, SHARES} <= set(rows[0]):
        raise ParseError(source, series_id, f"Historical sheet lacks the columns As Of, {NAV}, {SHARES}")
    frame = pd.DataFrame([row + [""] * (len(rows[0]) - len(row)) for row in rows[1:]], columns=rows[0])
    try:
        days = pd.to_datetime(frame["As Of"], format="%b %d, %Y")
        figures = (
            frame[[NAV, SHARES]]
            .replace({"--": None, "": None})
            .apply(lambda column: pd.to_numeric(column.str.replace(",", "")))
        )
    except (ValueError, TypeError) as exc:
        raise ParseError(source, series_id, f"unreadable Historical rows ({exc})") from exc
    figures.index = pd.DatetimeIndex(days, name=DATE)
    return figures.sort_index()


def holdings_header(payload: bytes, *, series_id: str) -> tuple[pd.Timestamp, float]:
    """(as-of day, shares outstanding) from the header of a holdings CSV download. Pure.

    The download starts with a BOM, has "Fund Holdings as of" and "Shares Outstanding" lines with quoted,
    comma-grouped figures, and a line holding a lone no-break space before the holdings table."""
    source = IShares.name
    try:
        text = payload.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(source, series_id, f"holdings download is not UTF-8 ({exc})") from exc
    header = {}
    for line in io.StringIO(text):
        name, _, value = line.strip().replace("\u00a0", "").partition(",")
        if name == "Ticker":
            break
        header[name] = value.strip('"')
    try:
        day = pd.to_datetime(header["Fund Holdings as of"], format="%b %d, %Y")
        shares = float(header[SHARES].replace(",", ""))
    except (KeyError, ValueError) as exc:
        raise ParseError(source, series_id, f"holdings header lacks a readable {exc}") from exc
    return day, shares


@dataclass(frozen=True)
class IShares:
    """The product page's fund-data download (`<product>/<slug>/1521942788811.ajax?fileType=xls&dataType=fund`),
    an XML spreadsheet whose "Historical" sheet lists NAV per share and shares outstanding per day; parse returns
    the daily net flow in USD (see `flows`). Day labels: iShares' "As Of" business day, kept."""

    product: str  # iShares' product id, e.g. "239710" (IWM)
    slug: str  # the product page's path, e.g. "ishares-russell-2000-etf"
    api: str = API
    ttl_seconds: ClassVar[int] = 12 * 3600
    name: ClassVar[str] = "iShares"

    def fetch(self, series_id: str) -> bytes:
        url = f"{self.api}/{self.product}/{self.slug}/1521942788811.ajax"
        params = {"fileType": "xls", "fileName": f"{self.slug}_fund", "dataType": "fund"}
        return get_bytes(url, source=self.name, series_id=series_id, params=params)

    def parse(self, payload: bytes, series_id: str) -> pd.Series:
        history = fund_history(payload, series_id=series_id)
        return validate_series(flows(history[NAV], history[SHARES]), source=self.name, series_id=series_id)


IWM = IShares("239710", "ishares-russell-2000-etf")
IJR = IShares("239774", "ishares-core-sp-smallcap-etf")
