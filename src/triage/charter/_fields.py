"""Fields a charter reads that are not plain lead columns: derived and decoded.

Derived fields (``phone_valid``, ``email_valid``, ``request_length``,
``is_duplicate``, ``hour``, ``weekday``) are computed from the lead columns
before evaluation; a column of the same name already in the leads wins.
``decoded_*`` fields come from the decoder, run on ``request_text`` only when a
charter needs them and the leads lack them.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from triage.charter._model import DERIVED_FIELDS, Charter
from triage.schema import DECODED_COLUMNS

__all__ = [
    "CharterWarning",
    "add_charter_fields",
    "derivable",
    "parse_created_at",
]

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


class CharterWarning(UserWarning):
    """Something about the data a person should know; evaluation went on."""


def _warn(message: str) -> None:
    warnings.warn(message, CharterWarning, stacklevel=3)


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
    with ``warn``, their number is reported in a :class:`CharterWarning`.
    Time zones are dropped (local clock time is what ``hour`` means).
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        out = values
        if getattr(out.dt, "tz", None) is not None:
            out = out.dt.tz_localize(None)
        return out
    text = values.astype("string").str.strip()
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


def _contact() -> Any:
    from triage import contact

    return contact


def _derive(frame: pd.DataFrame, name: str, window_days: int, cache: dict[str, Any]) -> pd.Series:
    if name == "request_length":
        return (
            frame["request_text"].astype("string").str.strip().str.len().fillna(0).astype("int64")
        )
    if name == "phone_valid":
        return _contact().phone_valid(frame["phone"]).astype("boolean")
    if name == "email_valid":
        return _contact().email_valid(frame["email"]).astype("boolean")
    if "created" not in cache:
        cache["created"] = parse_created_at(frame["created_at"])
    created: pd.Series = cache["created"]
    if name == "hour":
        return created.dt.hour.astype("Int64")
    if name == "weekday":
        return (created.dt.day_of_week + 1).astype("Int64")  # ISO: 1 = Monday ... 7 = Sunday
    if name == "is_duplicate":
        known = created.notna()
        parts = {
            "phone": frame["phone"]
            if "phone" in frame.columns
            else pd.Series(pd.NA, index=frame.index, dtype="string"),
            "email": frame["email"]
            if "email" in frame.columns
            else pd.Series(pd.NA, index=frame.index, dtype="string"),
            "created_at": created,
        }
        sub = pd.DataFrame(parts, index=frame.index)[known]
        out = pd.Series(pd.NA, index=frame.index, dtype="boolean")
        if len(sub):
            dup = _contact().is_duplicate(
                sub, phone="phone", email="email", created_at="created_at", window_days=window_days
            )
            out[known.to_numpy()] = np.asarray(dup, dtype=bool)
        return out
    raise KeyError(name)  # pragma: no cover


def _decode(frame: pd.DataFrame, catalog: Any, top_k: int = 5) -> pd.DataFrame | None:
    texts = frame["request_text"].astype("string")
    codes, uniques = pd.factorize(texts, use_na_sentinel=False)
    try:
        from triage.decode import decode_requests

        decoded = decode_requests(list(uniques), catalog=catalog, top_k=top_k)
    except ImportError as exc:
        _warn(
            f"the charter uses decoded_* fields but the decoder is not available ({exc}); "
            "those criteria are left empty"
        )
        return None
    decoded = decoded.reset_index(drop=True)
    out = decoded.iloc[codes].reset_index(drop=True)
    out.index = frame.index
    return out


def add_charter_fields(
    leads: pd.DataFrame,
    charters: Charter | Sequence[Charter],
    *,
    catalog: Any = None,
    decode: bool = True,
    derive: bool = True,
) -> pd.DataFrame:
    """The leads with every derived and decoded field the charters read.

    Parameters
    ----------
    leads : DataFrame
        Leads with the canonical column names (see :func:`triage.leads.load_leads`).
    charters : Charter or sequence of Charter
        The charters to be evaluated; only the fields they read are added.
    catalog : path or DataFrame, optional
        Catalog for the decoder (default: the decoder's own default catalog).
    decode : bool
        Whether to run the decoder on ``request_text`` when ``decoded_*`` fields
        are needed and absent.
    derive : bool
        Whether to compute the derived fields.

    Returns
    -------
    DataFrame
        A new frame: the input columns unchanged, then the added fields.
        Fields that cannot be produced are left out, with a :class:`CharterWarning`.
    """
    if isinstance(charters, Charter):
        charters = [charters]
    needed: dict[str, int] = {}
    for charter in charters:
        for name in charter.fields():
            needed.setdefault(name, charter.settings.duplicate_window_days)
    out = leads.copy()
    cache: dict[str, Any] = {}
    columns = set(map(str, out.columns))
    missing_decoded = [n for n in needed if n.startswith("decoded_") and n not in columns]
    if missing_decoded and decode:
        if "request_text" in columns:
            decoded = _decode(out, catalog)
            if decoded is not None:
                for col in decoded.columns:
                    if col not in columns and (
                        col in DECODED_COLUMNS or col.startswith("decoded_")
                    ):
                        out[col] = decoded[col]
        else:
            _warn(
                f"fields {', '.join(missing_decoded)} need the decoder, but the leads have no "
                "request_text column; those criteria are left empty"
            )
    for name, window in needed.items():
        if not derive:
            break
        if name in columns or name not in DERIVED_FIELDS:
            continue
        ok = derivable(name, columns)
        if isinstance(ok, list):
            _warn(
                f"derived field {name!r} needs column(s) {', '.join(ok)}; "
                "its criteria are left empty"
            )
            continue
        if name in ("phone_valid", "email_valid", "is_duplicate"):
            try:
                _contact()
            except ImportError:
                _warn(f"derived field {name!r} needs triage.contact, which is not available")
                continue
        out[name] = _derive(out, name, window, cache)
    return out
