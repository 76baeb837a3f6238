"""What the signal and event-study DataTables share: column definitions and JSON-ready rows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from dash.dash_table.Format import Format

Column = tuple[str, str, str, Format | None]  # id, header, type ("text" | "numeric"), number format or None


def columns(spec: Iterable[Column]) -> list[dict[str, Any]]:
    """DataTable column definitions; a column without a format shows its values as they are."""
    return [
        {"id": key, "name": name, "type": kind, **({"format": fmt} if fmt is not None else {})}
        for key, name, kind, fmt in spec
    ]


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame as DataTable rows, missing values as None (JSON null); the table formats the numbers."""
    rows: list[dict[str, Any]] = frame.replace({np.nan: None}).to_dict("records")  # type: ignore[assignment]
    return rows
