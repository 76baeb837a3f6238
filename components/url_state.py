"""The whole view as a value: decoded from and encoded to the URL query string, defaults left out.

Decoding never raises: an unknown key is ignored and a malformed value falls back to its default.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from typing import Literal, get_args
from urllib.parse import parse_qs, urlencode

Preset = Literal["ytd", "1y", "3y", "5y", "max"]
Equity = Literal["rut", "iwm"]
Altcoin = Literal["altcoin_mcap", "altcoin_ex_eth_mcap"]
Scale = Literal["linear", "log"]
Mode = Literal["raw", "rebase"]
Theme = Literal["light", "dark"]
Stable = Literal["usdt_supply", "usdc_supply", "stablecoin_supply"]
Resolution = Literal["daily", "weekly", "monthly"]
Entry = Literal["signal", "prior"]
Asset = Literal["btc", "altcoin_mcap"]

PRESETS: tuple[Preset, ...] = get_args(Preset)
STABLES: tuple[Stable, ...] = get_args(Stable)
# Short URL spellings of the stablecoin toggles.
_STABLE_CODES = {"usdt_supply": "usdt", "usdc_supply": "usdc", "stablecoin_supply": "total"}
_ALT_CODES = {"altcoin_mcap": "total2", "altcoin_ex_eth_mcap": "total3"}
EARLIEST = dt.date(1980, 1, 1)
LATEST = dt.date(2100, 1, 1)


@dataclass(frozen=True)
class ViewState:
    """Everything that defines what the analyst sees; `start`/`end` set means a custom (or zoomed) range."""

    preset: Preset = "5y"
    start: dt.date | None = None
    end: dt.date | None = None
    equity: Equity = "rut"
    altcoin: Altcoin = "altcoin_mcap"
    scale: Scale = "linear"
    mode: Mode = "raw"
    stables: tuple[Stable, ...] = STABLES
    theme: Theme = "light"
    # Signal analytics: the resolution of closes, the forward-return entry, the breakout detector's parameters
    # (whole days and percent), the asset correlated with small caps, the stablecoin growth horizon and the
    # window (days after entry) in which forward returns look for the peak and the worst drawdown.
    resolution: Resolution = "daily"
    entry: Entry = "signal"
    min_age: int = 90
    min_drawdown: int = 15
    margin: float = 0.0
    corr_with: Asset = "btc"
    horizon: int = 30
    peak_days: int = 365

    @property
    def has_custom_range(self) -> bool:
        return self.start is not None and self.end is not None

    def with_range(self, start: dt.date | None, end: dt.date | None) -> ViewState:
        """This view over [start, end]; an invalid range means 'back to the preset'."""
        if start is None or end is None or not EARLIEST <= start < end <= LATEST:
            return replace(self, start=None, end=None)
        return replace(self, start=start, end=end)


DEFAULT = ViewState()

# The allowed values of each single-choice field.
CHOICES: dict[str, tuple[str, ...]] = {
    "preset": PRESETS,
    "equity": get_args(Equity),
    "altcoin": get_args(Altcoin),
    "scale": get_args(Scale),
    "mode": get_args(Mode),
    "theme": get_args(Theme),
    "resolution": get_args(Resolution),
    "entry": get_args(Entry),
    "corr_with": get_args(Asset),
}
# The allowed range (inclusive) of each numeric field.
BOUNDS: dict[str, tuple[float, float]] = {
    "min_age": (5, 3650),
    "min_drawdown": (1, 90),
    "margin": (0.0, 20.0),
    "horizon": (7, 365),
    "peak_days": (7, 1825),
}


def _number(name: str, value: object) -> int | float | None:
    """`value` as the type of field `name` if it lies within BOUNDS, else None."""
    low, high = BOUNDS[name]
    kind = type(getattr(DEFAULT, name))
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = kind(float(value)) if kind is int else round(float(value), 2)
    except (ValueError, OverflowError):
        return None
    return number if low <= number <= high and float(value) == float(value) else None


def updated(state: ViewState, changes: dict[str, object]) -> ViewState:
    """`state` with the valid `changes` applied; an unknown field or a value outside its options is ignored."""
    valid: dict[str, object] = {
        name: value for name, value in changes.items() if name in CHOICES and value in CHOICES[name]
    }
    numbers = {name: _number(name, value) for name, value in changes.items() if name in BOUNDS}
    valid |= {name: number for name, number in numbers.items() if number is not None}
    chosen = changes.get("stables")
    if isinstance(chosen, (list, tuple)):
        valid["stables"] = tuple(stable for stable in STABLES if stable in chosen) or state.stables
    return replace(state, **valid)  # type: ignore[arg-type]


def parse_date(text: str | None) -> dt.date | None:
    """'YYYY-MM-DD...' -> date; anything else -> None."""
    if not isinstance(text, str):
        return None
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def parse_range(text: str | None) -> tuple[dt.date | None, dt.date | None]:
    """'YYYY-MM-DD..YYYY-MM-DD' -> dates; anything else -> (None, None)."""
    if not text or ".." not in text:
        return None, None
    left, _, right = text.partition("..")
    return parse_date(left), parse_date(right)


def decode(search: object) -> ViewState:
    """The view a query string describes ('?a=b&...' or 'a=b&...'); never raises, whatever it is given."""
    if not isinstance(search, str):
        return DEFAULT
    try:
        params = {key: values[-1] for key, values in parse_qs(search.lstrip("?")).items()}
    except ValueError:
        return DEFAULT
    changes: dict[str, object] = {name: params[name] for name in (*CHOICES, *BOUNDS) if name in params}
    alt_by_code = {code: series for series, code in _ALT_CODES.items()}
    if "alt" in params:
        changes["altcoin"] = alt_by_code.get(params["alt"])
    if "stables" in params:
        codes = {code.strip() for code in params["stables"].split(",")}
        changes["stables"] = [stable for stable, code in _STABLE_CODES.items() if code in codes]
    return updated(DEFAULT, changes).with_range(*parse_range(params.get("range")))


def encode(state: ViewState) -> str:
    """The query string ('?...', or '' for the default view) that decodes back to `state`."""
    params: dict[str, str] = {}
    if state.has_custom_range:
        params["range"] = f"{state.start}..{state.end}"
    for field in fields(ViewState):
        if field.name in ("start", "end"):
            continue
        value = getattr(state, field.name)
        if value == getattr(DEFAULT, field.name):
            continue
        if field.name == "stables":
            params["stables"] = ",".join(_STABLE_CODES[stable] for stable in value)
        elif field.name == "altcoin":
            params["alt"] = _ALT_CODES[value]
        else:
            params[field.name] = str(value)
    return "?" + urlencode(params, safe=",.") if params else ""
