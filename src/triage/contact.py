"""Contact rules shared by the world generator and the charter engine.

Three definitions of the agreed charter live here so that the ground truth of
the synthetic world and the charter evaluation cannot drift apart:

* a phone is *valid* when its normalised form is 11 digits starting with ``7``;
* an e-mail is *valid* when it matches ``^[^@\\s]+@[^@\\s]+\\.[A-Za-z]{2,}$``;
* a lead is a *duplicate* when an earlier lead (ordered by ``created_at``, ties
  by row order) has the same valid normalised phone or the same lowercased
  valid e-mail and was created at most ``window_days`` days before.

Every function is vectorised over a pandas Series or DataFrame and keeps the
input's index.

Examples
--------
>>> import pandas as pd
>>> normalize_phone(pd.Series(["+7 916 123-45-67", "8(916)1234567", "9161234567"])).tolist()
['79161234567', '79161234567', '79161234567']
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from triage.errors import DataError

__all__ = [
    "EMAIL_PATTERN",
    "duplicate_of",
    "email_valid",
    "is_duplicate",
    "mask_contacts",
    "normalize_phone",
    "phone_valid",
]

#: The e-mail pattern of the agreed charter (matched against the whole value).
EMAIL_PATTERN = r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}"
_EMAIL_RE = re.compile(EMAIL_PATTERN)


def normalize_phone(phones: pd.Series) -> pd.Series:
    """Normalise phone numbers to digits, Russian numbers to ``7XXXXXXXXXX``.

    Only the digits are kept.  Eleven digits starting with ``7`` or ``8``
    become ``"7"`` plus the last ten; ten digits starting with ``9`` (a mobile
    number without the country code) become ``"7"`` plus the ten.  Anything
    else stays as its digits (possibly the empty string); missing values stay
    missing.  The function is idempotent.

    Parameters
    ----------
    phones : Series
        Phone numbers as typed, in any format.

    Returns
    -------
    Series
        String dtype, same index.

    Examples
    --------
    >>> normalize_phone(pd.Series(["8 (495) 123-45-67", "123-45", None])).tolist()
    ['74951234567', '12345', <NA>]
    """
    text = phones.astype("string")
    digits = text.str.replace(r"\D", "", regex=True)
    russian11 = digits.str.fullmatch(r"[78]\d{10}").fillna(False).astype(bool)
    mobile10 = digits.str.fullmatch(r"9\d{9}").fillna(False).astype(bool)
    out = digits.mask(russian11, "7" + digits.str[-10:])
    return out.mask(mobile10, "7" + digits)


def phone_valid(phones: pd.Series) -> pd.Series:
    """True where the normalised phone is 11 digits starting with ``7``."""
    normalised = normalize_phone(phones)
    return normalised.str.fullmatch(r"7\d{10}").fillna(False).astype(bool)


def email_valid(emails: pd.Series) -> pd.Series:
    """True where the whole value matches :data:`EMAIL_PATTERN`.

    The value is not stripped: an address with surrounding spaces is invalid,
    as in the charter.
    """
    text = emails.astype("string")
    return text.str.fullmatch(EMAIL_PATTERN).fillna(False).astype(bool)


def _times(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        raise DataError(f"leads: column {column!r} is missing; it is needed to find duplicates")
    raw = frame[column]
    times = pd.to_datetime(raw, errors="coerce", format="ISO8601")
    retry = times.isna() & raw.notna()
    if retry.any():  # CRM exports also write "03.05.2026 14:22"
        times = times.mask(
            retry, pd.to_datetime(raw[retry], errors="coerce", format="mixed", dayfirst=True)
        )
    bad = times.isna() & frame[column].notna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"leads: row {row + 1}, field {column!r}: cannot read {frame[column].iloc[row]!r} "
            "as a date and time; use ISO format like 2026-05-03T14:22:10"
        )
    return times


def duplicate_of(
    frame: pd.DataFrame,
    *,
    phone: str = "phone",
    email: str = "email",
    created_at: str = "created_at",
    window_days: float = 7,
) -> pd.Series:
    """For each lead, the index label of the earlier lead it duplicates.

    The earlier lead is the most recent one (by ``created_at``, ties by row
    order) that shares the valid normalised phone or the lowercased valid
    e-mail and was created at most ``window_days`` days before.  Leads without
    such a predecessor get a missing value.  A lead with a missing
    ``created_at`` is never a duplicate and never duplicated.

    Returns
    -------
    Series
        Same index as ``frame``; values are index labels of ``frame`` (object dtype).
    """
    n = len(frame)
    result = pd.Series([None] * n, index=frame.index, dtype=object)
    if n == 0:
        return result
    times = _times(frame, created_at)
    keys: list[pd.Series] = []
    if phone in frame.columns:
        norm = normalize_phone(frame[phone])
        keys.append(norm.where(phone_valid(frame[phone]), pd.NA))
    if email in frame.columns:
        low = frame[email].astype("string").str.lower()
        keys.append(low.where(email_valid(frame[email]), pd.NA))
    if not keys:
        raise DataError(
            f"leads: neither {phone!r} nor {email!r} is present; cannot find duplicates"
        )
    window = pd.Timedelta(days=window_days)
    position = np.arange(n)
    best_pos = np.full(n, -1, dtype=np.int64)
    best_time = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    t_values = times.to_numpy(dtype="datetime64[ns]")
    for key in keys:
        work = pd.DataFrame({"key": key.to_numpy(), "t": t_values, "pos": position})
        work = work[work["key"].notna() & work["t"].notna()]
        if work.empty:
            continue
        work = work.sort_values(["key", "t", "pos"], kind="stable")
        same = work["key"].eq(work["key"].shift())
        prev_t = work["t"].shift()
        prev_pos = work["pos"].shift()
        hit = same & ((work["t"] - prev_t) <= window)
        rows = work.loc[hit, "pos"].to_numpy()
        cand_pos = prev_pos[hit].to_numpy(dtype=np.int64)
        cand_t = prev_t[hit].to_numpy(dtype="datetime64[ns]")
        # keep the most recent predecessor (latest time, then later row) over all keys
        better = (
            (best_pos[rows] < 0)
            | (cand_t > best_time[rows])
            | ((cand_t == best_time[rows]) & (cand_pos > best_pos[rows]))
        )
        best_pos[rows[better]] = cand_pos[better]
        best_time[rows[better]] = cand_t[better]
    labels = frame.index.to_numpy()
    found = best_pos >= 0
    values = np.empty(n, dtype=object)
    values[:] = None
    values[found] = labels[best_pos[found]]
    return pd.Series(values, index=frame.index, dtype=object)


def is_duplicate(
    frame: pd.DataFrame,
    *,
    phone: str = "phone",
    email: str = "email",
    created_at: str = "created_at",
    window_days: float = 7,
) -> pd.Series:
    """True for leads that repeat an earlier lead's contact within ``window_days``.

    See :func:`duplicate_of` for the exact rule; this is ``duplicate_of(...).notna()``.

    Examples
    --------
    >>> leads = pd.DataFrame({
    ...     "phone": ["89161234567", "+7 916 123-45-67", "89161234567"],
    ...     "email": [None, None, None],
    ...     "created_at": ["2026-05-01T10:00:00", "2026-05-03T10:00:00", "2026-05-20T10:00:00"],
    ... })
    >>> is_duplicate(leads).tolist()
    [False, True, False]
    """
    found = duplicate_of(
        frame, phone=phone, email=email, created_at=created_at, window_days=window_days
    )
    return found.notna().astype(bool)


_EMAIL_IN_TEXT = re.compile(r"([^\s@]{1,2})[^\s@]*@([^\s@]+\.[^\W\d_]{2,})")
# A Russian phone number inside free text: +7/7/8 and 10 digits, or 9 and 9 digits,
# with the usual separators.  Article numbers ("0 986 494 123") are left alone.
_PHONE_IN_TEXT = re.compile(r"(?<![\d+])(\+7|7|8|9)(?:[\s\-()]*\d){7,8}((?:[\s\-()]*\d){2})(?!\d)")
# Any other international number: "+" and a country code, then 6-13 more digits
# ("+375 29 123-45-67", "+380 67 123 45 67", "+49 30 1234567").
_INTL_PHONE_IN_TEXT = re.compile(
    r"(?<![\w+])(\+\d{1,3})(?:[\s\-()]*\d){4,11}((?:[\s\-()]*\d){2})(?!\d)"
)
# A local number without the area code, written with hyphens: "123-45-67".
_LOCAL_PHONE_IN_TEXT = re.compile(r"(?<![\w\-])\d{3}-\d{2}-(\d{2})(?![\w\-])")
# Messenger handles: "@ivan_petrov", "t.me/ivan_petrov", "wa.me/79161234567", "vk.com/id123".
_LINK_IN_TEXT = re.compile(
    r"(?i)\b((?:https?://)?(?:t\.me|telegram\.me|wa\.me|vk\.com)/)(\w{1,2})\w*"
)
_HANDLE_IN_TEXT = re.compile(r"(?<![\w.@*/])@([A-Za-z]\w)\w{2,}")


def mask_contacts(text: pd.Series) -> pd.Series:
    """Mask phone numbers, e-mail addresses and messenger handles inside free text.

    ``"перезвоните +7 916 123-45-67, ivanov@mail.ru"`` becomes
    ``"перезвоните +7*******67, iv***@mail.ru"``: enough to tell two contacts
    apart in a report, not enough to call them.  Russian and international
    numbers (``+375 29 123-45-67``), local ones (``123-45-67``), Telegram and
    other messenger handles (``@ivan_petrov``, ``t.me/ivan_petrov``) are
    masked; article numbers (``0 986 494 123``, ``HU 612/2x``) and years are not.

    Examples
    --------
    >>> mask_contacts(pd.Series(["тел 89161234567", "a.petrov@yandex.ru"])).tolist()
    ['тел 8*******67', 'a.***@yandex.ru']
    >>> mask_contacts(pd.Series(["+375 29 123-45-67, 123-45-67, @ivan_petrov"])).tolist()
    ['+375*******67, ***-**-67, @iv***']
    """

    def _phone(m: re.Match[str]) -> str:
        tail = re.sub(r"\D", "", m.group(2))[-2:]
        return f"{m.group(1)}*******{tail}"

    out = text.astype("string")
    out = out.str.replace(_EMAIL_IN_TEXT, lambda m: f"{m.group(1)}***@{m.group(2)}", regex=True)
    out = out.str.replace(_LINK_IN_TEXT, lambda m: f"{m.group(1)}{m.group(2)}***", regex=True)
    out = out.str.replace(_HANDLE_IN_TEXT, lambda m: f"@{m.group(1)}***", regex=True)
    out = out.str.replace(_PHONE_IN_TEXT, _phone, regex=True)
    out = out.str.replace(_INTL_PHONE_IN_TEXT, _phone, regex=True)
    return out.str.replace(_LOCAL_PHONE_IN_TEXT, lambda m: f"***-**-{m.group(1)}", regex=True)
