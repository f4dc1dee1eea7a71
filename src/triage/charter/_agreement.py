"""How far two sets of verdicts are apart: percent agreement and Cohen's kappa.

The analytic confidence interval uses the large-sample standard error of
Fleiss, Cohen & Everitt (1969), which does not assume kappa = 0; the bootstrap
interval resamples leads with a fixed seed (percentile method).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from triage.charter._model import Charter
from triage.errors import UsageError
from triage.labels import normalize_verdicts
from triage.schema import CHARTER_VERDICT

__all__ = [
    "AGREEMENT_GROUPS",
    "KappaResult",
    "agreement_table",
    "cohen_kappa_ci",
]

#: Group names accepted by ``agreement_table(by=...)`` besides any column.
AGREEMENT_GROUPS = ("channel", "campaign", "month", "manager", "region")


@dataclass(frozen=True)
class KappaResult:
    """Cohen's kappa between two raters with its confidence interval."""

    kappa: float
    low: float
    high: float
    se: float
    n: int
    percent_agreement: float
    expected_agreement: float
    method: str
    confidence: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _as_labels(values: Any) -> np.ndarray:
    return np.asarray(pd.Series(values).astype(object).to_numpy())


def cohen_kappa_ci(
    a: Any,
    b: Any,
    *,
    confidence: float = 0.95,
    method: Literal["analytic", "bootstrap"] = "analytic",
    n_boot: int = 2000,
    seed: int = 0,
) -> KappaResult:
    """Cohen's kappa between two sequences of labels, with a confidence interval.

    Pairs where either label is missing are left out.

    Parameters
    ----------
    a, b : array-like
        Labels of the same items by two raters (e.g. marketing and sales verdicts).
    confidence : float
        Coverage of the interval.
    method : {"analytic", "bootstrap"}
        Large-sample standard error (Fleiss, Cohen & Everitt 1969), or a
        percentile bootstrap over items.
    n_boot : int
        Bootstrap resamples.
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    KappaResult
        Kappa, interval (clipped to [-1, 1]), standard error, number of pairs,
        observed and chance agreement.  Kappa is NaN when undefined (no pairs,
        or both raters always give the same single label).

    Examples
    --------
    >>> r = cohen_kappa_ci(["t", "t", "n", "n"], ["t", "n", "n", "n"])
    >>> round(r.kappa, 3), r.n
    (0.5, 4)
    """
    if not 0 < confidence < 1:
        raise UsageError(f"confidence must be between 0 and 1, got {confidence}")
    if method not in ("analytic", "bootstrap"):
        raise UsageError(f"method must be 'analytic' or 'bootstrap', got {method!r}")
    sa, sb = pd.Series(_as_labels(a)), pd.Series(_as_labels(b))
    if len(sa) != len(sb):
        raise UsageError(f"the two raters label {len(sa)} and {len(sb)} items")
    keep = (sa.notna() & sb.notna()).to_numpy()
    sa, sb = sa[keep], sb[keep]
    n = len(sa)
    nan = float("nan")
    if n == 0:
        return KappaResult(nan, nan, nan, nan, 0, nan, nan, method, confidence)
    labels = sorted(set(sa.astype(str)) | set(sb.astype(str)))
    index = {lab: i for i, lab in enumerate(labels)}
    ia = sa.astype(str).map(index).to_numpy(dtype=np.int64)
    ib = sb.astype(str).map(index).to_numpy(dtype=np.int64)
    k = len(labels)
    kappa, po, pe, se = _kappa_se(ia, ib, k)
    z = _z(confidence)
    if method == "analytic":
        low, high = kappa - z * se, kappa + z * se
    else:
        rng = np.random.default_rng(seed)
        stats = np.empty(n_boot)
        for i in range(n_boot):
            pick = rng.integers(0, n, n)
            stats[i] = _kappa_se(ia[pick], ib[pick], k, with_se=False)[0]
        stats = stats[~np.isnan(stats)]
        alpha = (1 - confidence) / 2
        if len(stats):
            low, high = (float(x) for x in np.quantile(stats, [alpha, 1 - alpha]))
            se = float(np.std(stats, ddof=1)) if len(stats) > 1 else nan
        else:
            low = high = se = nan
    if not math.isnan(low):
        low, high = max(-1.0, low), min(1.0, high)
    return KappaResult(
        float(kappa),
        float(low),
        float(high),
        float(se),
        n,
        float(po),
        float(pe),
        method,
        confidence,
    )


def _z(confidence: float) -> float:
    from statistics import NormalDist

    return NormalDist().inv_cdf(0.5 + confidence / 2)


