"""Explanations: additive in probability points, summed back to columns and criteria."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from triage.explain import explain, global_importance, model_columns, reasons, sentence, write_plots
from triage.io.leads import LeadSchema
from triage.model import train_judge
from triage.model._train import ESTIMATORS, fit_pipeline
from triage.pipeline import Scorer
from triage.synth import generate_world


@pytest.fixture(scope="module")
def judged() -> pd.DataFrame:
    world = generate_world(months=2, leads_per_month=1200, catalog_size=3000, seed=8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Scorer.build(catalog=world.catalog).score_batch(world.leads).leads


@pytest.fixture(scope="module")
def result(judged):
    return train_judge(judged, schema=LeadSchema.synthetic(), charter=Scorer.build().charter)


@pytest.mark.parametrize("estimator", sorted(ESTIMATORS))
def test_base_plus_points_is_the_probability(result, judged, estimator) -> None:
    judge = result.judge
    X = judge.matrix(judged)
    label = judged["marketing_verdict"].eq("target").astype(int).to_numpy()
    pipeline = fit_pipeline(estimator, judge.spec, X, label)
    background = None
    if estimator == "logistic_regression":
        background = np.asarray(pipeline.named_steps["features"].transform(X)).mean(
            0, keepdims=True
        )
    ex = explain(pipeline, judge.spec, X, background=background)
    p = pipeline.predict_proba(X)[:, 1]
    np.testing.assert_allclose(ex.p, p, atol=1e-9)
    total = ex.base + ex.by_group.sum(axis=1) / 100
    assert np.abs(total - p).max() * 100 < 0.5  # within half a probability point
    assert np.abs(total - p).max() < 1e-9  # in fact exactly, by construction


def test_points_are_summed_to_columns_then_criteria(result, judged) -> None:
    judge = result.judge
    X = judge.matrix(judged.head(300))
    ex = explain(judge.pipeline, judge.spec, X, background=judge.background)
    np.testing.assert_allclose(ex.by_column.sum(1), ex.by_group.sum(1))
    for g, group in enumerate(ex.groups):
        members = [i for i, c in enumerate(ex.columns) if judge.spec.groups[c] == group]
        np.testing.assert_allclose(ex.by_group[:, g], ex.by_column[:, members].sum(1))
    sources = model_columns(judge.pipeline.named_steps["features"])
    assert set(sources) <= set(ex.columns)
    assert sum(s == "decoded_make" for s in sources) > 1  # one-hot columns of one lead column


def test_reasons_speak_the_charters_language(result, judged) -> None:
    judge = result.judge
    rows = judged[judged["decoded_status"] == "other_make"].head(40)
    ex = explain(judge.pipeline, judge.spec, judge.matrix(rows), background=judge.background)
    items = reasons(ex, rows, judge.spec)
    assert all(len(i) == 3 for i in items)
    first = items[0][0]
    assert set(first) >= {"criterion", "title", "points", "column", "values", "text"}
    assert first["text"]["ru"].endswith("п.п.") and first["text"]["en"].endswith("pp")
    assert json.loads(json.dumps(items))  # machine-readable
    made = sentence(
        {
            "criterion": "opel_only",
            "title": {"ru": "Запчасть на Opel", "en": "A part for an Opel"},
            "is_criterion": True,
            "points": -38.2,
            "column": "decoded_make",
            "labels": {"ru": "Марка", "en": "Make"},
            "values": {"ru": "Peugeot", "en": "Peugeot"},
        },
        "ru",
    )
    assert made == "Марка = Peugeot (критерий «Запчасть на Opel»): −38 п.п."


def test_global_importance_and_plots(result, judged, tmp_path) -> None:
    judge = result.judge
    sample = judged.head(500)
    ex = explain(judge.pipeline, judge.spec, judge.matrix(sample), background=judge.background)
    table = global_importance(ex, judge.spec)
    assert set(table["group"]) == set(judge.spec.group_ids)
    assert (table["mean_abs_points"].diff().dropna() <= 1e-12).all()
    paths = write_plots(ex, judge.spec, sample, tmp_path)
    for name in ("importance.png", "importance.svg", "beeswarm.png", "beeswarm.svg"):
        assert paths[name].stat().st_size > 1000
    assert paths["importance.png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
