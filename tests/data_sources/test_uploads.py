"""Uploaded CSVs: real exports accepted, malformed and hostile files refused with a reason, stored by content."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from data_sources.uploads import MAX_BYTES, UploadError, UploadStore, parse

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
        (b"date,v\n2024-01-01,inf\n", "infinite"),
        (b"date,v\n1066-10-14,1\n", "between 1900 and 2100"),
        (b"date,v\n2024-01-01,\n", "no row has a value"),
        (b"\xff\xfed\x00a\x00", "not UTF-8"),
        (b"date,v\n2024-01-01,1\x00\n", "binary"),
        (b"date," + b",".join(b"c%d" % i for i in range(9)) + b"\n2024-01-01" + b",1" * 9 + b"\n", "9 value columns"),
        (b"date,v\n" + b"2024-01-01,1\n" * 20_001, "more than 20,000 rows"),
        (b"date,v\n" + b"x" * MAX_BYTES, "the limit is 2 MB"),
    ],
)
def test_malformed_files_are_refused_with_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(UploadError, match=reason.replace("(", r"\(")):
        parse(raw, name="bad")


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
