"""What CMIS holds, made safe before anything else sees it (pure, no I/O).

Codes must be plain codes that fit the store (a bad one is a data error of its station, named
with the customer and the column). Text loses its control and bidi-override characters and is
cut to a per-field limit; both are flagged on the customer (columns TEXT_FLAG_COLUMNS, read by
the rules TEXT_TOO_LONG / TEXT_CONTROL_CHARS), so nothing is changed silently."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cmis_migrate.codes import CUSTOMER, LEDGER, METERING_POINT, STATION, UNIT, CodeKind
from cmis_migrate.errors import SourceDataError

if TYPE_CHECKING:
    from cmis_migrate.config import RulesConfig

CODE_COLUMNS = {
    "customer_code": CUSTOMER,
    "branch": UNIT,
    "station": STATION,
    "ledger": LEDGER,
    "metering_point": METERING_POINT,
}
CMIS_NAMES = {
    "customer_code": "MA_KHANG",
    "branch": "MA_DVIQLY",
    "station": "MA_TRAM",
    "ledger": "MA_SOGCS",
    "metering_point": "MA_DDO",
    "meter_no": "SO_CTO",
    "full_name": "TEN_KHANG",
    "address": "DIA_CHI",
    "supply_address": "DIA_CHI_SDD",
    "phone": "DTHOAI",
    "email": "EMAIL",
    "id_number": "SO_CMND",
    "id_issue_date": "NGAY_CAP",
    "id_issue_place": "NOI_CAP",
    "birth_date": "NGAY_SINH",
    "contract_no": "SO_HDONG",
    "contract_date": "NGAY_HDONG",
}
TEXT_COLUMNS = tuple(c for c in CMIS_NAMES if c not in CODE_COLUMNS)
TOO_LONG, CONTROLS = "text_too_long", "text_controls"
TEXT_FLAG_COLUMNS = (TOO_LONG, CONTROLS)
# C0 but tab/LF/CR (plain dirt the transforms turn into spaces), DEL, C1, bidi overrides
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_CONTROL_RE2 = (
    "["
    + _CONTROL.replace("\u202a-\u202e", r"\x{202a}-\x{202e}").replace(
        "\u2066-\u2069", r"\x{2066}-\x{2069}"
    )
    + "]"
)
_CONTROL_RE = re.compile(f"[{_CONTROL}]+")
_CONTROL_SEARCH = re.compile(f"[{_CONTROL}]")
_BIDI_RE = re.compile("[\u202a-\u202e\u2066-\u2069]")


# up to this many rows a frame is checked value by value in Python: a ledger read in part
# holds a few customers, and an Arrow pass per column (converting, compiling its regex) cost
# ~5 ms a station, ~3,000 stations on an incremental night
SMALL_FRAME = 64


def _is_text(value: object) -> bool:
    """What Arrow takes as a value, not a null (None, NaN, NA and NaT are nulls)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return False
    return value == value if isinstance(value, float) else True


def _bad_codes(values: pd.Series, kind: CodeKind) -> list[int]:
    """Positions of the values that are not a whole code of `kind` (a null is not)."""
    if len(values) > SMALL_FRAME:
        arr = _as_arrow(values)
        fits = pc.and_(
            pc.match_substring_regex(arr, f"^(?:{kind.pattern.pattern})$"),
            pc.less_equal(pc.utf8_length(arr), kind.width),
        )
        return (~pc.fill_null(fits, False).to_numpy(zero_copy_only=False)).nonzero()[0].tolist()
    bad = []
    for i, v in enumerate(values.tolist()):
        if not _is_text(v):
            bad.append(i)
            continue
        text = v if isinstance(v, str) else str(v)
        if len(text) > kind.width or kind.pattern.fullmatch(text) is None:
            bad.append(i)
    return bad


def check_codes(raw: pd.DataFrame) -> None:
    """SourceDataError naming the first customer whose codes the store cannot take."""
    for column, kind in CODE_COLUMNS.items():
        if column not in raw or not len(raw):
            continue
        bad = _bad_codes(raw[column], kind)
        if bad:
            i = int(bad[0])
            code, problem = raw["customer_code"].iloc[i], kind.problem(raw[column].iloc[i])
            who = "" if column == "customer_code" else f"khách hàng {ascii(code)[:30]}: "
            raise SourceDataError(who + (problem or "mã không hợp lệ"))


