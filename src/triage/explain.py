"""Why the judge called a lead target or not: SHAP, summed back to the charter's criteria.

The judge's probability is ``p = sigmoid(L)`` with ``L = -(a * f + b)``: ``f``
is the estimator's log-odds, ``a, b`` the sigmoid calibration.  SHAP
(``TreeExplainer`` for gradient boosting, ``LinearExplainer`` for logistic
regression) splits ``f`` exactly into one value per model column plus a base;
multiplying by ``-a`` splits the calibrated log-odds ``L`` the same way.

**From log-odds to probability points.**  Log-odds add up, probabilities do
not; so each column's share of the lead's log-odds distance from the base is
given the same share of its probability distance::

    points_i = phi_i / sum(phi) * (p - p_base)          (p_base = sigmoid(base))

The points of a lead add up to ``p - p_base`` exactly, every sign is the
sign of the log-odds contribution, and the ranking of columns is SHAP's.
When ``sum(phi)`` is about zero, the slope of the sigmoid at the base is
used instead (the linear approximation).

Columns are then summed, one-hot and indicator columns into the lead column
they came from, lead columns into the criterion (or context group) the
model's :class:`~triage.model.FeatureSpec` declares.  SHAP is used here only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline

from triage.model import FeatureSpec
from triage.schema import CRIT_PREFIX

__all__ = [
    "COLUMN_LABELS",
    "Explanation",
    "explain",
    "global_importance",
    "model_columns",
    "reasons",
    "sentence",
    "write_plots",
]

#: How a column is named in a sentence, by language.
COLUMN_LABELS: dict[str, dict[str, str]] = {
    "decoded_make": {"ru": "Марка", "en": "Make"},
    "decoded_model": {"ru": "Модель", "en": "Model"},
    "decoded_generation": {"ru": "Поколение", "en": "Generation"},
    "decoded_part_type": {"ru": "Деталь", "en": "Part type"},
    "decoded_status": {"ru": "Расшифровка", "en": "Decoding"},
    "decoded_score": {"ru": "Уверенность расшифровки", "en": "Decoder confidence"},
    "decoded_side": {"ru": "Сторона", "en": "Side"},
    "decoded_axle": {"ru": "Ось", "en": "Axle"},
    "decoded_year": {"ru": "Год", "en": "Year"},
    "decoded_engine": {"ru": "Двигатель", "en": "Engine"},
    "region": {"ru": "Регион", "en": "Region"},
    "channel": {"ru": "Канал", "en": "Channel"},
    "campaign": {"ru": "Кампания", "en": "Campaign"},
    "phone_valid": {"ru": "Телефон корректен", "en": "Valid phone"},
    "email_valid": {"ru": "E-mail корректен", "en": "Valid e-mail"},
    "is_duplicate": {"ru": "Повтор", "en": "Duplicate"},
    "request_length": {"ru": "Длина запроса", "en": "Request length"},
    "hour": {"ru": "Час", "en": "Hour"},
    "weekday": {"ru": "День недели", "en": "Weekday"},
}
_YES_NO = {"ru": ("да", "нет"), "en": ("yes", "no")}
_CRITERION = {"ru": "критерий «{}»", "en": "criterion “{}”"}
_POINTS = {"ru": "п.п.", "en": "pp"}


@dataclass
class Explanation:
    """Per lead: the probability, the base, and probability points per column and group."""

    p: np.ndarray
    base: float
    columns: list[str]
    by_column: np.ndarray
    groups: list[str]
    by_group: np.ndarray
    index: pd.Index

    def group_frame(self) -> pd.DataFrame:
        """Points per group, one column per group, on the leads' index."""
        return pd.DataFrame(self.by_group, index=self.index, columns=self.groups)


def model_columns(features: ColumnTransformer) -> list[str]:
    """For each column of the transformed matrix, the lead column it came from."""
    out: list[str] = [""] * sum(s.stop - s.start for s in features.output_indices_.values())
    for name, transformer, columns in features.transformers_:
        if name == "remainder" or transformer == "drop":
            continue
        cols = list(columns)
        names = (
            cols if transformer == "passthrough" else list(transformer.get_feature_names_out(cols))
        )
        by_length = sorted(cols, key=len, reverse=True)
        where = features.output_indices_[name]
        for k, produced in enumerate(names):
            out[where.start + k] = next(
                (
                    c
                    for c in by_length
                    if produced in (c, f"missingindicator_{c}") or produced.startswith(f"{c}_")
                ),
                cols[0],
            )
    return out


def _log_odds_parts(
    pipeline: Pipeline, Xt: np.ndarray, background: np.ndarray | None
) -> tuple[np.ndarray, float, float, float]:
    """SHAP values of the estimator's log-odds, its base, and the calibration (a, b)."""
    import shap

    calibrated = pipeline.named_steps["model"].calibrated_classifiers_[0]
    estimator = calibrated.estimator
    a, b = float(calibrated.calibrators[0].a_), float(calibrated.calibrators[0].b_)
    if hasattr(estimator, "coef_"):
        masker = shap.maskers.Independent(
            background if background is not None else Xt.mean(axis=0, keepdims=True)
        )
        explainer = shap.LinearExplainer(estimator, masker)
        phi = np.asarray(explainer.shap_values(Xt), dtype=float)
    else:
        explainer = shap.TreeExplainer(estimator)
        phi = np.asarray(explainer.shap_values(Xt, check_additivity=False), dtype=float)
    base = float(np.ravel(explainer.expected_value)[-1])
    if phi.ndim == 3:  # (n, k, classes) from some versions: keep the positive class
        phi = phi[..., -1]
    return phi, base, a, b


