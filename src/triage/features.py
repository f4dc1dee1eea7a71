"""Derived fields of a lead: contact validity, duplicates, hour, weekday, request length.

One step of the flow (see ``docs/architecture.md``): it reads lead columns
and adds the fields of :data:`triage.schema.DERIVED`.  Two kinds:

* **row fields** (``phone_valid``, ``email_valid``, ``request_length``,
  ``hour``, ``weekday``) depend on the lead alone, so any chunk of leads can be
  derived on its own;
* **window fields** (``is_duplicate``) depend on the other leads.  They are
  computed once over the whole input (:func:`add_window_features`, the
  pipeline's pre-pass), so scoring in chunks gives the same answer as scoring
  the whole file.

A column of the same name already in the leads always wins.

Examples
--------
>>> import pandas as pd
>>> leads = pd.DataFrame({"phone": ["+7 916 123-45-67", "123"],
...                       "created_at": ["2026-05-04 09:40", "2026-05-09T18:05:00"]})
>>> derive_fields(leads, ["phone_valid", "hour", "weekday"])[["phone_valid", "hour", "weekday"]]
   phone_valid  hour  weekday
0         True     9        1
1        False    18        6
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from triage import contact
from triage.errors import TriageWarning
from triage.schema import DERIVED_COLUMNS, WINDOW_COLUMNS

__all__ = [
    "DEFAULT_WINDOW_DAYS",
    "ROW_FIELDS",
    "add_window_features",
    "derivable",
    "derive_fields",
    "parse_created_at",
]

#: Days within which a repeated contact makes a lead a duplicate (charters may override).
DEFAULT_WINDOW_DAYS = 7
#: Derived fields computed from the lead alone.
ROW_FIELDS = [c for c in DERIVED_COLUMNS if c not in WINDOW_COLUMNS]

_SOURCES: dict[str, tuple[str, ...]] = {
    "phone_valid": ("phone",),
    "email_valid": ("email",),
    "request_length": ("request_text",),
    "hour": ("created_at",),
    "weekday": ("created_at",),
    "is_duplicate": ("created_at",),
}
# Formats tried, in order, for created_at values that are not ISO 8601.
_DATE_FORMATS = (
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%d.%m.%y %H:%M",
    "%d.%m.%y",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
)


# A time of day followed by a UTC offset or zone: "2026-05-04 09:40+03:00", "...T06:40:00Z".
_OFFSET = re.compile(
    r"^(?P<local>.*?\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$",
    re.IGNORECASE,
)
# The same, as a pattern the Arrow string kernels run (no flags): a cheap first pass.
_OFFSET_HINT = (
    r"\d:\d\d(?::\d\d(?:[.,]\d+)?)?\s*(?:[Zz]|[Uu][Tt][Cc]|[Gg][Mm][Tt]|[+-]\d\d(?::?\d\d)?)$"
)


def _warn(message: str) -> None:
    warnings.warn(message, TriageWarning, stacklevel=3)


def derivable(name: str, columns: Iterable[str]) -> bool | list[str]:
    """True when derived field ``name`` can be computed from ``columns``, else what is missing."""
    cols = set(columns)
    if name == "is_duplicate":
        missing = [c for c in ("created_at",) if c not in cols]
        if "phone" not in cols and "email" not in cols:
            missing.append("phone or email")
        return missing or True
    missing = [c for c in _SOURCES.get(name, ()) if c not in cols]
    return missing or True


def parse_created_at(values: pd.Series, *, warn: bool = True) -> pd.Series:
    """Parse lead timestamps: ISO 8601 first, then Russian day-first formats.

    Values that parse in no known format become NaT; the rows are kept and,
    with ``warn``, their number is reported in a :class:`TriageWarning`.
    The local clock time is what ``hour`` means, so a UTC offset or zone is
    dropped and the time kept as written: ``2026-05-04 09:40+03:00`` is
    09:40 (in CSV as in Parquet); with ``warn`` that is said once, counted.

    Examples
    --------
    >>> parse_created_at(pd.Series(["2026-05-04 09:40+03:00"]), warn=False).dt.hour.tolist()
    [9]
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        out = values
        if getattr(out.dt, "tz", None) is not None:
            out = out.dt.tz_localize(None)
        return out
    text = values.astype("string").str.strip()
    text = _drop_offsets(text, warn=warn)
    out = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True)
    out = out.dt.tz_convert(None) if out.dt.tz is not None else out
    todo = out.isna() & text.notna()
    for fmt in _DATE_FORMATS:
        if not todo.any():
            break
        parsed = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        out[todo] = parsed
        todo = out.isna() & text.notna()
    bad = int((out.isna() & text.notna() & (text != "")).sum())
    if warn and bad:
        examples = ", ".join(repr(v) for v in text[todo].head(3).tolist())
        _warn(
            f"{bad} lead(s) have a created_at that cannot be read as a date (e.g. {examples}); "
            "they are kept, with hour, weekday and is_duplicate empty"
        )
    return out


