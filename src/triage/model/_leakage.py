"""The leakage guard: columns that would let the judge cheat.

Three kinds of column never train the judge without an explicit ``--allow``:

* **post-outcome** columns (the schema's ``post_outcome``: verdicts, status,
  lost reason, revenue, manager) are known only after contact: never features;
* **ID-like** columns: unique per row, or monotone with the row order (a
  running lead number follows time, and time follows the outcome's drift);
* **too good to be true**: a column that *alone* predicts the label with an
  out-of-fold ROC AUC of at least :data:`LEAK_AUC`.

Columns triage computes itself (``crit_*``, ``decoded_*`` and the derived
fields) are the charter's own evidence: they are exempt from the AUC test
(that they predict the agreed verdict is the point), and their AUC is still
reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from triage.schema import CRIT_PREFIX, DECODED_PREFIX, DERIVED_COLUMNS

__all__ = ["LEAK_AUC", "Suspect", "find_leaks", "single_column_auc"]

#: A single column predicting the label this well is a leak until a person says otherwise.
LEAK_AUC = 0.9
_MIN_ROWS = 20


@dataclass(frozen=True)
class Suspect:
    """A column the guard flags: why, with the number behind it."""

    column: str
    reason: str
    value: float
    excluded: bool

    def message(self) -> str:
        action = "excluded (give --allow to keep it)" if self.excluded else "kept (--allow)"
        return f"column {self.column!r}: {self.reason}; {action}"


def _computed(column: str) -> bool:
    return column.startswith((CRIT_PREFIX, DECODED_PREFIX)) or column in DERIVED_COLUMNS


def _id_like(series: pd.Series) -> str | None:
    """Why a column looks like an identifier (None when it does not).

    Unique on every row counts for text and whole numbers only: measured
    quantities (seconds on the site, prices) are naturally all different.
    """
    values = series.dropna()
    if len(values) < _MIN_ROWS:
        return None
    numbers = pd.to_numeric(values, errors="coerce")
    whole = bool(numbers.notna().all() and (numbers == numbers.round()).all())
    textual = _is_text(series) and not numbers.notna().all()
    if (textual or whole) and values.nunique() == len(values) and len(values) >= 0.9 * len(series):
        return f"unique on every row ({len(values):,} distinct values)"
    if numbers.notna().all() and numbers.nunique() > len(values) // 2:
        diffs = np.diff(numbers.to_numpy(dtype=float))
        if (diffs >= 0).all() or (diffs <= 0).all():
            return "monotone with the row order"
    return None


def single_column_auc(values: pd.Series, y: np.ndarray, *, seed: int = 0) -> float:
    """Out-of-fold ROC AUC of one column alone (target-encoded per fold), in [0.5, 1].

    Categories (and numbers cut into 20 quantile bins) are replaced by the
    label mean of the other folds, so a column can only score high by
    generalising, not by remembering rows.
    """
    key = _bins(values)
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    score = np.full(len(y), float(y.mean()))
    frame = pd.DataFrame({"key": key.to_numpy(), "y": y})
    for train, test in folds.split(np.zeros(len(y)), y):
        means = frame.iloc[train].groupby("key", dropna=False)["y"].agg(["sum", "count"])
        prior, weight = float(y[train].mean()), 10.0
        smooth = (means["sum"] + prior * weight) / (means["count"] + weight)
        mapped = frame["key"].iloc[test].map(smooth)
        score[test] = mapped.fillna(prior).to_numpy(dtype=float)
    auc = roc_auc_score(y, score) if len(np.unique(y)) == 2 else 0.5
    return float(max(auc, 1.0 - auc))


def _bins(values: pd.Series) -> pd.Series:
    """Categories as they are; numbers (also numbers written as text) in 20 quantile bins."""
    text = values.astype("string").str.strip()
    numbers = pd.to_numeric(text, errors="coerce")
    numeric = bool(numbers.notna().sum() >= _MIN_ROWS and numbers[text.notna()].notna().all())
    if numeric and numbers.nunique() > 20:
        ranks = numbers.rank(method="first")
        return pd.qcut(ranks, 20, labels=False, duplicates="drop").astype("string").fillna("NA")
    return values.astype("string").fillna("NA")


def _is_text(values: pd.Series) -> bool:
    return bool(pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values))


def find_leaks(
    frame: pd.DataFrame,
    y: np.ndarray,
    columns: list[str],
    *,
    allow: set[str] | frozenset[str] = frozenset(),
    seed: int = 0,
) -> tuple[list[Suspect], dict[str, float]]:
    """Check each candidate column; return the suspects and every column's single AUC.

    Parameters
    ----------
    frame : DataFrame
        The labelled leads (training rows only).
    y : array of 0/1
        Their labels.
    columns : list of str
        Candidate input columns.
    allow : set of str
        Columns a person has cleared: flagged but kept.
    """
    suspects: list[Suspect] = []
    aucs: dict[str, float] = {}
    for column in columns:
        series = frame[column]
        if not _computed(column):
            why = _id_like(series)
            if why is not None:
                suspects.append(
                    Suspect(column, f"looks like an ID: {why}", 1.0, column not in allow)
                )
                continue
        auc = single_column_auc(series, y, seed=seed) if len(y) >= _MIN_ROWS else 0.5
        aucs[column] = auc
        if auc >= LEAK_AUC and not _computed(column):
            suspects.append(
                Suspect(
                    column,
                    f"alone predicts the label with out-of-fold ROC AUC {auc:.3f} "
                    f"(>= {LEAK_AUC}); known only after the outcome?",
                    auc,
                    column not in allow,
                )
            )
    return suspects, aucs