def explain(
    pipeline: Pipeline,
    spec: FeatureSpec,
    X: pd.DataFrame,
    *,
    background: np.ndarray | None = None,
) -> Explanation:
    """SHAP of the calibrated judge in probability points, per lead column and per group.

    Parameters
    ----------
    pipeline : Pipeline
        The judge: ``features`` (ColumnTransformer) then ``model``
        (CalibratedClassifierCV with ``ensemble=False``).
    spec : FeatureSpec
        Lead column -> group.
    X : DataFrame
        The model's input frame (:func:`triage.model.feature_matrix`).
    background : array, optional
        The transformed training mean (one row) for a linear model.
    """
    features = pipeline.named_steps["features"]
    Xt = np.asarray(features.transform(X), dtype=float)
    phi, base, a, b = _log_odds_parts(pipeline, Xt, background)
    del Xt
    phi *= -a  # the calibrated log-odds contributions, in place (large arrays)
    base_l = -(a * base + b)
    total = phi.sum(axis=1)
    p = expit(base_l + total)
    p0 = float(expit(base_l))
    safe = np.abs(total) > 1e-9
    scale = np.where(safe, (p - p0) / np.where(safe, total, 1.0), p0 * (1 - p0))
    phi *= (100.0 * scale)[:, None]
    points = phi
    sources = model_columns(features)
    columns = spec.columns
    by_column = np.zeros((len(X), len(columns)))
    position = {c: i for i, c in enumerate(columns)}
    for k, source in enumerate(sources):
        by_column[:, position[source]] += points[:, k]
    groups = spec.group_ids
    by_group = np.zeros((len(X), len(groups)))
    for i, column in enumerate(columns):
        by_group[:, groups.index(spec.groups[column])] += by_column[:, i]
    return Explanation(
        p=p,
        base=p0,
        columns=list(columns),
        by_column=by_column,
        groups=groups,
        by_group=by_group,
        index=X.index,
    )


# ----------------------------------------------------------------------------- reasons
def _label(column: str, spec: FeatureSpec, locale: str) -> str:
    if column.startswith(CRIT_PREFIX):
        return spec.title(spec.groups[column], locale)
    return COLUMN_LABELS.get(column, {}).get(locale, column)


def _value(value: Any, locale: str) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return "—"
    if isinstance(value, str) and not value.strip():
        return "—"
    if isinstance(value, bool | np.bool_):
        yes, no = _YES_NO.get(locale, _YES_NO["en"])
        return yes if value else no
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def sentence(item: dict[str, Any], locale: str) -> str:
    """One reason in words: ``Марка = Peugeot (критерий «Запчасть на Opel»): −38 п.п.``."""
    points = float(item["points"])
    sign = "+" if points >= 0 else "−"
    group = item["title"].get(locale) or item["title"].get("en") or item["criterion"]
    where = (
        _CRITERION.get(locale, _CRITERION["en"]).format(group)
        if item.get("is_criterion", True)
        else group.lower()
        if locale == "ru"
        else group
    )
    label = item["labels"].get(locale) or item["column"]
    value = item["values"].get(locale, "—")
    return f"{label} = {value} ({where}): {sign}{abs(points):.0f} {_POINTS.get(locale, 'pp')}"


def reasons(
    explanation: Explanation,
    frame: pd.DataFrame,
    spec: FeatureSpec,
    *,
    top: int = 3,
    locales: tuple[str, ...] = ("ru", "en"),
) -> list[list[dict[str, Any]]]:
    """Per lead, the ``top`` groups by size of their points, each with the column that drove it.

    Each item: ``criterion`` (group id), ``title`` ({locale: title}),
    ``is_criterion``, ``points`` (probability points, signed), ``column``
    (the lead column with the largest share of the group's points; a
    criterion's own ``crit_`` column only when nothing under it is a signal),
    ``labels`` and ``values`` ({locale: text}) and ``text`` ({locale: sentence}).
    """
    groups = explanation.groups
    col_index = {c: i for i, c in enumerate(explanation.columns)}
    picks = {g: _driver(explanation, spec, g, col_index) for g in groups}
    cells = {
        c: frame[c].to_numpy(dtype=object) if c in frame.columns else None for c in spec.columns
    }
    labels = {c: {loc: _label(c, spec, loc) for loc in ("ru", "en")} for c in spec.columns}
    order = np.argsort(-np.abs(explanation.by_group), axis=1, kind="stable")[:, :top]
    out: list[list[dict[str, Any]]] = []
    for row, chosen in enumerate(order):
        items = []
        for g in chosen:
            group = groups[g]
            column = picks[group][row]
            values = cells[column]
            raw = values[row] if values is not None else None
            item: dict[str, Any] = {
                "criterion": group,
                "title": dict(spec.titles.get(group, {"en": group})),
                "is_criterion": group not in ("decoder", "context"),
                "points": round(float(explanation.by_group[row, g]), 1),
                "column": column,
                "labels": labels[column],
                "values": {loc: _value(raw, loc) for loc in ("ru", "en")},
            }
            item["text"] = {loc: sentence(item, loc) for loc in locales}
            items.append(item)
        out.append(items)
    return out


