"""The upload card's pure parts: the data URL's size check and decoding, accepting a file, the status line and
the chart, and where uploads are stored."""

from __future__ import annotations

import base64
from pathlib import Path

import plotly.graph_objects as go
import pytest

from components.charts import upload as card
from components.url_state import decode
from data_sources.config import open_cache
from data_sources.store import Store
from data_sources.uploads import UploadError, UploadStore

VALID = b"date,Exchange Reserve\n2021-01-01,2096054392.761613\n2021-01-02,2155391279.466493\n"


def _data_url(raw: bytes) -> str:
    return "data:text/csv;base64," + base64.b64encode(raw).decode()


def test_a_data_url_decodes_and_an_oversized_or_broken_one_is_refused_before_decoding() -> None:
    assert card.decoded(_data_url(VALID)) == VALID
    with pytest.raises(UploadError, match=rf"the limit is {card.MAX_UPLOAD_BYTES:,} bytes"):
        card.decoded(_data_url(b"x" * (card.MAX_UPLOAD_BYTES + 3)))
    # Megabytes round the same here (0.8 and 0.8): the refusal shows the sizes in KB.
    with pytest.raises(UploadError, match=r"the file is 780.0 KB; the limit is 774.1 KB$"):
        card.decoded(_data_url(b"x" * 780_000))
    with pytest.raises(UploadError, match="not valid base64"):
        card.decoded("data:text/csv;base64,@@@@")
    for contents in (None, 42, "no comma"):
        with pytest.raises(UploadError, match="did not arrive as a file"):
            card.decoded(contents)


def test_accept_stores_a_valid_file_once_and_names_it(tmp_path: Path) -> None:
    uploads = UploadStore(tmp_path)
    pending = {"contents": _data_url(VALID), "filename": "Tether Exchange Reserve.csv"}
    upload_id, message = card.accept(pending, uploads)
    assert upload_id is not None and len(upload_id) == 16
    assert message.startswith("Tether Exchange Reserve: 2 rows from 2021-01-01 to 2021-01-02, columns Exchange")
    # The same data in another layout is the same upload.
    reordered = b"date,Exchange Reserve\n2021-01-02,2155391279.466493\n2021-01-01,2096054392.761613\n"
    assert card.accept({"contents": _data_url(reordered), "filename": "again.csv"}, uploads)[0] == upload_id
    loaded = uploads.load(upload_id)
    assert loaded is not None and loaded.frame["Exchange Reserve"].iloc[0] == 2096054392.761613


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"date,Exchange Reserve\n2021-01-01,=cmd|' /C calc'!A0\n", "is not a number"),
        (b"date,Exchange Reserve\n2021-01-01,1\n2021-01-01,2\n", "1 duplicate dates"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8 text"),
        (b"when,value\nyesterday,1\n", "no date column"),
    ],
)
def test_accept_refuses_hostile_and_malformed_files_with_their_reason(tmp_path: Path, raw: bytes, reason: str) -> None:
    upload_id, message = card.accept({"contents": _data_url(raw), "filename": "evil.csv"}, UploadStore(tmp_path))
    assert upload_id is None
    assert message.startswith("evil: ") and reason in message
    assert list(tmp_path.iterdir()) == []
    assert card.accept("not a dict", UploadStore(tmp_path)) == (None, "the upload did not arrive as a file; try again")


def test_the_status_line_says_none_unknown_or_what_the_upload_holds(tmp_path: Path) -> None:
    uploads = UploadStore(tmp_path)
    upload_id, _ = card.accept({"contents": _data_url(VALID), "filename": "r.csv"}, uploads)
    assert card.described(None, decode("")).startswith("No upload in this view")
    unknown = decode("upload=0123456789abcdef")
    assert card.described(uploads.load(unknown.upload), unknown).startswith(
        "Upload 0123456789abcdef is not on this server"
    )
    known = decode(f"upload={upload_id}")
    assert card.described(uploads.load(known.upload), known) == (
        f"r: Exchange Reserve, 2021-01-01 to 2021-01-02 (id {upload_id})."
    )


def test_the_chart_draws_the_columns_against_the_chosen_series_over_the_uploads_dates(
    snapshot_store: Store, tmp_path: Path
) -> None:
    uploads = UploadStore(tmp_path)
    upload_id, _ = card.accept({"contents": _data_url(VALID), "filename": "r.csv"}, uploads)
    assert upload_id is not None
    state = decode(f"upload={upload_id}&vs=rut&scale=log")
    rut = snapshot_store.series("rut")[0]
    assert rut is not None
    figure = card.figure(uploads.load(upload_id), rut, state)
    go.Figure(figure)
    assert [trace["name"] for trace in figure["data"]] == ["Exchange Reserve", "^RUT"]
    assert figure["layout"]["xaxis"]["range"] == ["2021-01-01", "2021-01-02"]
    assert figure["layout"]["yaxis2"]["type"] == "log"
    assert card.figure(None, rut, state)["data"] == []


def test_uploads_live_beside_the_disk_cache(tmp_path: Path) -> None:
    assert card.upload_directory(Store(open_cache(tmp_path))) == tmp_path / "uploads"
