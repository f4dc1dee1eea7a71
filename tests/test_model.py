"""The judge: training data, leakage guard, estimator, calibration, persistence, scoring."""

from __future__ import annotations

import json
import warnings
import zipfile

import numpy as np
import pandas as pd
import pytest

from crm_world import make_crm, write_crm
from triage.cli import main
from triage.errors import DataError
from triage.io.leads import LeadSchema, load_schema
from triage.model import (
    MIN_PER_CLASS,
    find_leaks,
    load_judge,
    train_judge,
    training_labels,
)
from triage.pipeline import Scorer
from triage.synth import generate_world


@pytest.fixture(scope="module")
def world():
    return generate_world(months=3, leads_per_month=1200, catalog_size=3000, seed=21)


@pytest.fixture(scope="module")
def judged(world) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Scorer.build(catalog=world.catalog).score_batch(world.leads).leads


@pytest.fixture(scope="module")
def trained(judged, world):
    scorer_charter = Scorer.build(catalog=None).charter
    return train_judge(
        judged, schema=LeadSchema.synthetic(), charter=scorer_charter, truth=world.truth
    )


def test_only_agreed_leads_train(judged, trained) -> None:
    label, kind = training_labels(judged, LeadSchema.synthetic())
    m, s = judged["marketing_verdict"], judged["sales_verdict"]
    agreed = (m == s) & m.isin(["target", "non_target"])
    assert (label.notna() == agreed).all()
    assert (kind[agreed] == "agreed").all()
    c = trained.counts
    assert c["agreed"] == int(agreed.sum()) and c["not_agreed"] == len(judged) - c["agreed"]
    assert c["target"] + c["non_target"] == c["agreed"]


def test_adjudications_win_and_are_counted(judged) -> None:
    disputed = judged.loc[judged["marketing_verdict"] != judged["sales_verdict"], "lead_id"]
    settled = pd.DataFrame({"lead_id": disputed.head(30), "verdict": "non_target"})
    agreed_one = judged.loc[judged["marketing_verdict"] == "target"].iloc[0]["lead_id"]
    settled.loc[len(settled)] = [agreed_one, "non_target"]
    label, kind = training_labels(judged, LeadSchema.synthetic(), settled)
    ids = judged["lead_id"]
    assert (kind[ids.isin(settled["lead_id"])] == "adjudicated").all()
    assert (label[ids.isin(settled["lead_id"])] == 0).all()


def test_too_few_agreed_leads_is_refused_with_counts(judged) -> None:
    # Marketing never says non-target here, so no lead is an agreed non-target.
    few = judged[judged["marketing_verdict"] != "non_target"].head(300)
    label, _ = training_labels(few, LeadSchema.synthetic())
    assert int((label == 0).sum()) < MIN_PER_CLASS
    with pytest.raises(DataError, match="falls back to the charter alone") as err:
        train_judge(few, schema=LeadSchema.synthetic(), charter=None)
    assert "non-target" in str(err.value) and f"at least {MIN_PER_CLASS}" in str(err.value)


def test_evaluation_has_the_baselines_and_the_truth(trained) -> None:
    names = trained.evaluation["predictor"].tolist()
    assert names == [
        "judge (model)",
        "agreed charter alone",
        "marketing's verdict",
        "sales's verdict",
        "majority class",
    ]
    judge = trained.evaluation.iloc[0]
    assert 0.5 < judge["roc_auc"] <= 1 and 0 <= judge["brier"] < 0.25
    assert trained.truth_evaluation is not None and trained.truth_evaluation["leads"].iloc[0] > 0
    assert trained.choice.name in ("gradient_boosting", "logistic_regression")
    assert set(trained.choice.oof_log_loss) == {"gradient_boosting", "logistic_regression"}
    assert "time-ordered" in trained.split.how


def test_calibration_is_the_out_of_fold_sigmoid(trained, judged) -> None:
    """The model's calibrator is the one fitted on out-of-fold margins (what the threshold used)."""
    judge = trained.judge
    p = judge.predict_proba(trained.test)
    assert np.allclose(p, trained.test["p_target"])
    assert ((p > 0) & (p < 1)).all()


