"""Training the judge: labels from agreed leads, a time-ordered split, two estimators, evidence.

The steps, each a function of its own:

1. :func:`training_labels` -- the agreed verdict per lead (both departments
   said the same, or the owner adjudicated; or the schema's label column);
2. :func:`split` -- the most recent 20 % by ``created_at`` is the test set
   (stratified random when there are no dates);
3. :func:`choose_estimator` -- gradient boosting against logistic
   regression, by out-of-fold log loss on the training part;
4. :func:`fit_pipeline` -- the winner in a scikit-learn ``Pipeline``
   (``ColumnTransformer`` blocks named after criteria + a sigmoid-calibrated
   estimator), with a threshold that maximises Youden's J out of fold;
5. :func:`evaluate` (in :mod:`triage.model._metrics`) -- the test set, beside
   the baselines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV, _SigmoidCalibration
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from triage.errors import DataError
from triage.features import parse_created_at
from triage.io.leads import LeadSchema
from triage.labels import normalize_verdicts
from triage.model._spec import FeatureSpec, feature_matrix

__all__ = [
    "ESTIMATORS",
    "MIN_PER_CLASS",
    "Choice",
    "Split",
    "choose_estimator",
    "fit_pipeline",
    "split",
    "training_labels",
]

#: Fewer agreed leads than this in either class: no judge is trained.
MIN_PER_CLASS = 40
#: Share of the most recent labelled leads held out for the test.
TEST_SHARE = 0.2
SEED = 0
_FOLDS = 3


# -------------------------------------------------------------------------- labels
def _verdicts(values: pd.Series, words: dict[str, str | None]) -> pd.Series:
    """Verdict spellings -> target / non_target, with the schema's own words first."""
    out = normalize_verdicts(values)
    if words:
        text = values.astype("string").str.strip().str.lower()
        mapped = text.map(lambda w: words.get(w, "?") if isinstance(w, str) else "?")
        known = mapped.ne("?").fillna(False).to_numpy(dtype=bool)
        out[known] = mapped[known].to_numpy()
    return out


def training_labels(
    judged: pd.DataFrame,
    schema: LeadSchema,
    adjudications: pd.DataFrame | None = None,
) -> tuple[pd.Series, pd.Series]:
    """The agreed verdict per lead: 1 target, 0 non-target, missing when not agreed.

    Returns
    -------
    label : Series (Int64)
    kind : Series (string): ``agreed``, ``adjudicated`` or ``""``.
    """
    if schema.label is not None:
        column = schema.canonical(schema.label.column)
        label = schema.label.encode(judged[column], source=schema.source)
    else:
        for column in ("marketing_verdict", "sales_verdict"):
            if column not in judged.columns:
                raise DataError(
                    f"{judged.attrs.get('source', 'leads')}: no {column!r} column and no label: "
                    "in the schema; the judge learns from leads both departments agreed on "
                    "(or from one label column: see docs/schema.md)"
                )
        m = _verdicts(judged["marketing_verdict"], schema.verdicts)
        s = _verdicts(judged["sales_verdict"], schema.verdicts)
        agreed = (m.notna() & s.notna() & (m == s)).fillna(False).to_numpy(dtype=bool)
        label = pd.Series(pd.NA, index=judged.index, dtype="Int64")
        label[agreed] = (m[agreed] == "target").astype(int).to_numpy()
    kind = pd.Series("", index=judged.index, dtype="string")
    kind[label.notna().to_numpy()] = "agreed"
    if adjudications is not None and len(adjudications):
        label, kind = _apply_adjudications(judged, label, kind, adjudications)
    return label, kind


def _apply_adjudications(
    judged: pd.DataFrame, label: pd.Series, kind: pd.Series, adjudications: pd.DataFrame
) -> tuple[pd.Series, pd.Series]:
    """The owner's verdicts win over the departments' (the latest per lead)."""
    if "lead_id" not in judged.columns:
        raise DataError("adjudications need a lead_id column in the leads to match them")
    verdict = normalize_verdicts(adjudications["verdict"])
    settled = dict(zip(adjudications["lead_id"].astype(str), verdict, strict=True))
    ids = judged["lead_id"].astype(str)
    hit = ids.isin(settled).to_numpy()
    values = ids[hit].map(settled)
    label = label.copy()
    label[hit] = (values == "target").astype(int).to_numpy()
    kind = kind.copy()
    kind[hit] = "adjudicated"
    return label, kind


# --------------------------------------------------------------------------- split
@dataclass(frozen=True)
class Split:
    """Row positions of the training and test parts, and how they were chosen."""

    train: np.ndarray
    test: np.ndarray
    how: str


def split(frame: pd.DataFrame, y: np.ndarray, *, seed: int = SEED) -> Split:
    """The most recent 20 % by ``created_at`` as test; stratified random without dates."""
    n = len(y)
    n_test = max(1, round(TEST_SHARE * n))
    times = None
    if "created_at" in frame.columns:
        parsed = parse_created_at(frame["created_at"], warn=False)
        if parsed.notna().mean() >= 0.9:
            times = parsed
    if times is not None:
        order = np.lexsort((np.arange(n), times.fillna(times.min()).to_numpy()))
        cut = order[n - n_test :]
        first = times.iloc[cut].min()
        how = f"time-ordered: test = the most recent {n_test:,} leads (from {first:%Y-%m-%d})"
        return Split(np.sort(order[: n - n_test]), np.sort(cut), how)
    from sklearn.model_selection import train_test_split

    train, test = train_test_split(np.arange(n), test_size=n_test, stratify=y, random_state=seed)
    return Split(
        np.sort(train), np.sort(test), f"stratified random ({n_test:,} test leads; no dates)"
    )


