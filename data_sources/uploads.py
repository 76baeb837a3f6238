"""Bring your own series: an analyst's CSV, validated, stored under its content hash, named in the URL by it.

An upload is data only: it is parsed as CSV text into dates and floats and never evaluated. The stored form is the
canonical CSV this module writes, so the same data uploaded twice (whatever its layout) gets the same id.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import filelock
import numpy as np
import pandas as pd

from data_sources.base import DATE
from data_sources.tabular import to_csv

MAX_BYTES = 2_000_000
MAX_ROWS = 20_000
MAX_COLUMNS = 8
MAX_NAME = 40
MAX_UPLOADS = 200  # per server; past it new uploads are refused, never silently evicting one a link points at
ID_LENGTH = 16
_ID = re.compile(rf"^[0-9a-f]{{{ID_LENGTH}}}$")
_DATE_NAMES = ("date", "day", "time", "timestamp", "datetime", "as_of")
MAX_QUOTED = 40  # a bad cell is quoted this far in a message, so a huge cell never makes a huge message
# Charts send values as float32: a larger finite float64 would be drawn as infinite.
MAX_VALUE = float(np.finfo(np.float32).max)
LOCK_SECONDS = 30  # how long a save waits for another worker's save of this directory


class UploadError(ValueError):
    """An upload that cannot be used; the message says why in words an analyst can act on."""


@dataclass(frozen=True)
class Upload:
    """A validated upload: one float column per series on a daily date index, and its content id."""

    id: str
    name: str
    frame: pd.DataFrame


def parse(raw: bytes, *, name: str) -> Upload:
    """Validate a CSV upload (a date column and one or more numeric columns) into an Upload, or UploadError."""
    if len(raw) > MAX_BYTES:
        raise UploadError(too_large(len(raw), MAX_BYTES))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadError("the file is not UTF-8 text; export it as CSV") from None
    if "\x00" in text:
        raise UploadError("the file is binary, not CSV text")
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, nrows=MAX_ROWS + 1)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise UploadError(f"the file is not a readable CSV ({str(exc).strip().splitlines()[0]})") from None
    if len(table) > MAX_ROWS:
        raise UploadError(f"more than {MAX_ROWS:,} rows; upload daily data")
    if table.empty:
        raise UploadError("the file has a header but no rows")
    date_column = _date_column(table)
    values = [column for column in table.columns if column != date_column]
    if not values:
        raise UploadError("no value column: add one or more numeric columns beside the date")
    if len(values) > MAX_COLUMNS:
        raise UploadError(f"{len(values)} value columns; at most {MAX_COLUMNS}")
    named: dict[str, str] = {}  # shown name -> the file's header
    for column in values:
        # A header of symbols only (emoji, say) cleans to nothing: name it by its place, as parse names the upload.
        shown = _column_name(column) or f"column {list(table.columns).index(column) + 1}"
        if shown in named:
            raise UploadError(
                f"columns {_quoted(named[shown])} and {_quoted(column)} both read {shown!r} once symbols are removed; "
                "rename one"
            )
        named[shown] = column
    frame = pd.DataFrame({shown: _numbers(table[column], column) for shown, column in named.items()})
    frame.index = _dates(table[date_column])
    duplicated = frame.index[frame.index.duplicated()]
    if len(duplicated):
        raise UploadError(f"{len(duplicated)} duplicate dates, first {duplicated[0]:%Y-%m-%d}; one row per day")
    frame = frame.sort_index().dropna(how="all")
    if frame.empty:
        raise UploadError("no row has a value")
    return Upload(content_id(frame), _column_name(name) or "upload", frame)


def too_large(size: int, limit: int) -> str:
    """The refusal of a file of `size` bytes over `limit`, in the largest unit that shows the two differ."""
    for unit, scale in (("MB", 1e6), ("KB", 1e3)):
        if f"{size / scale:.1f}" != f"{limit / scale:.1f}":
            return f"the file is {size / scale:.1f} {unit}; the limit is {limit / scale:.1f} {unit}"
    return f"the file is {size:,} bytes; the limit is {limit:,} bytes"


def content_id(frame: pd.DataFrame) -> str:
    """The first 16 hex digits of the SHA-256 of the canonical CSV."""
    return hashlib.sha256(to_csv(frame).encode()).hexdigest()[:ID_LENGTH]


def _date_column(table: pd.DataFrame) -> str:
    for column in table.columns:
        if str(column).strip().lower() in _DATE_NAMES:
            return str(column)
    first = str(table.columns[0])
    if pd.to_datetime(_datelike(table[first].head(20)), errors="coerce", format="mixed").notna().all():
        return first
    raise UploadError("no date column: name one 'date' (YYYY-MM-DD), or put dates in the first column")


def _datelike(column: pd.Series) -> pd.Series:
    """`column` with cells too long to be a date as NaN: pandas' date parsing takes time growing with the square
    of a cell's length (a 700 KB cell held a worker 23 s)."""
    return column.where(column.astype(str).str.len() <= MAX_QUOTED)


