"""The trained judge: the scikit-learn pipeline plus what it needs to read leads, on disk.

A model folder ``models/NAME/`` holds:

* ``model.skops`` -- the ``Pipeline``, saved with skops (no pickle): loading
  accepts only the types in :data:`TRUSTED_TYPES`; a file asking for anything
  else is refused with a clear error;
* ``model_card.json`` -- provenance and evidence: data hash, rows, class
  balance, charter name/version/hash, the lead schema, features and their
  criteria, metrics, threshold, library versions, created_at;
* ``charter.yaml`` -- a copy of the charter the judge was trained with;
* ``catalog.parquet`` -- the catalog requests were decoded against (when
  there was one), so new leads are decoded the same way;
* ``evaluation.csv``, ``importance.csv`` and the plots.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from triage.charter import Charter, load_charter
from triage.errors import DataError
from triage.io.leads import LabelSpec, LeadSchema
from triage.model._spec import FeatureSpec, feature_matrix

__all__ = ["CARD", "MODEL_FILE", "TRUSTED_TYPES", "Judge", "load_judge"]

MODEL_FILE = "model.skops"
CARD = "model_card.json"
CHARTER_FILE = "charter.yaml"
CATALOG_FILE = "catalog.parquet"

#: Every type a judge's skops file may contain.  Anything else is refused.
TRUSTED_TYPES = frozenset(
    {
        "builtins.slice",
        "numpy.dtype",
        "numpy.float64",
        "numpy.int64",
        "numpy.ndarray",
        "numpy.random.mtrand.RandomState",
        "numpy.str_",
        "sklearn._loss.link.Interval",
        "sklearn._loss.link.LogitLink",
        "sklearn._loss.loss.HalfBinomialLoss",
        "sklearn.calibration.CalibratedClassifierCV",
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        "sklearn.compose._column_transformer.ColumnTransformer",
        "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
        "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "sklearn.impute._base.MissingIndicator",
        "sklearn.impute._base.SimpleImputer",
        "sklearn.linear_model._logistic.LogisticRegression",
        "sklearn.model_selection._split.StratifiedKFold",
        "sklearn.pipeline.Pipeline",
        "sklearn.preprocessing._data.StandardScaler",
        "sklearn.preprocessing._encoders.OneHotEncoder",
        "sklearn.utils._bunch.Bunch",
    }
)


@dataclass
class Judge:
    """A trained judge and everything it needs to read and score leads.

    Attributes
    ----------
    pipeline : Pipeline
        ``features`` (ColumnTransformer, one block per criterion) then
        ``model`` (CalibratedClassifierCV, sigmoid, one estimator).
    spec : FeatureSpec
        Lead column -> kind and criterion.
    threshold : float
        ``p_target`` at or above it is a ``target`` verdict.
    charter : Charter or None
        The charter evaluated before the model (its results are features).
    schema : LeadSchema
        How the training export's columns were read.
    card : dict
        The model card.
    background : array or None
        Transformed training mean (linear models' SHAP reference).
    catalog : Path or None
        The catalog copy in the model folder.
    """

    pipeline: Pipeline
    spec: FeatureSpec
    threshold: float
    charter: Charter | None
    schema: LeadSchema
    card: dict[str, Any] = field(default_factory=dict)
    background: np.ndarray | None = None
    catalog: Path | None = None

    def matrix(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The model's input frame for some judged leads."""
        return feature_matrix(frame, self.spec)

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        """``p_target`` per lead (calibrated probability of a target verdict)."""
        if len(frame) == 0:
            return np.zeros(0)
        return np.asarray(self.pipeline.predict_proba(self.matrix(frame))[:, 1], dtype=float)

    def missing_columns(self, frame: pd.DataFrame) -> list[str]:
        """Model inputs the leads do not have (they are read as empty)."""
        return [c for c in self.spec.columns if c not in frame.columns]

    # -- disk ---------------------------------------------------------------
    def save(self, folder: str | Path, *, catalog: pd.DataFrame | None = None) -> Path:
        """Write the model folder (files replaced atomically, one by one)."""
        import skops.io as sio

        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        _atomic_bytes(out / MODEL_FILE, sio.dumps(self.pipeline))
        if self.charter is not None:
            source = Path(self.charter.source)
            if source.is_file():
                _atomic_bytes(out / CHARTER_FILE, source.read_bytes())
        if catalog is not None:
            tmp = out / f".{CATALOG_FILE}.tmp"
            frame = catalog.astype("string")
            frame.attrs = {}  # provenance notes of the reader are not part of the data
            frame.to_parquet(tmp, index=False)
            tmp.replace(out / CATALOG_FILE)
        card = dict(self.card)
        card["threshold"] = self.threshold
        card["features"] = self.spec.to_dict()
        card["schema"] = self.schema.to_dict()
        card["background"] = None if self.background is None else self.background.tolist()
        text = json.dumps(card, ensure_ascii=False, indent=2, sort_keys=True, default=str)
        _atomic_bytes(out / CARD, (text + "\n").encode("utf-8"))
        return out


def _atomic_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _schema_from_card(data: dict[str, Any]) -> LeadSchema:
    label = data.get("label")
    features = data.get("features", "auto")
    return LeadSchema(
        columns=dict(data.get("columns", {})),
        label=None
        if not label
        else LabelSpec(
            column=label["column"],
            positive=tuple(label["positive"]),
            negative=tuple(label.get("negative", ())),
        ),
        features=features
        if isinstance(features, str)
        else {k: tuple(v) for k, v in features.items()},
        exclude=tuple(data.get("exclude", ())),
        post_outcome=tuple(data.get("post_outcome", ())),
        missing_values=tuple(data.get("missing_values", ())),
        verdicts=dict(data.get("verdicts", {})),
        groups=dict(data.get("groups", {})),
        allow=tuple(data.get("allow", ())),
        source=str(data.get("source", "<model card>")),
    )


def _load_pipeline(path: Path) -> Pipeline:
    """The pipeline of a skops file, refusing any type outside :data:`TRUSTED_TYPES`."""
    import skops.io as sio

    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:  # not a zip, not a skops file, a broken schema
        raise DataError(f"{path}: not a triage model file ({type(exc).__name__}: {exc})") from None
    unexpected = sorted(set(untrusted) - TRUSTED_TYPES)
    if unexpected:
        raise DataError(
            f"{path}: refused: the file asks for types a triage model never contains "
            f"({', '.join(unexpected[:5])}); it was not written by triage or was tampered with"
        )
    try:
        pipeline = sio.load(path, trusted=list(untrusted))
    except Exception as exc:
        raise DataError(f"{path}: cannot load the model ({type(exc).__name__}: {exc})") from None
    if not isinstance(pipeline, Pipeline):
        raise DataError(f"{path}: holds a {type(pipeline).__name__}, not a triage model pipeline")
    return pipeline


def load_judge(folder: str | Path) -> Judge:
    """Load a model folder written by :meth:`Judge.save`.

    Raises
    ------
    DataError
        The folder, the card or the model file is missing, unreadable, or
        contains types outside :data:`TRUSTED_TYPES`.
    """
    root = Path(folder)
    if not (root / CARD).is_file() or not (root / MODEL_FILE).is_file():
        raise DataError(
            f"{root}: not a model folder (needs {MODEL_FILE} and {CARD}); train one with "
            "`triage train --leads FILE --out models/NAME`"
        )
    try:
        card = json.loads((root / CARD).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{root / CARD}: not a readable model card ({exc})") from None
    pipeline = _load_pipeline(root / MODEL_FILE)
    charter = load_charter(root / CHARTER_FILE) if (root / CHARTER_FILE).is_file() else None
    background = card.get("background")
    return Judge(
        pipeline=pipeline,
        spec=FeatureSpec.from_dict(card["features"]),
        threshold=float(card["threshold"]),
        charter=charter,
        schema=_schema_from_card(card.get("schema", {})),
        card=card,
        background=None if background is None else np.asarray(background, dtype=float),
        catalog=root / CATALOG_FILE if (root / CATALOG_FILE).is_file() else None,
    )


def file_sha256(path: str | Path) -> str:
    """The hex SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