# ---------------------------------------------------------------------- estimators
def _blocks(spec: FeatureSpec, numeric: Any, categorical: Any) -> ColumnTransformer:
    """One ColumnTransformer block per group and kind, named after the group."""
    transformers = []
    for group in spec.group_ids:
        cats = [c for c in spec.categorical if spec.groups[c] == group]
        nums = [c for c in spec.numeric if spec.groups[c] == group]
        if cats:
            transformers.append((group, _fresh(categorical), cats))
        if nums:
            transformers.append((f"{group}.num", _fresh(numeric), nums))
    return ColumnTransformer(transformers, remainder="drop", sparse_threshold=0.0)


def _fresh(step: Any) -> Any:
    return step if isinstance(step, str) else clone(step)


def _one_hot() -> OneHotEncoder:
    return OneHotEncoder(
        handle_unknown="infrequent_if_exist",
        min_frequency=20,
        max_categories=25,
        sparse_output=False,
    )


def _gradient_boosting(spec: FeatureSpec) -> Pipeline:
    model = HistGradientBoostingClassifier(
        max_iter=300,
        learning_rate=0.1,
        max_leaf_nodes=15,
        max_depth=6,
        l2_regularization=1.0,
        early_stopping=True,
        validation_fraction=0.15,
        n_iter_no_change=15,
        random_state=SEED,
    )
    return Pipeline([("features", _blocks(spec, "passthrough", _one_hot())), ("model", model)])


def _logistic_regression(spec: FeatureSpec) -> Pipeline:
    numeric = make_pipeline(
        SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
        StandardScaler(),
    )
    model = LogisticRegression(C=1.0, max_iter=5000)
    return Pipeline([("features", _blocks(spec, numeric, _one_hot())), ("model", model)])


#: The candidates, by name.
ESTIMATORS = {
    "gradient_boosting": _gradient_boosting,
    "logistic_regression": _logistic_regression,
}


@dataclass(frozen=True)
class Choice:
    """The estimator chosen, with the out-of-fold evidence for every candidate."""

    name: str
    oof_log_loss: dict[str, float]
    oof_probability: np.ndarray

    @property
    def margin(self) -> float:
        """How much lower the winner's out-of-fold log loss is than the runner-up's."""
        losses = sorted(self.oof_log_loss.values())
        return losses[1] - losses[0] if len(losses) > 1 else 0.0


def _folds() -> StratifiedKFold:
    return StratifiedKFold(_FOLDS, shuffle=True, random_state=SEED)


def _oof_probability(pipeline: Pipeline, X: pd.DataFrame, y: np.ndarray) -> np.ndarray:
    """Out-of-fold calibrated probabilities, as the final model calibrates them."""
    features = clone(pipeline.named_steps["features"]).fit(X, y)
    Xt = features.transform(X)
    margin = cross_val_predict(
        clone(pipeline.named_steps["model"]), Xt, y, cv=_folds(), method="decision_function"
    )
    return np.asarray(_SigmoidCalibration().fit(margin, y).predict(margin), dtype=float)


def choose_estimator(spec: FeatureSpec, X: pd.DataFrame, y: np.ndarray) -> Choice:
    """Fit every candidate out of fold and keep the one with the lowest log loss."""
    losses: dict[str, float] = {}
    probabilities: dict[str, np.ndarray] = {}
    for name, make in ESTIMATORS.items():
        p = _oof_probability(make(spec), X, y)
        probabilities[name] = p
        losses[name] = float(log_loss(y, np.clip(p, 1e-6, 1 - 1e-6), labels=[0, 1]))
    best = min(losses, key=lambda k: (losses[k], k))
    return Choice(best, losses, probabilities[best])


def best_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """The probability cut that maximises Youden's J (TPR - FPR) out of fold.

    Balanced on purpose: agreed leads are mostly targets, and a cut that
    maximised F1 or accuracy would call nearly everything target; the judge
    must be as careful with a missed target as with a junk lead.  Ties go to
    the lower cut.
    """
    positives, negatives = max(int((y == 1).sum()), 1), max(int((y == 0).sum()), 1)
    best, best_j = 0.5, -np.inf
    for t in np.unique(np.round(p, 4)):
        pred = p >= t
        j = float(np.sum(pred & (y == 1))) / positives - float(np.sum(pred & (y == 0))) / negatives
        if j > best_j + 1e-12:
            best, best_j = float(t), j
    return best


def fit_pipeline(name: str, spec: FeatureSpec, X: pd.DataFrame, y: np.ndarray) -> Pipeline:
    """The chosen estimator, sigmoid-calibrated out of fold, fitted on all training rows.

    ``CalibratedClassifierCV(ensemble=False)`` fits one estimator on every row
    and a sigmoid on the out-of-fold margins, so the probability is a single
    monotone map of one model's log-odds, which the explanations rely on.
    """
    base = ESTIMATORS[name](spec)
    calibrated = CalibratedClassifierCV(
        base.named_steps["model"], method="sigmoid", cv=_folds(), ensemble=False
    )
    pipeline = Pipeline([("features", base.named_steps["features"]), ("model", calibrated)])
    return pipeline.fit(X, y)


def matrix(frame: pd.DataFrame, spec: FeatureSpec) -> pd.DataFrame:
    """The model's input frame (re-exported for callers of this module)."""
    return feature_matrix(frame, spec)