def test_every_input_column_belongs_to_a_criterion_or_context(trained) -> None:
    spec = trained.judge.spec
    assert set(spec.groups) == set(spec.columns)
    assert spec.groups["crit_opel_only"] == "opel_only"
    assert spec.groups["decoded_make"] == "opel_only"
    assert spec.groups["region"] == "served_region"
    assert spec.groups["phone_valid"] == "reachable"
    assert spec.groups["decoded_score"] == "part_request"
    for never in ("lead_id", "marketing_verdict", "sales_verdict", "status", "manager"):
        assert never not in spec.columns


def test_leakage_guard_flags_a_planted_leak_and_an_id() -> None:
    rng = np.random.default_rng(3)
    n = 400
    y = rng.integers(0, 2, n)
    frame = pd.DataFrame(
        {
            "noise": rng.normal(size=n),
            "outcome_note": np.where(y == 1, "deal", "no deal"),
            "row_number": np.arange(n) * 7 + 100,
            "channel": rng.choice(["a", "b", "c"], n),
        }
    )
    suspects, aucs = find_leaks(frame, y, list(frame.columns))
    flagged = {s.column: s for s in suspects}
    assert set(flagged) == {"outcome_note", "row_number"}
    assert flagged["outcome_note"].value >= 0.9 and "ROC AUC" in flagged["outcome_note"].reason
    assert "ID" in flagged["row_number"].reason
    assert aucs["noise"] < 0.65
    kept, _ = find_leaks(frame, y, list(frame.columns), allow={"outcome_note"})
    assert {s.column: s.excluded for s in kept}["outcome_note"] is False


def test_training_is_deterministic(judged) -> None:
    sample = judged.iloc[:1500]
    first = train_judge(sample, schema=LeadSchema.synthetic(), charter=None)
    again = train_judge(sample, schema=LeadSchema.synthetic(), charter=None)
    assert first.choice.name == again.choice.name
    assert first.judge.threshold == again.judge.threshold
    np.testing.assert_array_equal(
        first.judge.predict_proba(judged), again.judge.predict_proba(judged)
    )
    assert first.judge.card["data_sha256"] == again.judge.card["data_sha256"]


def test_saved_judge_loads_and_predicts_the_same(trained, judged, tmp_path) -> None:
    trained.judge.save(tmp_path / "m")
    loaded = load_judge(tmp_path / "m")
    np.testing.assert_allclose(loaded.predict_proba(judged), trained.judge.predict_proba(judged))
    card = json.loads((tmp_path / "m" / "model_card.json").read_text(encoding="utf-8"))
    for key in ("data_sha256", "rows", "class_balance", "charter", "schema", "features"):
        assert card[key], key
    assert card["charter"]["name"] == "agreed" and len(card["charter"]["sha256"]) == 64
    assert card["versions"]["scikit-learn"] and card["threshold"] == trained.judge.threshold
    assert card["metrics"]["test"][0]["predictor"] == "judge (model)"


def test_tampered_model_file_is_refused(trained, tmp_path) -> None:
    trained.judge.save(tmp_path / "m")
    path = tmp_path / "m" / "model.skops"
    with zipfile.ZipFile(path) as src:
        entries = {name: src.read(name) for name in src.namelist()}
    schema = json.loads(entries["schema.json"])
    schema["__module__"], schema["__class__"] = "os", "system"  # the root object, swapped
    entries["schema.json"] = json.dumps(schema).encode()
    with zipfile.ZipFile(path, "w") as dst:
        for name, data in entries.items():
            dst.writestr(name, data)
    with pytest.raises(DataError, match="refused"):
        load_judge(tmp_path / "m")
    path.write_bytes(b"not a zip at all")
    with pytest.raises(DataError, match="not a triage model file"):
        load_judge(tmp_path / "m")


