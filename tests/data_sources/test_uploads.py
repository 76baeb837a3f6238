"""Uploaded CSVs: real exports accepted, malformed and hostile files refused with a reason, stored by content."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from data_sources import uploads
from data_sources.uploads import MAX_BYTES, MAX_QUOTED, Upload, UploadError, UploadStore, parse, too_large

# The first rows of a CryptoQuant UI export (USDT ERC-20 exchange reserve, all exchanges), as the vendor writes it;
# only a format sample: CryptoQuant's terms restrict redistributing the data.
CRYPTOQUANT = b"date,Exchange Reserve\n2017-12-28,867.0\n2017-12-29,867.0\n2017-12-30,1022.5\n"


def test_a_vendor_export_becomes_one_float_column_per_series() -> None:
    upload = parse(CRYPTOQUANT, name="USDT reserve")
    assert upload.name == "USDT reserve" and list(upload.frame.columns) == ["Exchange Reserve"]
    assert upload.frame.index.name == "date" and upload.frame["Exchange Reserve"].tolist() == [867.0, 867.0, 1022.5]


def test_the_id_depends_on_the_data_not_the_layout() -> None:
    shuffled = b'\xef\xbb\xbfDate,Exchange Reserve\r\n2017-12-30,"1,022.5"\r\n2017-12-28,867\r\n2017-12-29,867\r\n'
    assert parse(shuffled, name="x").id == parse(CRYPTOQUANT, name="y").id
    assert parse(CRYPTOQUANT.replace(b"1022.5", b"1022.6"), name="y").id != parse(CRYPTOQUANT, name="y").id


def test_gaps_stay_gaps_and_several_columns_are_kept() -> None:
    upload = parse(b"date,a,b\n2024-01-01,1,\n2024-01-03,,2\n", name="two")
    assert upload.frame.shape == (2, 2) and upload.frame["b"].isna().tolist() == [True, False]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "not a readable CSV"),
        (b"date,value\n", "no rows"),
        (b"value\n1\n2\n", "no date column"),
        (b"date\n2024-01-01\n", "no value column"),
        (b"date,v\n2024-01-01,1\n2024-13-45,2\n", "row 3: '2024-13-45' is not a date"),
        (b"date,v\n2024-01-01,1\n2024-01-02,abc\n", "row 3, column 'v': 'abc' is not a number"),
        (b"date,v\n2024-01-01,1\n2024-01-01,2\n", "1 duplicate dates, first 2024-01-01"),
        (b"date,v\n2024-01-01 10:30,1\n", "times of day"),
        (b"date,v\n2024-01-01,inf\n", "row 2, column 'v': 'inf' is out of range"),
        # Finite in float64 but infinite once a chart sends it as float32.
        (b"date,v\n2024-01-01,1\n2024-01-02,1e39\n", "row 3, column 'v': '1e39' is out of range"),
        (b"date,v\n2024-01-01,-1e308\n", "row 2, column 'v': '-1e308' is out of range"),
        (b"date,a<,a>\n2024-01-01,1,2\n", "columns 'a<' and 'a>' both read 'a'"),
        ("date,price$,price€\n2024-01-01,1,2\n".encode(), "columns 'price$' and 'price€' both read 'price'"),
        (b"date,v\n1066-10-14,1\n", "between 1900 and 2100"),
        (b"date,v\n2024-01-01,\n", "no row has a value"),
        (b"\xff\xfed\x00a\x00", "not UTF-8"),
        (b"date,v\n2024-01-01,1\x00\n", "binary"),
        (b"date," + b",".join(b"c%d" % i for i in range(9)) + b"\n2024-01-01" + b",1" * 9 + b"\n", "9 value columns"),
        (b"date,v\n" + b"2024-01-01,1\n" * 20_001, "more than 20,000 rows"),
        (b"date,v\n" + b"x" * MAX_BYTES, "the file is 2,000,007 bytes; the limit is 2,000,000 bytes"),
    ],
)
def test_malformed_files_are_refused_with_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(UploadError, match=re.escape(reason)):
        parse(raw, name="bad")


def test_a_value_just_inside_float32_is_kept() -> None:
    assert parse(b"date,v\n2024-01-01,-3.4e38\n", name="big").frame["v"].tolist() == [-3.4e38]


def test_a_header_of_symbols_only_is_named_by_its_place() -> None:
    upload = parse("date,v,\U0001f680\U0001f315\n2024-01-01,1,2\n".encode(), name="emoji")
    assert list(upload.frame.columns) == ["v", "column 3"]


@pytest.mark.parametrize(
    ("raw", "start"),
    [
        (b"date,v\n2024-01-01," + b"9" * 700_000 + b"x\n", "row 2, column 'v': '99999"),
        (b"date,v\n" + b"2" * 10_000 + b",1\n", "row 2: '22222"),  # longer dates take pandas seconds to refuse
        (b"date," + b"w" * 700_000 + b"\n2024-01-01,x\n", "row 2, column 'wwwww"),
    ],
)
def test_a_huge_bad_cell_is_quoted_short(raw: bytes, start: str) -> None:
    with pytest.raises(UploadError) as refused:
        parse(raw, name="huge")
    message = str(refused.value)
    assert message.startswith(start) and "…" in message and len(message) < 3 * MAX_QUOTED + 80


@given(limit=st.integers(1, 10**8), extra=st.integers(1, 10**8))
def test_a_size_refusal_shows_the_file_larger_than_the_limit(limit: int, extra: int) -> None:
    sizes = re.fullmatch(r"the file is (.+); the limit is (.+)", too_large(limit + extra, limit))
    assert sizes is not None and sizes[1] != sizes[2]


def test_a_size_refusal_reads_in_kb_when_megabytes_round_the_same() -> None:
    assert too_large(780_000, 774_144) == "the file is 780.0 KB; the limit is 774.1 KB"


def test_hostile_names_and_formulas_are_never_evaluated() -> None:
    upload = parse(b'date,"<script>alert(1)</script>"\n2024-01-01,1\n', name='=HYPERLINK("x")<img>')
    assert "<" not in upload.name and "<" not in upload.frame.columns[0]
    with pytest.raises(UploadError, match="is not a number"):
        parse(b"date,v\n2024-01-01,=1+1\n", name="formula")


def test_store_keeps_one_copy_per_content_and_a_count_limit(tmp_path: Path) -> None:
    store = UploadStore(tmp_path, max_uploads=1)
    upload = parse(CRYPTOQUANT, name="reserve")
    assert store.save(upload) == store.save(upload) == upload.id
    loaded = store.load(upload.id)
    assert loaded is not None and loaded.name == "reserve"
    pd.testing.assert_frame_equal(loaded.frame, upload.frame)
    with pytest.raises(UploadError, match="limit of 1 uploads"):
        store.save(parse(b"date,v\n2024-01-01,1\n", name="second"))
    assert store.load("../../etc/passwd") is None and store.load("0" * 16) is None


def _save_all(uploads: list[Upload], directory: Path, max_uploads: int) -> list[str]:
    """Save each upload from its own thread and store (as gunicorn workers would), all released at once: each
    save's id, or its refusal."""
    start = threading.Barrier(len(uploads))

    def save(upload: Upload) -> str:
        store = UploadStore(directory, max_uploads=max_uploads)
        start.wait()
        try:
            return store.save(upload)
        except UploadError as exc:
            return str(exc)

    with ThreadPoolExecutor(len(uploads)) as pool:
        return list(pool.map(save, uploads))