def _dates(column: pd.Series) -> pd.DatetimeIndex:
    parsed = pd.to_datetime(_datelike(column.str.strip()), errors="coerce", format="mixed", utc=True)
    bad = parsed.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise UploadError(f"row {row + 2}: {_quoted(column.iloc[row])} is not a date (use YYYY-MM-DD)")
    days = pd.DatetimeIndex(parsed).tz_convert(None)
    if not (days == days.normalize()).all():
        raise UploadError("dates carry times of day; upload one row per day")
    if days.min() < pd.Timestamp("1900-01-01") or days.max() > pd.Timestamp("2100-01-01"):
        raise UploadError("dates must lie between 1900 and 2100")
    return pd.DatetimeIndex(days.as_unit("us"), name=DATE)


def _numbers(column: pd.Series, name: str) -> pd.Series:
    cleaned = column.str.strip().str.replace(",", "", regex=False)
    numbers = pd.Series(pd.to_numeric(cleaned.to_numpy(), errors="coerce"), dtype="float64")
    bad = numbers.isna().to_numpy() & cleaned.ne("").to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise UploadError(f"row {row + 2}, column {_quoted(name)}: {_quoted(column.iloc[row])} is not a number")
    # NaN (an empty cell) compares False, so only infinite and float32-overflowing values are caught.
    huge = (numbers.abs() > MAX_VALUE).to_numpy()
    if huge.any():
        row = int(np.flatnonzero(huge)[0])
        raise UploadError(
            f"row {row + 2}, column {_quoted(name)}: {_quoted(column.iloc[row])} is out of range "
            f"(charts draw at most ±{MAX_VALUE:.1e})"
        )
    return numbers


def _quoted(text: object) -> str:
    """`text` quoted for a message, cut to MAX_QUOTED characters: a bad cell may be megabytes long."""
    text = str(text)
    return repr(text) if len(text) <= MAX_QUOTED else f"{text[:MAX_QUOTED]!r}…"


def _column_name(text: object) -> str:
    """A name safe to show anywhere: printable characters, no markup, at most MAX_NAME long."""
    return re.sub(r"[^\w .%()&+-]", "", str(text)).strip()[:MAX_NAME]


class UploadStore:
    """Uploads on disk under their content id: `<id>.csv` (canonical) and `<id>.json` (its name). Saves hold an OS
    file lock on the directory, so the count against `max_uploads` holds across threads and gunicorn workers."""

    def __init__(self, directory: Path, *, max_uploads: int = MAX_UPLOADS) -> None:
        self.directory = directory
        self.max_uploads = max_uploads
        directory.mkdir(parents=True, exist_ok=True)

    def save(self, upload: Upload) -> str:
        """Store `upload` (idempotent: the same data is stored once) and return its id."""
        path = self.directory / f"{upload.id}.csv"
        if path.exists():
            return upload.id
        try:
            with filelock.FileLock(self.directory / ".lock", timeout=LOCK_SECONDS):
                if path.exists():  # stored by another save while this one waited
                    return upload.id
                if sum(1 for _ in self.directory.glob("*.csv")) >= self.max_uploads:
                    raise UploadError(f"this server holds its limit of {self.max_uploads} uploads; ask its operator")
                _write(self.directory / f"{upload.id}.json", json.dumps({"name": upload.name}))
                _write(path, to_csv(upload.frame))  # last: the .csv's presence means the upload is complete
        except filelock.Timeout:
            raise UploadError("the server is busy storing other uploads; try again") from None
        return upload.id

    def load(self, upload_id: str) -> Upload | None:
        """The upload with this id, or None (unknown or malformed id)."""
        if not isinstance(upload_id, str) or not _ID.match(upload_id):
            return None
        path = self.directory / f"{upload_id}.csv"
        if not path.exists():
            return None
        frame = pd.read_csv(path, index_col=DATE, parse_dates=[DATE]).astype("float64")
        frame.index = pd.DatetimeIndex(frame.index, name=DATE).as_unit("us")
        name = json.loads((self.directory / f"{upload_id}.json").read_text())["name"]
        return Upload(upload_id, name, frame)


def _write(path: Path, text: str) -> None:
    """Write `path` atomically (a reader never sees half a file) through a temporary file of this writer's own."""
    handle, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
