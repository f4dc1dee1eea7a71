"""``train_judge``: from judged leads to a saved-ready judge, with its evidence."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from triage.charter import Charter
from triage.errors import DataError
from triage.features import parse_created_at
from triage.io.leads import LeadSchema
from triage.model._judge import Judge, file_sha256
from triage.model._leakage import Suspect, find_leaks
from triage.model._metrics import evaluation_row, hard_verdict
from triage.model._spec import FeatureSpec, build_feature_spec, feature_matrix
from triage.model._train import (
    MIN_PER_CLASS,
    Choice,
    Split,
    best_threshold,
    choose_estimator,
    fit_pipeline,
    split,
    training_labels,
)
from triage.schema import CHARTER_VERDICT

__all__ = ["TrainingResult", "train_judge"]


@dataclass
class TrainingResult:
    """A trained judge and the evidence behind it."""

    judge: Judge
    counts: dict[str, int]
    choice: Choice
    split: Split
    evaluation: pd.DataFrame
    truth_evaluation: pd.DataFrame | None
    suspects: list[Suspect]
    single_auc: dict[str, float]
    test: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def _counts(label: pd.Series, kind: pd.Series) -> dict[str, int]:
    known = label.notna()
    return {
        "leads": len(label),
        "agreed": int((kind == "agreed").sum()),
        "adjudicated": int((kind == "adjudicated").sum()),
        "not_agreed": int((~known).sum()),
        "target": int((label[known] == 1).sum()),
        "non_target": int((label[known] == 0).sum()),
    }


def _check_enough(counts: dict[str, int], source: str) -> None:
    if min(counts["target"], counts["non_target"]) < MIN_PER_CLASS:
        raise DataError(
            f"{source}: only {counts['target']:,} target and {counts['non_target']:,} non-target "
            f"leads with an agreed verdict; the judge needs at least {MIN_PER_CLASS} of each. "
            "No model was trained: scoring falls back to the charter alone (charter_verdict). "
            "Settle more disputed leads (adjudications) or add months of leads."
        )


def _versions() -> dict[str, str]:
    out = {}
    for package in ("triage", "scikit-learn", "pandas", "numpy", "shap", "skops", "scipy"):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "unknown"
    return out


def _data_hash(X: pd.DataFrame, y: np.ndarray) -> str:
    """SHA-256 of the training rows as the model saw them (columns, values, labels)."""
    digest = hashlib.sha256()
    digest.update("\x1f".join(X.columns).encode("utf-8"))
    digest.update(pd.util.hash_pandas_object(X, index=False).to_numpy().tobytes())
    digest.update(np.asarray(y, dtype=np.int8).tobytes())
    return digest.hexdigest()


def _evaluate(
    name_p: np.ndarray,
    y: np.ndarray,
    frame: pd.DataFrame,
    threshold: float,
    base_rate: float,
) -> pd.DataFrame:
    """The judge beside the baselines on the same leads."""
    rows = [evaluation_row("judge (model)", y, name_p, threshold=threshold)]
    if CHARTER_VERDICT in frame.columns:
        rows.append(
            evaluation_row(
                "agreed charter alone", y, hard_verdict(frame[CHARTER_VERDICT]), probabilistic=False
            )
        )
    for column, label in (("marketing_verdict", "marketing"), ("sales_verdict", "sales")):
        if column in frame.columns:
            from triage.labels import normalize_verdicts

            verdict = hard_verdict(normalize_verdicts(frame[column]))
            rows.append(evaluation_row(f"{label}'s verdict", y, verdict, probabilistic=False))
    majority = np.full(len(y), base_rate)
    rows.append(
        evaluation_row(
            "majority class",
            y,
            majority,
            threshold=0.0 if base_rate >= 0.5 else 1.01,
        )
    )
    return pd.DataFrame(rows)


def _truth_frame(
    judged: pd.DataFrame, truth: pd.DataFrame, sp: Split, labelled: pd.DataFrame
) -> pd.DataFrame:
    """Every lead of the test period (agreed or disputed), joined with the ground truth."""
    if "created_at" in judged.columns and "created_at" in labelled.columns:
        first = parse_created_at(labelled["created_at"].iloc[sp.test], warn=False).min()
        times = parse_created_at(judged["created_at"], warn=False)
        period = judged[(times >= first).fillna(False).to_numpy(dtype=bool)]
    else:
        period = labelled.iloc[sp.test]
    return period.merge(truth[["lead_id", "true_verdict"]], on="lead_id", how="inner")


def train_judge(
    judged: pd.DataFrame,
    *,
    schema: LeadSchema,
    charter: Charter | None,
    adjudications: pd.DataFrame | None = None,
    allow: tuple[str, ...] = (),
    truth: pd.DataFrame | None = None,
) -> TrainingResult:
    """Train the judge on the leads with an agreed verdict; evaluate it on the most recent ones.

    Parameters
    ----------
    judged : DataFrame
        Leads after the pipeline (decoded, derived, charter columns).
    schema : LeadSchema
        Where the label is, what is never a feature.
    charter : Charter or None
        The charter whose criteria the features are grouped by.
    adjudications : DataFrame, optional
        ``lead_id, verdict``: the owner's settled verdicts (they win).
    allow : tuple of str
        Columns the leakage guard flags but a person has cleared.
    truth : DataFrame, optional
        The synthetic world's ground truth, for the evaluation against it.

    Raises
    ------
    DataError
        Fewer than 40 agreed leads of a class (the message gives the counts
        and says scoring falls back to the charter), or no usable feature.
    """
    source = str(judged.attrs.get("source", "leads"))
    label, kind = training_labels(judged, schema, adjudications)
    counts = _counts(label, kind)
    _check_enough(counts, source)
    label_column = schema.canonical(schema.label.column) if schema.label is not None else None
    spec = build_feature_spec(judged, schema, charter, label_column=label_column)
    known = label.notna().to_numpy()
    labelled = judged[known]
    y = label[known].astype(int).to_numpy()
    sp = split(labelled, y)
    train = labelled.iloc[sp.train]
    allow_all = {*allow, *map(schema.canonical, schema.allow)}
    suspects, aucs = find_leaks(train, y[sp.train], spec.columns, allow=allow_all)
    spec = spec.without({s.column for s in suspects if s.excluded})
    if not spec.columns:
        raise DataError(f"{source}: no column is left to learn from (see the warnings above)")
    X_train = feature_matrix(train, spec)
    choice = choose_estimator(spec, X_train, y[sp.train])
    threshold = best_threshold(y[sp.train], choice.oof_probability)
    pipeline = fit_pipeline(choice.name, spec, X_train, y[sp.train])
    background = None
    if choice.name == "logistic_regression":
        background = np.asarray(pipeline.named_steps["features"].transform(X_train)).mean(
            axis=0, keepdims=True
        )
    test = labelled.iloc[sp.test]
    p_test = pipeline.predict_proba(feature_matrix(test, spec))[:, 1]
    base_rate = float(y[sp.train].mean())
    evaluation = _evaluate(p_test, y[sp.test], test, threshold, base_rate)
    truth_eval = None
    if truth is not None and "lead_id" in judged.columns:
        period = _truth_frame(judged, truth, sp, labelled)
        y_true = (period["true_verdict"] == "target").astype(int).to_numpy()
        p_period = pipeline.predict_proba(feature_matrix(period, spec))[:, 1]
        truth_eval = _evaluate(p_period, y_true, period, threshold, base_rate)
    card = {
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "estimator": choice.name,
        "estimator_choice": {"oof_log_loss": choice.oof_log_loss, "margin": choice.margin},
        "threshold_rule": "maximises Youden's J (TPR - FPR) on out-of-fold training predictions",
        "split": sp.how,
        "rows": {"train": len(sp.train), "test": len(sp.test), **counts},
        "class_balance": {"train_target_share": base_rate},
        "data_sha256": _data_hash(X_train, y[sp.train]),
        "charter": None
        if charter is None
        else {
            "name": charter.name,
            "version": charter.version,
            "sha256": file_sha256(charter.source) if Path(charter.source).is_file() else None,
        },
        "leakage": [s.__dict__ for s in suspects],
        "single_column_auc": {k: round(v, 4) for k, v in sorted(aucs.items())},
        "metrics": {
            "test": evaluation.to_dict(orient="records"),
            "truth": None if truth_eval is None else truth_eval.to_dict(orient="records"),
        },
        "versions": _versions(),
    }
    judge = Judge(
        pipeline=pipeline,
        spec=spec,
        threshold=threshold,
        charter=charter,
        schema=schema,
        card=card,
        background=background,
    )
    test_out = test.copy()
    test_out["p_target"] = p_test
    return TrainingResult(
        judge=judge,
        counts=counts,
        choice=choice,
        split=sp,
        evaluation=evaluation,
        truth_evaluation=truth_eval,
        suspects=suspects,
        single_auc=aucs,
        test=test_out,
        notes=list(spec.notes),
    )


def describe_spec(spec: FeatureSpec) -> list[dict[str, Any]]:
    """The declared mapping as rows: column, kind, group (for reports)."""
    return [
        {
            "column": c,
            "kind": "categorical" if c in spec.categorical else "numeric",
            "group": spec.groups[c],
        }
        for c in spec.columns
    ]
