"""The page as the server sends it: the date picker, the tables and the upload's drop box are not in it (their code
loads when they are built), and each is built with the pattern id its callbacks read."""

from __future__ import annotations

from typing import Any

from dash import dcc
from dash.dash_table.DataTable import DataTable

from components import ids
from components.layout import PARTS, page
from components.url_state import decode


def _components(node: Any) -> list[Any]:
    """Every component in a layout tree."""
    children = getattr(node, "children", None)
    nested = children if isinstance(children, list | tuple) else [children] if children is not None else []
    return [node, *(found for child in nested if hasattr(child, "to_plotly_json") for found in _components(child))]


def test_the_page_holds_no_picker_table_or_drop_box_only_their_places() -> None:
    found = _components(page())
    assert not [c for c in found if isinstance(c, dcc.DatePickerRange | DataTable | dcc.Upload)]
    places = {c.id["index"] for c in found if isinstance(getattr(c, "id", None), dict) and c.id["type"] == ids.LAZY}
    assert places == set(PARTS)


def test_each_part_is_built_with_the_id_its_callbacks_read() -> None:
    view = decode("?range=2020-10-01..2021-06-30")
    built = {part: build(view) for part, build in PARTS.items()}
    assert {part: component.id for part, component in built.items()} == {part: ids.indexed(part) for part in PARTS}
    picker = built[ids.DATES].to_plotly_json()
    assert picker["type"] == "DatePickerRange"
    assert (picker["props"]["start_date"], picker["props"]["end_date"]) == ("2020-10-01", "2021-06-30")  # the URL's
    assert isinstance(built[ids.SIGNAL_TABLE], DataTable) and isinstance(built[ids.STUDY_TABLE], DataTable)
    assert isinstance(built[ids.UPLOAD_INPUT], dcc.Upload)
    empty = PARTS[ids.DATES](decode("")).to_plotly_json()["props"]
    assert (empty.get("start_date"), empty.get("end_date")) == (None, None)  # a preset: the picker's placeholders