def bound_households(raw: pd.DataFrame, *, max_households: int) -> pd.DataFrame:
    """SO_HO outside 1..max_households becomes unknown (NA): the rule HOUSEHOLDS_INVALID then
    blocks the customer; no count is ever guessed."""
    if "households" not in raw:
        return raw
    if raw["households"].dtype == "Int64":  # as CMIS reads give it: whole numbers or NA
        counts = raw["households"]
        ok = ((counts >= 1) & (counts <= max_households)).fillna(False).astype(bool)
        out = raw.copy()
        out["households"] = counts.where(ok)
        return out
    n = pd.to_numeric(raw["households"], errors="coerce").astype("Float64")
    ok = n.notna() & (n == n.round()) & (n >= 1) & (n <= max_households)
    out = raw.copy()
    out["households"] = n.where(ok.fillna(False).astype(bool)).round().astype("Int64")
    return out


def bounded(raw: pd.DataFrame, rules: RulesConfig) -> pd.DataFrame:
    """What every read of CMIS rows does before anything else: text cleaned and cut to the
    rules' limits (bound_text), households outside 1..rules.max_households unknown."""
    return bounded_by(raw, bounds_of(rules))


def bounds_of(rules: RulesConfig) -> tuple:
    """The rules' limits that `bounded` applies, as a hashable key."""
    return rules.max_text_chars, tuple(sorted(rules.text_limits.items())), rules.max_households


def bounded_by(raw: pd.DataFrame, bounds: tuple) -> pd.DataFrame:
    max_chars, limits, max_households = bounds
    raw = bound_text(raw, max_chars=max_chars, limits=dict(limits))
    return bound_households(raw, max_households=max_households)


def clean_control(text: str) -> str:
    """Bidi overrides removed, other control characters -> one space."""
    return _CONTROL_RE.sub(" ", _BIDI_RE.sub("", text))


def _as_arrow(values: pd.Series) -> pa.Array:
    try:
        return pa.array(values, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array(
            [v if v is None or isinstance(v, str) else str(v) for v in values],
            type=pa.large_string(),
            from_pandas=True,
        )


def bound_text(
    raw: pd.DataFrame, *, max_chars: int, limits: Mapping[str, int] | None = None
) -> pd.DataFrame:
    """A copy of `raw` with control characters removed and text cut to its limit (`limits`
    per raw column, else `max_chars`), and the two flag columns: the CMIS names of the fields
    cut / cleaned per customer, ', '-joined (None when none)."""
    limits = limits or {}
    out = raw.copy()
    too_long: dict[int, list[str]] = {}  # row position -> CMIS names of the fields cut
    controls: dict[int, list[str]] = {}
    for column in TEXT_COLUMNS:
        if column not in raw or not len(raw):
            continue
        limit = int(limits.get(column, max_chars))
        hits = _text_hits(raw[column], limit)
        if hits is None:
            continue
        hit, ctrl_np = hits
        values = out[column].to_numpy(dtype=object, copy=True)
        for i in hit:
            text = values[i]
            if ctrl_np[i]:
                text = clean_control(text)
                controls.setdefault(i, []).append(CMIS_NAMES[column])
            if len(text) > limit:
                text = text[:limit]
                too_long.setdefault(i, []).append(CMIS_NAMES[column])
            values[i] = text
        out[column] = pd.Series(values, index=raw.index, dtype=object)
    for column, names in ((TOO_LONG, too_long), (CONTROLS, controls)):
        joined = [", ".join(names[i]) if i in names else None for i in range(len(raw))]
        out[column] = pd.Series(joined, index=raw.index, dtype=object)
    return out


def _text_hits(values: pd.Series, limit: int) -> tuple[list[int], Sequence[bool]] | None:
    """The positions of the values with a control character or over `limit` characters, and
    per position whether it has a control character; None when no value has either."""
    if len(values) > SMALL_FRAME:
        arr = _as_arrow(values)
        ctrl = pc.fill_null(pc.match_substring_regex(arr, _CONTROL_RE2), False)
        long = pc.fill_null(pc.greater(pc.utf8_length(arr), limit), False)
        hit = pc.or_(ctrl, long).to_numpy(zero_copy_only=False)
        if not hit.any():
            return None
        return hit.nonzero()[0].tolist(), ctrl.to_numpy(zero_copy_only=False)
    hit: list[int] = []
    ctrl_at = [False] * len(values)
    for i, v in enumerate(values.tolist()):
        if not _is_text(v):
            continue
        text = v if isinstance(v, str) else str(v)
        has_ctrl = _CONTROL_SEARCH.search(text) is not None
        if has_ctrl or len(text) > limit:
            hit.append(i)
            ctrl_at[i] = has_ctrl
    return (hit, ctrl_at) if hit else None