def test_the_same_upload_saved_at_once_from_many_writers_is_stored_whole(tmp_path: Path) -> None:
    days = pd.date_range("2000-01-01", "2020-12-31")  # a file big enough that writes overlap
    rows = "".join(f"{day:%Y-%m-%d},{number}.5\n" for number, day in enumerate(days))
    upload = parse(f"date,v\n{rows}".encode(), name="same")
    assert _save_all([upload] * 24, tmp_path, max_uploads=200) == [upload.id] * 24
    loaded = UploadStore(tmp_path).load(upload.id)
    assert loaded is not None and loaded.name == "same"
    pd.testing.assert_frame_equal(loaded.frame, upload.frame)
    # No writer's temporary file is left behind.
    assert not [path for path in tmp_path.iterdir() if path.suffix == ".tmp"]


def test_concurrent_saves_near_the_limit_store_exactly_the_limit(tmp_path: Path) -> None:
    store = UploadStore(tmp_path, max_uploads=20)
    for number in range(15):
        store.save(parse(f"date,v\n2024-01-01,{number}\n".encode(), name="early"))
    late = [parse(f"date,v\n2024-01-02,{number}\n".encode(), name="late") for number in range(40)]
    results = _save_all(late, tmp_path, max_uploads=20)
    stored = [upload.id for upload in late if upload.id in results]
    assert len(stored) == 5 and len(list(tmp_path.glob("*.csv"))) == 20
    assert results.count("this server holds its limit of 20 uploads; ask its operator") == 35
    assert all(store.load(upload_id) is not None for upload_id in stored)


def test_a_huge_date_cell_is_refused_without_being_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    # pandas' date parsing takes time growing with the square of a cell's length: a 700 KB cell held a worker 23 s.
    to_datetime, longest = pd.to_datetime, [0]

    def spy(values: Any, **options: Any) -> Any:
        longest[0] = max([longest[0], *(len(str(value)) for value in values if isinstance(value, str))])
        return to_datetime(values, **options)

    monkeypatch.setattr(uploads.pd, "to_datetime", spy)
    with pytest.raises(UploadError, match="is not a date"):
        parse(b"date,x\n2024-01-02,1\n" + b"2" * 700_000 + b",2\n", name="huge.csv")
    assert 0 < longest[0] <= 40
