"""alternative.me's Fear & Greed classes: the one classifier every chart, signal and test uses."""

from __future__ import annotations

import numpy as np
import pandas as pd

# alternative.me's published bands (upper bound inclusive); tests check them against every upstream label.
BANDS: tuple[tuple[int, str], ...] = (
    (25, "Extreme Fear"),
    (46, "Fear"),
    (54, "Neutral"),
    (75, "Greed"),
    (100, "Extreme Greed"),
)
LABELS: tuple[str, ...] = tuple(label for _, label in BANDS)


def codes(values: np.ndarray) -> np.ndarray:
    """Index into LABELS for each value (0 = Extreme Fear ... 4 = Extreme Greed)."""
    uppers = np.array([upper for upper, _ in BANDS[:-1]], dtype="float64")
    return np.searchsorted(uppers, values, side="left")


def classes(values: pd.Series) -> pd.Series:
    """alternative.me's label for each value of a series."""
    labels = np.array(LABELS)[codes(values.to_numpy(dtype="float64"))]
    return pd.Series(labels, index=values.index, name=values.name)
