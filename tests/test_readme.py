"""The README documents what exists: every series in its data table, every command of the CLI."""

from __future__ import annotations

import re
from pathlib import Path

from data_sources.cli import parser
from data_sources.series import SERIES

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_the_data_table_lists_every_series_with_its_definition() -> None:
    rows = {match.group(1): match.group(0) for match in re.finditer(r"^\| `([a-z0-9_]+)` \|.*$", README, re.M)}
    for record in SERIES.values():
        assert record.id in rows, record.id
        assert record.definition in rows[record.id], record.id


def test_every_command_is_documented() -> None:
    commands = next(action for action in parser()._actions if action.dest == "command").choices
    assert isinstance(commands, dict)
    for name in commands:
        assert f"riskon {name}" in README, name
