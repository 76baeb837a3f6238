"""The whole view as a value: decoded from and encoded to the URL query string, defaults left out.

Every control is declared once below (view-state field, default, choices or bounds, label, widget); the URL
schema, the validation, the layout's widgets and the URL <-> controls sync all derive from those declarations.
Decoding never raises: an unknown key is ignored and a malformed value falls back to its default.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from dataclasses import field as _field
from typing import Any, Generic, Literal, Protocol, TypeVar
from urllib.parse import parse_qs, urlencode

from components.theme import Theme
from data_sources.analytics import Placebo, Resolution
from data_sources.analytics.forward import Entry
from data_sources.series import SERIES

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
StudySignal = Literal[
    "rut", "iwm", "iwm_unadj", "extreme_fear", "extreme_greed", "stables", "liquidity", "upload_high"
]  # fmt: skip
StudyAsset = Literal[
    "btc", "altcoin_mcap", "altcoin_ex_eth_mcap", "cryptocap_total", "cryptocap_total2", "cryptocap_total3",
    "others_mcap", "rut", "upload",
]  # fmt: skip
UploadVs = Literal["btc", "rut", "iwm", "total_mcap", "stablecoin_majors", "usdt_supply", "usdc_supply"]
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


@dataclass(frozen=True)
class Token:
    """An identifier matching `pattern` (e.g. an upload's content id), or '' for none; shown as a text box."""

    field: str
    label: str
    pattern: str
    default: str = ""
    help: str = ""

    @property
    def id(self) -> str:
        return self.field.replace("_", "-")

    @property
    def key(self) -> str:
        return self.field

    def valid(self, value: object) -> str | None:
        if not isinstance(value, str):
            return None
        value = value.strip()
        return value if value == "" or re.fullmatch(self.pattern, value) else None

    def from_url(self, text: str) -> str | None:
        return self.valid(text)

    def to_url(self, value: str) -> str:
        return value


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
# The event study: which signal's dates, which asset after them, how many days of paths, and the placebo that
# headlines the table (the other's p-value is shown beside it).
STUDY_SIGNAL: Choice[StudySignal] = Choice(
    "study_signal",
    "Signal",
    {"rut": "^RUT breakout", "iwm": "IWM breakout", "iwm_unadj": "IWM (unadj.) breakout",
     "extreme_fear": "F&G into extreme fear", "extreme_greed": "F&G into extreme greed",
     "stables": "Stablecoins up, market down", "liquidity": "Net liquidity turns up",
     "upload_high": "Upload at N-day high"},
    "rut",
    param="signal",
    help="Breakouts use the detector settings of the signal table; 'stablecoins up, market down' its horizon",
)  # fmt: skip
_STUDY_ASSETS: dict[StudyAsset, str] = {
    "btc": "BTC", "altcoin_mcap": "TOTAL2", "altcoin_ex_eth_mcap": "TOTAL3", "cryptocap_total": "CRYPTOCAP",
    "cryptocap_total2": "CRYPTOCAP TOTAL2", "cryptocap_total3": "CRYPTOCAP TOTAL3", "others_mcap": "OTHERS",
    "rut": "^RUT", "upload": "Upload",
}  # fmt: skip
STUDY_ASSET: Choice[StudyAsset] = Choice(
    "study_asset",
    "Asset",
    # OTHERS only once its series is recorded (issue 10); the upload's chosen column is always offered.
    {asset: text for asset, text in _STUDY_ASSETS.items() if asset in SERIES or asset == "upload"},
    "btc",
    param="asset",
)
STUDY_DAYS = Number("study_days", "Paths (days)", 365, (30, 730), help="How many days after entry the chart follows")
PLACEBO: Choice[Placebo] = Choice(
    "placebo",
    "Placebo",
    {"shifted": "Shifted events", "spaced": "Spaced random days"},
    "shifted",
    help="Shifted moves all event days by one random offset (keeps clusters); spaced draws random days no closer "
    "than the closest two events",
)
UPLOAD = Token("upload", "Upload id", r"[0-9a-f]{16}", help="The content id of an uploaded CSV on this server")
UPLOAD_COLUMN = Number("upload_column", "Column", 1, (1, 8), help="Which value column of the upload to use")
UPLOAD_VS: Choice[UploadVs] = Choice(
    "upload_vs",
    "Against",
    {"btc": "BTC", "rut": "^RUT", "iwm": "IWM", "total_mcap": "Total cap", "stablecoin_majors": "Stablecoins",
     "usdt_supply": "USDT", "usdc_supply": "USDC"},
    "btc",
    param="vs",
)  # fmt: skip
UPLOAD_DAYS = Number("upload_days", "N-day high", 90, (5, 1000), help="Upload signal: a close above the N days before")

CONTROLS: tuple[Control, ...] = (  # URL order
    PRESET, EQUITY, IWM_CLOSE, ALTCOIN, PROVIDER, SCALE, MODE, STABLES, THEME,
    RESOLUTION, ENTRY, MIN_AGE, MIN_DRAWDOWN, MARGIN, CORR_WITH, HORIZON, PEAK_DAYS, LIQUIDITY,
    STUDY_SIGNAL, STUDY_ASSET, STUDY_DAYS, PLACEBO, UPLOAD, UPLOAD_COLUMN, UPLOAD_VS, UPLOAD_DAYS,
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
    # The event study and an uploaded series (see the declarations above).
    study_signal: StudySignal = STUDY_SIGNAL.default
    study_asset: StudyAsset = STUDY_ASSET.default
    study_days: int = int(STUDY_DAYS.default)
    placebo: Placebo = PLACEBO.default
    upload: str = UPLOAD.default
    upload_column: int = int(UPLOAD_COLUMN.default)
    upload_vs: UploadVs = UPLOAD_VS.default
    upload_days: int = int(UPLOAD_DAYS.default)

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


@functools.lru_cache(maxsize=1024)
def project(state: ViewState, names: tuple[str, ...]) -> ViewState:
    """The default view with only fields `names` taken from `state`: the part of a view one consumer reads.
    Cached: each view callback projects the view a dozen times (each chart, table and study)."""
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
