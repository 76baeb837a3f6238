"""The whole view as a value: decoded from and encoded to the URL query string, defaults left out.

Every control is declared once below (view-state field, default, choices or bounds, label, widget); the URL
schema, the validation, the layout's widgets and the URL <-> controls sync all derive from those declarations.
Decoding never raises: an unknown key is ignored and a malformed value falls back to its default.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from dataclasses import field as _field
from typing import Any, Generic, Literal, Protocol, TypeVar
from urllib.parse import parse_qs, urlencode

from components.theme import Theme
from data_sources.analytics import Resolution
from data_sources.analytics.forward import Entry

Preset = Literal["ytd", "1y", "3y", "5y", "max"]
Equity = Literal["rut", "iwm"]
Altcoin = Literal["total2", "total3"]
Provider = Literal["coingecko", "cryptocap", "cmc"]
IwmClose = Literal["iwm", "iwm_unadj"]
Scale = Literal["linear", "log"]
Mode = Literal["raw", "rebase"]
Stable = Literal["usdt_supply", "usdc_supply", "stablecoin_majors", "stablecoin_supply"]
Asset = Literal["btc", "altcoin_mcap"]
Liquidity = Literal["level", "change"]
T = TypeVar("T", bound=str)
EARLIEST = dt.date(1980, 1, 1)
LATEST = dt.date(2100, 1, 1)


class _Named:
    """The widget id and URL key a control derives from its view-state field."""

    field: str
    param: str = ""  # the URL key, when it is not the field name

    @property
    def id(self) -> str:
        return self.field.replace("_", "-")

    @property
    def key(self) -> str:
        return self.param or self.field


@dataclass(frozen=True)
class Choice(_Named, Generic[T]):
    """One of a few values, shown as segmented buttons; `codes` are shorter URL spellings of the values."""

    field: str
    label: str
    options: Mapping[T, str]  # value -> button label, in display order
    default: T
    param: str = ""
    codes: Mapping[T, str] = _field(default_factory=dict)
    help: str = ""

    def valid(self, value: object) -> T | None:
        return value if isinstance(value, str) and value in self.options else None  # type: ignore[return-value]

    def from_url(self, text: str) -> T | None:
        by_code = {code: value for value, code in self.codes.items()}
        return self.valid(by_code.get(text, None if self.codes else text))

    def to_url(self, value: T) -> str:
        return self.codes.get(value, value)


@dataclass(frozen=True)
class Toggles(_Named, Generic[T]):
    """Any non-empty subset of a few values, shown as a checklist; the field holds them in option order."""

    field: str
    label: str
    options: Mapping[T, str]
    default: tuple[T, ...]
    codes: Mapping[T, str]
    help: str = ""

    def valid(self, value: object) -> tuple[T, ...] | None:
        if not isinstance(value, (list, tuple)):
            return None
        return tuple(option for option in self.options if option in value) or None

    def from_url(self, text: str) -> tuple[T, ...] | None:
        chosen = {code.strip() for code in text.split(",")}
        return self.valid([value for value, code in self.codes.items() if code in chosen])

    def to_url(self, value: tuple[T, ...]) -> str:
        return ",".join(self.codes[option] for option in value)


@dataclass(frozen=True)
class Number(_Named):
    """A number within `bounds` (inclusive), an int when the default is one; shown as a number input."""

    field: str
    label: str
    default: float
    bounds: tuple[float, float]
    step: float = 1
    help: str = ""

    def valid(self, value: object) -> float | None:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            return None
        try:
            number = float(value)
            parsed = int(number) if isinstance(self.default, int) else round(number, 2)
        except (ValueError, OverflowError):
            return None
        return parsed if self.bounds[0] <= parsed <= self.bounds[1] else None

    def from_url(self, text: str) -> float | None:
        return self.valid(text)

    def to_url(self, value: float) -> str:
        return str(value)


class Control(Protocol):
    """What every control declaration offers: its field, widget id, URL key, default and validation."""

    @property
    def field(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def default(self) -> object: ...
    @property
    def id(self) -> str: ...
    @property
    def key(self) -> str: ...
    def valid(self, value: object) -> Any: ...
    def from_url(self, text: str) -> Any: ...
    def to_url(self, value: Any) -> str: ...


PRESET: Choice[Preset] = Choice(
    "preset", "Range", {"ytd": "YTD", "1y": "1Y", "3y": "3Y", "5y": "5Y", "max": "Max"}, "5y"
)
EQUITY: Choice[Equity] = Choice("equity", "Small caps", {"rut": "^RUT", "iwm": "IWM"}, "rut")
IWM_CLOSE: Choice[IwmClose] = Choice(
    "iwm_close",
    "IWM closes",
    {"iwm": "Adjusted", "iwm_unadj": "Unadjusted"},
    "iwm",
    param="iwm",
    codes={"iwm": "adjusted", "iwm_unadj": "unadjusted"},
    help="IWM's dividend-adjusted or unadjusted closes, for its line and its breakouts (chart analysts read "
    "all-time highs on unadjusted prices)",
)
ALTCOIN: Choice[Altcoin] = Choice(
    "altcoin", "Altcoins", {"total2": "TOTAL2", "total3": "TOTAL3"}, "total2", param="alt"
)
PROVIDER: Choice[Provider] = Choice(
    "provider",
    "Crypto caps from",
    {"coingecko": "CoinGecko", "cryptocap": "TradingView", "cmc": "CoinMarketCap (live)"},
    "coingecko",
    help="Total and altcoin market caps: CoinGecko's global chart, TradingView's CRYPTOCAP family (from 2017, "
    "embedded) or CoinMarketCap's (keyless and current, live only); each a different coin universe, never spliced",
)
MODE: Choice[Mode] = Choice("mode", "Values", {"raw": "Raw (dual axis)", "rebase": "Rebased to 100"}, "raw")
SCALE: Choice[Scale] = Choice("scale", "Scale", {"linear": "Linear", "log": "Log"}, "linear")
STABLES: Toggles[Stable] = Toggles(
    "stables",
    "Stablecoins",
    {"usdt_supply": "USDT", "usdc_supply": "USDC", "stablecoin_majors": "Majors", "stablecoin_supply": "All (live)"},
    ("usdt_supply", "usdc_supply", "stablecoin_majors"),
    codes={"usdt_supply": "usdt", "usdc_supply": "usdc", "stablecoin_majors": "majors", "stablecoin_supply": "all"},
)
THEME: Choice[Theme] = Choice("theme", "Theme", {"light": "Light", "dark": "Dark"}, "light")
RESOLUTION: Choice[Resolution] = Choice(
    "resolution", "Closes", {"daily": "Daily", "weekly": "Weekly", "monthly": "Monthly"}, "daily"
)
ENTRY: Choice[Entry] = Choice("entry", "Entry", {"signal": "Signal close", "prior": "Prior close"}, "signal")
MIN_AGE = Number("min_age", "High at least (days old)", 90, (5, 3650), help="A prior high must be this many days old")
MIN_DRAWDOWN = Number("min_drawdown", "Drawdown since (%)", 15, (1, 90), help="Minimum fall from the high first")
MARGIN = Number("margin", "Margin (%)", 0.0, (0.0, 20.0), step=0.1, help="Close this far above the high")
PEAK_DAYS = Number(
    "peak_days", "Peak window (days)", 365, (7, 1825), help="Peak return and max drawdown look this far after entry"
)
CORR_WITH: Choice[Asset] = Choice("corr_with", "Correlate", {"btc": "BTC", "altcoin_mcap": "TOTAL2"}, "btc")
LIQUIDITY: Choice[Liquidity] = Choice("liquidity", "Liquidity", {"level": "Level", "change": "13-week change"}, "level")
HORIZON = Number("horizon", "Stablecoin horizon (days)", 30, (7, 365), help="Window for supply vs market growth")

CONTROLS: tuple[Control, ...] = (  # URL order
    PRESET, EQUITY, IWM_CLOSE, ALTCOIN, PROVIDER, SCALE, MODE, STABLES, THEME,
    RESOLUTION, ENTRY, MIN_AGE, MIN_DRAWDOWN, MARGIN, CORR_WITH, HORIZON, PEAK_DAYS, LIQUIDITY,
)  # fmt: skip


@dataclass(frozen=True)
class ViewState:
    """Everything that defines what the analyst sees; `start`/`end` set means a custom (or zoomed) range.
    Defaults come from the control declarations above."""

    preset: Preset = PRESET.default
    start: dt.date | None = None
    end: dt.date | None = None
    equity: Equity = EQUITY.default
    iwm_close: IwmClose = IWM_CLOSE.default
    altcoin: Altcoin = ALTCOIN.default
    provider: Provider = PROVIDER.default
    scale: Scale = SCALE.default
    mode: Mode = MODE.default
    stables: tuple[Stable, ...] = STABLES.default
    theme: Theme = THEME.default
    # Signal analytics: the resolution of closes, the forward-return entry, the breakout detector's parameters
    # (whole days and percent), the asset correlated with small caps, the stablecoin growth horizon and the
    # window (days after entry) in which forward returns look for the peak and the worst drawdown.
    resolution: Resolution = RESOLUTION.default
    entry: Entry = ENTRY.default
    min_age: int = int(MIN_AGE.default)
    min_drawdown: int = int(MIN_DRAWDOWN.default)
    margin: float = MARGIN.default
    corr_with: Asset = CORR_WITH.default
    horizon: int = int(HORIZON.default)
    peak_days: int = int(PEAK_DAYS.default)
    liquidity: Liquidity = LIQUIDITY.default

    @property
    def has_custom_range(self) -> bool:
        return self.start is not None and self.end is not None

    @property
    def equity_series(self) -> str:
        """The small-cap series shown and scanned for breakouts: ^RUT, or IWM with the chosen closes."""
        return self.iwm_close if self.equity == "iwm" else self.equity

    def with_range(self, start: dt.date | None, end: dt.date | None) -> ViewState:
        """This view over [start, end]; an invalid range means 'back to the preset'."""
        if start is None or end is None or not EARLIEST <= start < end <= LATEST:
            return replace(self, start=None, end=None)
        return replace(self, start=start, end=end)


DEFAULT = ViewState()
_BY_FIELD: dict[str, Control] = {control.field: control for control in CONTROLS}
assert set(_BY_FIELD) == {f.name for f in fields(ViewState)} - {"start", "end"}, "a field without a control"


def updated(state: ViewState, changes: Mapping[str, object]) -> ViewState:
    """`state` with the valid `changes` applied; an unknown field or a value outside its options is ignored."""
    valid = {name: _BY_FIELD[name].valid(value) for name, value in changes.items() if name in _BY_FIELD}
    return replace(state, **{name: value for name, value in valid.items() if value is not None})  # type: ignore[arg-type]


def project(state: ViewState, names: Iterable[str]) -> ViewState:
    """The default view with only fields `names` taken from `state`: the part of a view one consumer reads."""
    return replace(DEFAULT, **{name: getattr(state, name) for name in names})


def parse_date(text: object) -> dt.date | None:
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
    changes = {c.field: c.from_url(params[c.key]) for c in CONTROLS if c.key in params}
    return updated(DEFAULT, changes).with_range(*parse_range(params.get("range")))


def encode(state: ViewState) -> str:
    """The query string ('?...', or '' for the default view) that decodes back to `state`."""
    params: dict[str, str] = {}
    if state.has_custom_range:
        params["range"] = f"{state.start}..{state.end}"
    for control in CONTROLS:
        value = getattr(state, control.field)
        if value != control.default:
            params[control.key] = control.to_url(value)
    return "?" + urlencode(params, safe=",.") if params else ""
