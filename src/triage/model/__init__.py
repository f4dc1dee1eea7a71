"""The judge: a classifier trained on agreed leads, its inputs grouped by charter criterion.

* :func:`train_judge` -- labels, split, leakage guard, estimator choice,
  calibration, threshold, evaluation beside the baselines;
* :class:`Judge` / :func:`load_judge` -- the trained pipeline on disk (skops
  with a trusted-type list, plus a model card);
* :class:`FeatureSpec` -- every input column and the criterion it belongs to.

Explanations live in :mod:`triage.explain`; scoring goes through
:class:`triage.pipeline.Scorer`, like everything else.
"""

from __future__ import annotations

from triage.model._fit import TrainingResult, describe_spec, train_judge
from triage.model._judge import TRUSTED_TYPES, Judge, load_judge
from triage.model._leakage import LEAK_AUC, Suspect, find_leaks, single_column_auc
from triage.model._metrics import evaluation_row, hard_verdict
from triage.model._spec import FeatureSpec, build_feature_spec, feature_matrix
from triage.model._train import MIN_PER_CLASS, best_threshold, split, training_labels

__all__ = [
    "LEAK_AUC",
    "MIN_PER_CLASS",
    "TRUSTED_TYPES",
    "FeatureSpec",
    "Judge",
    "Suspect",
    "TrainingResult",
    "best_threshold",
    "build_feature_spec",
    "describe_spec",
    "evaluation_row",
    "feature_matrix",
    "find_leaks",
    "hard_verdict",
    "load_judge",
    "single_column_auc",
    "split",
    "train_judge",
    "training_labels",
]
