"""The shipped charters on a small synthetic world, with the real decoder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from triage import synth
from triage.cli import main
from triage.config import get_settings

CHARTERS_DIR = get_settings().charters_dir

@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    world = synth.generate_world(months=1, leads_per_month=400, catalog_size=3000, seed=3)
    synth.write_world(world, out)
    return out


def test_agreed_charter_follows_the_ground_truth(world: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "evaluated.parquet"
    code = main(
        [
            "charter",
            "evaluate",
            str(CHARTERS_DIR / "agreed.yaml"),
            "--leads",
            str(world / "leads.csv"),
            "--catalog",
            str(world / "catalog.csv"),
            "--out",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    evaluated = pd.read_parquet(out)
    truth = pd.read_csv(world / "truth.csv", dtype=str, keep_default_na=False)
    merged = evaluated.merge(truth, on="lead_id", validate="one_to_one")
    assert len(merged) == len(evaluated) == 400
    # the charter's logic is the ground truth's; what differs are the decoder's misses
    assert (merged["charter_verdict"] == merged["true_verdict"]).mean() > 0.9


def test_departments_and_decree_on_the_world(world: Path, capsys) -> None:
    leads = ["--leads", str(world / "leads.csv"), "--catalog", str(world / "catalog.csv")]
    assert main(["agreement", *leads, "--by", "channel"]) == 0
    assert "yandex_direct" in capsys.readouterr().out
    marketing, sales = str(CHARTERS_DIR / "marketing.yaml"), str(CHARTERS_DIR / "sales.yaml")
    assert main(["charter", "diff", marketing, sales, *leads]) == 0
    out = capsys.readouterr().out
    assert "Cohen's kappa" in out and "opel_only" in out


def test_agreed_yaml_on_true_slots_reproduces_the_ground_truth_exactly(world: Path) -> None:
    """The decree and the world agree by construction: with perfect decoding, every
    verdict and every failed criterion of agreed.yaml equals the ground truth."""
    from triage.charter import evaluate_charter, load_charter

    leads = pd.read_csv(world / "leads.csv", dtype=str, keep_default_na=False)
    truth = pd.read_csv(world / "truth.csv", dtype=str, keep_default_na=False)
    perfect = leads.merge(truth, on="lead_id", validate="one_to_one")
    perfect["decoded_make"] = perfect["true_make"]
    perfect["decoded_status"] = perfect["tier"].map({"not_a_part": "not_a_part", "empty": "empty"})
    perfect["decoded_status"] = perfect["decoded_status"].fillna("decoded")
    perfect["decoded_sku"] = perfect["true_sku"]
    evaluated = evaluate_charter(perfect, load_charter(CHARTERS_DIR / "agreed.yaml"))
    assert (evaluated["charter_verdict"] == perfect["true_verdict"]).all()
    failed = evaluated["charter_failed"].str.replace("missing:", "", regex=False)
    assert (failed == perfect["true_failed"]).all()
    assert (perfect["true_verdict"] == "target").mean() > 0.3  # not a trivial world


def test_agreed_served_regions_are_the_reference_ones() -> None:
    """agreed.yaml keeps its own copy of the served regions; it must match regions.csv."""
    from triage.charter import load_charter
    regions = pd.read_csv(get_settings().reference_dir / "regions.csv", dtype=str)
    served = set(regions.loc[regions["served"].str.lower() == "true", "region"])
    rule = load_charter(CHARTERS_DIR / "agreed.yaml").criterion("served_region").rule
    assert set(rule.value) == served