# -------------------------------------------------------------------- any CRM export
def test_crm_export_trains_and_scores_through_a_schema(tmp_path, capsys) -> None:
    data, schema = write_crm(tmp_path)
    out = tmp_path / "models" / "crm"
    assert main(["train", "--leads", str(data), "--schema", str(schema), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "Lead Number" not in err or "excluded" in err  # excluded by the schema, never flagged
    card = json.loads((out / "model_card.json").read_text(encoding="utf-8"))
    features = card["features"]["categorical"] + card["features"]["numeric"]
    for never in ("Tags", "Lead Quality", "Lead Number", "Converted", "lead_id"):
        assert never not in features
    assert "Lead Origin" in features and "Total Time Spent on Website" in features
    assert "stratified random" in card["split"]
    auc = card["metrics"]["test"][0]["roc_auc"]
    assert auc > 0.8, auc
    fresh = make_crm(200, seed=5).drop(columns=["Converted", "Tags", "Lead Quality"])
    fresh_path = tmp_path / "new.csv"
    fresh.to_csv(fresh_path, index=False)
    scored = tmp_path / "scored.csv"
    assert (
        main(["score", "--model", str(out), "--leads", str(fresh_path), "--out", str(scored)]) == 0
    )
    result = pd.read_csv(scored)
    assert len(result) == 200
    assert result["lead_id"].tolist() == fresh["Prospect ID"].tolist()  # every row, in order
    assert result["p_target"].between(0, 1).all()
    assert set(result["model_verdict"]) <= {"target", "non_target"}
    assert json.loads(result["reasons"].iloc[0])[0]["criterion"] in ("context", "decoder")


def test_schema_errors_name_file_line_and_key(tmp_path) -> None:
    data, _ = write_crm(tmp_path, n=120)
    bad = tmp_path / "bad.yaml"
    bad.write_text("columns: {lead_id: Prospect ID}\nlabl: {column: Converted}\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.yaml:2:1: schema: unknown key 'labl'; did you mean"):
        load_schema(bad)
    missing = tmp_path / "missing.yaml"
    missing.write_text("label: {column: Convertd, positive: [1]}\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"missing\.yaml:1:1: label names column 'Convertd'"):
        main_error(["train", "--leads", str(data), "--schema", str(missing), "--out", "x"])
    odd = tmp_path / "odd.yaml"
    odd.write_text(
        "label: {column: Country, positive: [India], negative: [Select]}\n", encoding="utf-8"
    )
    with pytest.raises(DataError, match="label column 'Country' holds"):
        main_error(["train", "--leads", str(data), "--schema", str(odd), "--out", "x"])


def main_error(argv: list[str]) -> None:
    """Run a command through the library path that raises (for pytest.raises)."""
    from triage.cli import build_parser

    args = build_parser().parse_args(argv)
    args.run(args)


def test_score_a_file_without_verdict_columns(trained, world, tmp_path) -> None:
    trained.judge.save(tmp_path / "m", catalog=world.catalog)
    new = world.leads.drop(
        columns=["marketing_verdict", "sales_verdict", "status", "lost_reason", "revenue_rub"]
    ).head(400)
    path = tmp_path / "new.parquet"
    new.to_parquet(path)
    out = tmp_path / "scored.parquet"
    args = ["score", "--model", str(tmp_path / "m"), "--leads", str(path), "--out", str(out)]
    assert main([*args, "--chunk-size", "150", "--workers", "2"]) == 0
    scored = pd.read_parquet(out)
    assert scored["lead_id"].tolist() == new["lead_id"].tolist()
    assert {"decoded_make", "crit_opel_only", "charter_verdict", "p_target", "reasons"} <= set(
        scored.columns
    )
    whole = tmp_path / "whole.parquet"
    assert main([*args[:-1], str(whole), "--chunk-size", "100000", "--workers", "1"]) == 0
    pd.testing.assert_frame_equal(pd.read_parquet(whole), scored)


def test_score_sets_unreadable_rows_aside_and_counts_them(tmp_path, capsys) -> None:
    data, schema = write_crm(tmp_path, n=300)
    out = tmp_path / "models" / "crm"
    assert main(["train", "--leads", str(data), "--schema", str(schema), "--out", str(out)]) == 0
    fresh = make_crm(50, seed=9).drop(columns=["Converted", "Tags", "Lead Quality"])
    path = tmp_path / "new.csv"
    fresh.to_csv(path, index=False)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(10, lines[10] + ",an,extra,field")  # a row longer than the header
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    scored, aside = tmp_path / "scored.csv", tmp_path / "aside.csv"
    run = ["score", "--model", str(out), "--leads", str(path), "--out", str(scored)]
    assert main(run) == 1  # without a quarantine the broken row stops the run, line named
    assert "new.csv:11: the row has 13 field(s)" in capsys.readouterr().err
    assert main([*run, "--quarantine", str(aside)]) == 0
    err = capsys.readouterr().err
    assert "51 leads read: 50 scored" in err and "1 set aside" in err
    assert len(pd.read_csv(scored)) == 50
    quarantined = pd.read_csv(aside)
    assert len(quarantined) == 1 and quarantined["reason"].str.contains("field").all()