def _kappa_se(
    ia: np.ndarray, ib: np.ndarray, k: int, *, with_se: bool = True
) -> tuple[float, float, float, float]:
    n = len(ia)
    table = np.bincount(ia * k + ib, minlength=k * k).reshape(k, k) / n
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    po = float(np.trace(table))
    pe = float(rows @ cols)
    if pe >= 1.0 - 1e-12:
        return float("nan"), po, pe, float("nan")
    kappa = (po - pe) / (1 - pe)
    if not with_se:
        return kappa, po, pe, float("nan")
    diag = np.diag(table)
    a_term = float(np.sum(diag * (1 - (rows + cols) * (1 - kappa)) ** 2))
    off = table.copy()
    np.fill_diagonal(off, 0.0)
    b_term = (1 - kappa) ** 2 * float(np.sum(off * (cols[:, None] + rows[None, :]) ** 2))
    c_term = (kappa - pe * (1 - kappa)) ** 2
    var = (a_term + b_term - c_term) / (n * (1 - pe) ** 2)
    return kappa, po, pe, math.sqrt(max(var, 0.0))


def _group_key(frame: pd.DataFrame, by: str) -> pd.Series:
    if by == "month":
        if "created_at" not in frame.columns:
            raise UsageError("--by month needs a created_at column in the leads")
        from triage.features import parse_created_at

        created = parse_created_at(frame["created_at"], warn=False)
        return created.dt.strftime("%Y-%m").astype("string").fillna("(no date)")
    if by not in frame.columns:
        raise UsageError(
            f"cannot group by {by!r}: not a column of the leads "
            f"(try one of {', '.join(AGREEMENT_GROUPS)})"
        )
    return frame[by].astype("string").fillna("(empty)")


def _row(m: pd.Series, s: pd.Series, c: pd.Series | None, method: Any, seed: int) -> dict[str, Any]:
    both = m.notna() & s.notna()
    kap = cohen_kappa_ci(m[both], s[both], method=method, seed=seed)
    row: dict[str, Any] = {
        "leads": len(m),
        "marketing_target": int((m == "target").sum()),
        "sales_target": int((s == "target").sum()),
    }
    if c is not None:
        row["charter_target"] = int((c == "target").sum())
    row.update(
        {
            "both_verdicts": int(both.sum()),
            "percent_agreement": 100.0 * kap.percent_agreement if kap.n else float("nan"),
            "kappa": kap.kappa,
            "kappa_low": kap.low,
            "kappa_high": kap.high,
        }
    )
    if c is not None:
        for who, v in (("marketing", m), ("sales", s)):
            has = v.notna()
            row[f"{who}_vs_charter"] = (
                100.0 * float((v[has] == c[has]).mean()) if has.any() else float("nan")
            )
    return row


def agreement_table(
    leads: pd.DataFrame,
    *,
    charter: Charter | None = None,
    by: str | None = None,
    ci: Literal["analytic", "bootstrap"] = "analytic",
    seed: int = 0,
) -> pd.DataFrame:
    """Target-lead counts by marketing, sales and the charter, with their agreement.

    Parameters
    ----------
    leads : DataFrame
        Leads with ``marketing_verdict`` and ``sales_verdict`` (any common
        spelling, see :func:`normalize_verdicts`).  A ``charter_verdict``
        column is used as is when ``charter`` is None.
    charter : Charter, optional
        The agreed charter; evaluated on the leads to count its target leads
        (the leads must carry the fields it reads: decode them first).
    by : str, optional
        ``channel``, ``campaign``, ``month`` (from ``created_at``), ``manager``,
        ``region`` or any other column: one row per group after the overall row.
    ci : {"analytic", "bootstrap"}
        How the 95 % interval of kappa is computed (see :func:`cohen_kappa_ci`).
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    DataFrame
        Columns ``group``, ``leads``, ``marketing_target``, ``sales_target``,
        ``charter_target`` (with a charter), ``both_verdicts`` (leads both
        departments judged), ``percent_agreement`` (0-100), ``kappa``,
        ``kappa_low``, ``kappa_high`` (95 % interval), and with a charter
        ``marketing_vs_charter`` / ``sales_vs_charter`` (percent of each
        department's verdicts the charter agrees with).  The first row,
        ``group == "all"``, is overall.
    """
    from triage.io import require_columns

    source = leads.attrs.get("source", "leads")
    require_columns(leads, ["marketing_verdict", "sales_verdict"], source=source, what="the leads")
    m = normalize_verdicts(leads["marketing_verdict"])
    s = normalize_verdicts(leads["sales_verdict"])
    c: pd.Series | None = None
    if charter is not None:
        from triage.charter._evaluate import evaluate_charter

        c = evaluate_charter(leads, charter)[CHARTER_VERDICT]
    elif CHARTER_VERDICT in leads.columns:
        c = normalize_verdicts(leads[CHARTER_VERDICT])
    rows = [{"group": "all", **_row(m, s, c, ci, seed)}]
    if by is not None:
        key = _group_key(leads, by)
        for name in sorted(key.unique().tolist(), key=str):
            sel = (key == name).to_numpy()
            rows.append(
                {
                    "group": str(name),
                    **_row(m[sel], s[sel], None if c is None else c[sel], ci, seed),
                }
            )
    out = pd.DataFrame(rows)
    out.attrs["by"] = by
    if charter is not None:
        out.attrs["charter"] = charter.label
    return out