def _drop_offsets(text: pd.Series, *, warn: bool) -> pd.Series:
    """Timestamps without their UTC offset, the clock time kept as written."""
    # Arrow's RE2 kernel directly: a vectorised scan (pandas' accessor may loop in Python).
    import pyarrow as pa
    import pyarrow.compute as pc

    found = pc.match_substring_regex(
        pa.array(text, type=pa.large_string(), from_pandas=True), _OFFSET_HINT
    )
    maybe = np.asarray(found.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)
    if not maybe.any():  # the usual case, found by a vectorised search
        return text
    local = text.str.extract(_OFFSET, expand=False).where(maybe)
    has = local.notna()
    if not has.any():
        return text
    if warn:
        example = text[has].iloc[0]
        _warn(
            f"{int(has.sum()):,} created_at value(s) carry a UTC offset or zone (e.g. "
            f"{example!r}); the offset is dropped and the local clock time kept as written "
            f"({local[has].iloc[0]!r}), as hour and weekday mean the lead's local time"
        )
    return text.mask(has, local)


def _duplicates(frame: pd.DataFrame, created: pd.Series, window_days: int) -> pd.Series:
    """``is_duplicate`` over every lead of ``frame`` (leads without a date stay empty)."""
    known = created.notna()
    empty = pd.Series(pd.NA, index=frame.index, dtype="string")
    parts = {
        "phone": frame["phone"] if "phone" in frame.columns else empty,
        "email": frame["email"] if "email" in frame.columns else empty,
        "created_at": created,
    }
    sub = pd.DataFrame(parts, index=frame.index)[known]
    out = pd.Series(pd.NA, index=frame.index, dtype="boolean")
    if len(sub):
        dup = contact.is_duplicate(
            sub, phone="phone", email="email", created_at="created_at", window_days=window_days
        )
        out[known.to_numpy()] = np.asarray(dup, dtype=bool)
    return out


def _field(
    frame: pd.DataFrame, name: str, window_days: int, created: pd.Series | None
) -> pd.Series:
    """One derived field of every lead of ``frame``."""
    if name == "request_length":
        text = frame["request_text"].astype("string").str.strip()
        return text.str.len().fillna(0).astype("int64").astype("Int64")
    if name == "phone_valid":
        return contact.phone_valid(frame["phone"]).astype("boolean")
    if name == "email_valid":
        return contact.email_valid(frame["email"]).astype("boolean")
    assert created is not None
    if name == "hour":
        return created.dt.hour.astype("Int64")
    if name == "weekday":
        return (created.dt.day_of_week + 1).astype("Int64")  # ISO: 1 = Monday ... 7 = Sunday
    if name == "is_duplicate":
        return _duplicates(frame, created, window_days)
    raise KeyError(name)  # pragma: no cover


def derive_fields(
    leads: pd.DataFrame,
    names: Sequence[str] | None = None,
    *,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> pd.DataFrame:
    """The leads with the derived fields ``names`` added (default: every row field).

    Fields already present are kept as they are; fields whose source columns
    are missing are left out with a :class:`TriageWarning`.  ``is_duplicate``
    is computed over the leads given: pass the whole history (or call
    :func:`add_window_features` on it first).

    Returns
    -------
    DataFrame
        A new frame: the input columns unchanged, then the added fields.
    """
    wanted = list(ROW_FIELDS if names is None else names)
    unknown = [n for n in wanted if n not in DERIVED_COLUMNS]
    if unknown:
        raise ValueError(f"not derived fields: {unknown}; derived fields are {DERIVED_COLUMNS}")
    out = leads.copy()
    columns = set(map(str, out.columns))
    created: pd.Series | None = None
    for name in wanted:
        if name in columns:
            continue
        ok = derivable(name, columns)
        if isinstance(ok, list):
            _warn(
                f"derived field {name!r} needs column(s) {', '.join(ok)}; "
                "its criteria are left empty"
            )
            continue
        if created is None and "created_at" in columns and _SOURCES[name] == ("created_at",):
            created = parse_created_at(out["created_at"])
        out[name] = _field(out, name, window_days, created)
    return out


def add_window_features(
    leads: pd.DataFrame, *, window_days: int = DEFAULT_WINDOW_DAYS
) -> pd.DataFrame:
    """The global pre-pass: fields that need every lead (``is_duplicate``), added once.

    Leads without the source columns get no window field (and a warning).
    """
    return derive_fields(leads, WINDOW_COLUMNS, window_days=window_days)
