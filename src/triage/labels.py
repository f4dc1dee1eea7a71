"""Verdicts: the spellings CRMs use, normalised to ``target`` / ``non_target``.

Later steps (the judge's training set, responsibility) read verdicts only
through :func:`normalize_verdicts`, so every CRM spelling means the same thing
everywhere.
"""

from __future__ import annotations

import pandas as pd

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


def normalize_verdicts(values: pd.Series) -> pd.Series:
    """Map verdict spellings to ``target`` / ``non_target`` (else missing).

    Accepts the canonical words and common CRM spellings in Russian and
    English ("Целевой", "нецелевой", "да", "нет", 1/0, true/false).
    """
    text = values.astype("string").str.strip().str.lower().str.replace("ё", "е", regex=False)
    out = pd.Series(pd.NA, index=values.index, dtype="string")
    out[text.isin(TARGET_WORDS).fillna(False).to_numpy(dtype=bool)] = "target"
    out[text.isin(NON_TARGET_WORDS).fillna(False).to_numpy(dtype=bool)] = "non_target"
    return out
