"""How good a verdict is: the judge's probabilities and the baselines' hard verdicts, alike.

Every row of an evaluation table is one predictor on one set of leads:
ROC AUC, PR AUC (average precision), Brier score, log loss (probabilities
only: a hard 0/1 verdict has an infinite log loss the moment it is wrong),
F1, precision, recall and accuracy at the threshold, the confusion matrix,
and the lift of the top decile (the target rate among the 10 % of leads
scored highest, over the overall target rate).  Hard verdicts rank leads in
two blocks only, so their AUC is the balanced accuracy.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    log_loss,
    roc_auc_score,
)

__all__ = ["evaluation_row", "hard_verdict"]


def hard_verdict(values: pd.Series) -> np.ndarray:
    """A verdict column as 1.0 (target), 0.0 (non-target) or NaN (none)."""
    text = values.astype("string")
    out = np.full(len(values), np.nan)
    out[(text == "target").fillna(False).to_numpy(dtype=bool)] = 1.0
    out[(text == "non_target").fillna(False).to_numpy(dtype=bool)] = 0.0
    return out


def _lift_top_decile(y: np.ndarray, score: np.ndarray) -> float:
    n = len(y)
    if n == 0 or y.mean() == 0:
        return float("nan")
    k = max(1, int(np.ceil(0.1 * n)))
    order = np.lexsort((np.arange(n), -score))  # ties in row order: deterministic
    return float(y[order[:k]].mean() / y.mean())


def evaluation_row(
    name: str,
    y: np.ndarray,
    score: np.ndarray,
    *,
    threshold: float = 0.5,
    probabilistic: bool = True,
) -> dict[str, Any]:
    """Metrics of one predictor; rows where it gave no verdict (NaN) are left out.

    Returns
    -------
    dict
        ``predictor``, ``leads`` (evaluated), ``coverage`` (share with a
        verdict), ``roc_auc``, ``pr_auc``, ``brier``, ``log_loss``, ``f1``,
        ``precision``, ``recall``, ``accuracy``, ``tn``, ``fp``, ``fn``, ``tp``,
        ``lift_top_decile``.
    """
    y = np.asarray(y, dtype=float)
    score = np.asarray(score, dtype=float)
    has = ~np.isnan(score) & ~np.isnan(y)
    yy, ss = y[has].astype(int), score[has]
    pred = ss >= threshold
    tp = int(np.sum(pred & (yy == 1)))
    fp = int(np.sum(pred & (yy == 0)))
    fn = int(np.sum(~pred & (yy == 1)))
    tn = int(np.sum(~pred & (yy == 0)))
    both = len(np.unique(yy)) == 2
    row: dict[str, Any] = {
        "predictor": name,
        "leads": int(has.sum()),
        "coverage": float(has.mean()) if len(has) else float("nan"),
        "roc_auc": float(roc_auc_score(yy, ss)) if both else float("nan"),
        "pr_auc": float(average_precision_score(yy, ss)) if both else float("nan"),
        "brier": float(brier_score_loss(yy, np.clip(ss, 0, 1))) if len(yy) else float("nan"),
        "log_loss": float(log_loss(yy, np.clip(ss, 1e-6, 1 - 1e-6), labels=[0, 1]))
        if probabilistic and len(yy)
        else float("nan"),
        "f1": 2 * tp / max(2 * tp + fp + fn, 1),
        "precision": tp / max(tp + fp, 1),
        "recall": tp / max(tp + fn, 1),
        "accuracy": (tp + tn) / max(len(yy), 1),
        "tn": tn,
        "fp": fp,
        "fn": fn,
        "tp": tp,
        "lift_top_decile": _lift_top_decile(yy.astype(float), ss),
    }
    return row