def _driver(
    explanation: Explanation, spec: FeatureSpec, group: str, col_index: dict[str, int]
) -> list[str]:
    """Per lead, the column of ``group`` with the most points (its signals before its crit_)."""
    members = [c for c in spec.columns if spec.groups[c] == group]
    signals = [c for c in members if not c.startswith(CRIT_PREFIX)] or members
    weights = np.abs(explanation.by_column[:, [col_index[c] for c in signals]])
    best = np.argmax(weights, axis=1) if len(signals) > 1 else np.zeros(len(weights), dtype=int)
    return [signals[k] for k in best]


def reasons_json(items: list[dict[str, Any]]) -> str:
    """Machine-readable reasons of one lead (compact, stable key order)."""
    return json.dumps(items, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# ------------------------------------------------------------------------------ global
def global_importance(explanation: Explanation, spec: FeatureSpec) -> pd.DataFrame:
    """Mean absolute probability points per group, largest first."""
    mean_abs = np.abs(explanation.by_group).mean(axis=0) if len(explanation.p) else []
    table = pd.DataFrame(
        {
            "group": explanation.groups,
            "title_ru": [spec.title(g, "ru") for g in explanation.groups],
            "title_en": [spec.title(g, "en") for g in explanation.groups],
            "mean_abs_points": np.asarray(mean_abs, dtype=float),
        }
    )
    return table.sort_values(["mean_abs_points", "group"], ascending=[False, True]).reset_index(
        drop=True
    )


def write_plots(
    explanation: Explanation,
    spec: FeatureSpec,
    frame: pd.DataFrame,
    out_dir: str | Path,
    *,
    locale: str = "en",
) -> dict[str, Path]:
    """Importance by criterion (bar) and a beeswarm by criterion, as PNG and SVG.

    In the beeswarm each dot is a lead; its colour is whether the lead passed
    the criterion (blue: failed, red: passed, grey: no such column).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    table = global_importance(explanation, spec)
    titles = [spec.title(g, locale) for g in table["group"]]
    paths: dict[str, Path] = {}
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(titles) + 1.2))
    ax.barh(titles[::-1], table["mean_abs_points"].to_numpy()[::-1], color="#4c72b0")
    ax.set_xlabel("mean |probability points|" if locale == "en" else "среднее |п.п.|")
    ax.set_title("What drives the judge, by criterion" if locale == "en" else "Что движет судьёй")
    fig.tight_layout()
    for ext in ("png", "svg"):
        paths[f"importance.{ext}"] = _save(fig, out / f"importance.{ext}")
    plt.close(fig)
    fig = _beeswarm(explanation, spec, frame, list(table["group"]), locale)
    for ext in ("png", "svg"):
        paths[f"beeswarm.{ext}"] = _save(fig, out / f"beeswarm.{ext}")
    plt.close(fig)
    return paths


def _save(fig: Any, path: Path) -> Path:
    tmp = path.with_name(f".{path.name}.tmp")
    fig.savefig(tmp, dpi=110, format=path.suffix.lstrip("."), metadata=_plot_metadata(path))
    tmp.replace(path)
    return path


def _plot_metadata(path: Path) -> dict[str, Any]:
    # No creation dates in the files: the same model draws the same bytes.
    if path.suffix == ".svg":
        return {"Date": None}
    return {"Software": None}


def _beeswarm(
    explanation: Explanation, spec: FeatureSpec, frame: pd.DataFrame, order: list[str], locale: str
) -> Any:
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)
    n = len(explanation.p)
    keep = np.sort(rng.choice(n, size=min(n, 2000), replace=False)) if n else np.array([], int)
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(order) + 1.4))
    for row, group in enumerate(reversed(order)):
        x = explanation.by_group[keep, explanation.groups.index(group)]
        y = row + rng.uniform(-0.3, 0.3, size=len(x))
        column = f"{CRIT_PREFIX}{group}"
        if column in frame.columns:
            passed = frame[column].iloc[keep].astype("boolean")
            colour = np.where(
                passed.isna(), "#999999", np.where(passed.fillna(False), "#d62728", "#1f77b4")
            )
        else:
            colour = np.full(len(x), "#999999")
        ax.scatter(x, y, s=6, c=colour, alpha=0.6, linewidths=0)
    ax.set_yticks(range(len(order)))
    ax.set_yticklabels([spec.title(g, locale) for g in reversed(order)])
    ax.axvline(0, color="black", linewidth=0.5)
    ax.set_xlabel("probability points" if locale == "en" else "п.п. вероятности")
    fig.tight_layout()
    return fig
