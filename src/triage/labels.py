"""Verdicts: the spellings CRMs use, normalised to ``target`` / ``non_target``.

Later steps (the judge's training set, responsibility) read verdicts only
through :func:`normalize_verdicts`, so every CRM spelling means the same thing
everywhere.  Words it does not know count as "not judged" and are counted in
a warning with the commonest ones, so a CRM's own wording ("Целевой лид",
"Квалифицирован") is never lost silently: map it with ``mapping``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import pandas as pd

from triage.errors import TriageWarning, UsageError

__all__ = ["NON_TARGET_WORDS", "TARGET_WORDS", "normalize_verdicts"]

TARGET_WORDS = {
    "target",
    "targeted",
    "t",
    "1",
    "1.0",
    "true",
    "yes",
    "y",
    "да",
    "целевой",
    "целевая",
    "целевое",
    "цел",
    "цел.",
    "ц",
}
NON_TARGET_WORDS = {
    "non_target",
    "non-target",
    "nontarget",
    "not_target",
    "not target",
    "non target",
    "0",
    "0.0",
    "false",
    "no",
    "n",
    "нет",
    "f",
    "нецелевой",
    "нецелевая",
    "нецелевое",
    "не целевой",
    "не целевая",
    "нецел",
    "нецел.",
    "н",
}


#: Unknown verdict words listed in the warning.
_SHOWN = 5


def _key(values: pd.Series) -> pd.Series:
    """The form verdict words are compared in: stripped, lower case, ё as е."""
    return values.astype("string").str.strip().str.lower().str.replace("ё", "е", regex=False)


def normalize_verdicts(
    values: pd.Series, mapping: Mapping[str, str] | None = None, *, warn: bool = True
) -> pd.Series:
    """Map verdict spellings to ``target`` / ``non_target`` (else missing).

    Accepts the canonical words and common CRM spellings in Russian and
    English ("Целевой", "нецелевой", "да", "нет", 1/0, true/false).

    Parameters
    ----------
    values : Series
        Verdicts as the CRM wrote them.
    mapping : mapping of str to str, optional
        More words, ``{word: "target" | "non_target"}`` (compared like the
        known words: case, surrounding spaces and ё/е do not matter); they win
        over the known words.
    warn : bool
        Warn about non-empty words that are neither known nor mapped, with
        their counts.

    Returns
    -------
    Series
        ``target``, ``non_target`` or missing, same index.

    Raises
    ------
    UsageError
        A mapping value is not ``target`` or ``non_target``.

    Examples
    --------
    >>> words = pd.Series(["Целевой", "нет", "Целевой лид", None])
    >>> normalize_verdicts(words, {"целевой лид": "target"}).tolist()
    ['target', 'non_target', 'target', <NA>]
    """
    text = _key(values)
    target, non_target = set(TARGET_WORDS), set(NON_TARGET_WORDS)
    for word, verdict in (mapping or {}).items():
        if verdict not in ("target", "non_target"):
            raise UsageError(
                f"verdict word {word!r} maps to {verdict!r}; map it to target or non_target"
            )
        key = str(_key(pd.Series([word])).iloc[0])
        (target if verdict == "target" else non_target).add(key)
        (non_target if verdict == "target" else target).discard(key)
    out = pd.Series(pd.NA, index=values.index, dtype="string")
    out[text.isin(target).fillna(False).to_numpy(dtype=bool)] = "target"
    out[text.isin(non_target).fillna(False).to_numpy(dtype=bool)] = "non_target"
    if warn:
        _warn_unknown(values, out, text)
    return out


def _warn_unknown(values: pd.Series, out: pd.Series, text: pd.Series) -> None:
    """Count the written words that became missing, commonest first."""
    unknown = out.isna() & text.notna() & (text != "")
    if not unknown.any():
        return
    counts = values[unknown.to_numpy(dtype=bool)].astype("string").str.strip().value_counts()
    counts = counts.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
    shown = ", ".join(f"{word!r} ({n:,})" for word, n in counts.head(_SHOWN).items())
    more = f" and {len(counts) - _SHOWN:,} more" if len(counts) > _SHOWN else ""
    name = values.name if values.name is not None else "verdicts"
    warnings.warn(
        f"{name}: {int(unknown.sum()):,} of {len(values):,} verdict(s) are words triage does not "
        f"know and count as not judged: {shown}{more}; map each word to target or non_target "
        "(the lead mapping's verdicts: section)",
        TriageWarning,
        stacklevel=3,
    )
