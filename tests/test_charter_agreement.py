"""Percent agreement and Cohen's kappa with its interval, against independent references."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from triage.charter import agreement_table, cohen_kappa_ci, parse_charter
from triage.errors import TriageWarning, UsageError
from triage.labels import normalize_verdicts


def _raters(n: int, agree: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.choice(["target", "non_target"], size=n, p=[0.4, 0.6])
    flip = rng.random(n) > agree
    b = np.where(flip, np.where(a == "target", "non_target", "target"), a)
    return a, b


@pytest.mark.parametrize(("n", "agree", "seed"), [(50, 0.7, 1), (400, 0.85, 2), (2000, 0.6, 3)])
def test_kappa_matches_sklearn(n: int, agree: float, seed: int) -> None:
    a, b = _raters(n, agree, seed)
    result = cohen_kappa_ci(a, b)
    assert result.kappa == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
    assert result.percent_agreement == pytest.approx(float(np.mean(a == b)))
    assert result.n == n
    assert result.low < result.kappa < result.high


def test_kappa_three_labels_matches_sklearn() -> None:
    rng = np.random.default_rng(5)
    a = rng.choice(["x", "y", "z"], size=300)
    b = np.where(rng.random(300) < 0.7, a, rng.choice(["x", "y", "z"], size=300))
    assert cohen_kappa_ci(a, b).kappa == pytest.approx(cohen_kappa_score(a, b))


def test_analytic_interval_agrees_with_bootstrap() -> None:
    a, b = _raters(1500, 0.8, 11)
    analytic = cohen_kappa_ci(a, b)
    boot = cohen_kappa_ci(a, b, method="bootstrap", n_boot=1500, seed=3)
    # an independent bootstrap written here, with sklearn as the statistic
    rng = np.random.default_rng(99)
    stats = []
    for _ in range(500):
        pick = rng.integers(0, len(a), len(a))
        stats.append(cohen_kappa_score(a[pick], b[pick]))
    ref_se = float(np.std(stats, ddof=1))
    assert analytic.se == pytest.approx(ref_se, rel=0.15)
    assert boot.se == pytest.approx(ref_se, rel=0.15)
    assert analytic.low == pytest.approx(boot.low, abs=0.02)
    assert analytic.high == pytest.approx(boot.high, abs=0.02)
    assert analytic.low == pytest.approx(float(np.quantile(stats, 0.025)), abs=0.025)


def test_bootstrap_is_seeded() -> None:
    a, b = _raters(200, 0.7, 4)
    one = cohen_kappa_ci(a, b, method="bootstrap", n_boot=300, seed=1)
    two = cohen_kappa_ci(a, b, method="bootstrap", n_boot=300, seed=1)
    assert one == two


def test_kappa_edge_cases() -> None:
    perfect = cohen_kappa_ci(["t", "n", "t"], ["t", "n", "t"])
    assert perfect.kappa == 1.0 and perfect.high == 1.0
    same = cohen_kappa_ci(["t", "t"], ["t", "t"])  # chance agreement is 1: kappa undefined
    assert math.isnan(same.kappa) and same.percent_agreement == 1.0
    empty = cohen_kappa_ci([], [])
    assert empty.n == 0 and math.isnan(empty.kappa)
    missing = cohen_kappa_ci(["t", None, "n", "t"], ["t", "n", None, "n"])
    assert missing.n == 2
    with pytest.raises(UsageError, match="label 2 and 1"):
        cohen_kappa_ci(["t", "n"], ["t"])
    with pytest.raises(UsageError, match="confidence"):
        cohen_kappa_ci(["t"], ["t"], confidence=1.5)


def test_normalize_verdicts() -> None:
    raw = pd.Series(["target", "Целевой", "НЕЦЕЛЕВОЙ", "non-target", "да", "0", None, "может быть"])
    assert normalize_verdicts(raw, warn=False).tolist() == [
        "target",
        "target",
        "non_target",
        "non_target",
        "target",
        "non_target",
        pd.NA,
        pd.NA,
    ]


def test_unknown_verdict_words_are_counted_and_can_be_mapped() -> None:
    raw = pd.Series(
        ["Целевой лид", "Целевой лид", " квалифицирован ", "n/a", "", None, "нет"],
        name="sales_verdict",
    )
    with pytest.warns(TriageWarning) as caught:
        assert normalize_verdicts(raw).isna().sum() == 6
    message = str(caught[0].message)
    assert message.startswith("sales_verdict: 4 of 7 verdict(s) are words triage does not know")
    assert "'Целевой лид' (2), 'n/a' (1), 'квалифицирован' (1)" in message
    mapping = {"целевой ЛИД": "target", "Квалифицирован": "target", "n/a": "non_target"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mapped = normalize_verdicts(raw, mapping)
    assert mapped.tolist()[:4] == ["target", "target", "target", "non_target"]
    assert normalize_verdicts(pd.Series(["нет"]), {"нет": "target"}).tolist() == ["target"]
    with pytest.raises(UsageError, match="map it to target or non_target"):
        normalize_verdicts(raw, {"n/a": "maybe"})


@pytest.fixture
def verdict_leads() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "marketing_verdict": [
                "target",
                "target",
                "target",
                "non_target",
                "target",
                "non_target",
            ],
            "sales_verdict": ["target", "non_target", "target", "non_target", None, "target"],
            "channel": ["avito", "avito", "vk", "vk", "vk", "organic"],
            "region": ["Москва", "Москва", "Москва", "Тверь", "Москва", "Москва"],
            "created_at": [
                "2026-01-03",
                "2026-01-20",
                "2026-02-01",
                "2026-02-02",
                "bad",
                "2026-02-10",
            ],
        }
    )


def test_agreement_table_overall_and_by_group(verdict_leads: pd.DataFrame) -> None:
    charter = parse_charter(
        "charter: c\ncriteria:\n  - id: moscow\n    rule: {field: region, op: eq, value: Москва}\n"
    )
    table = agreement_table(verdict_leads, charter=charter, by="channel")
    assert table["group"].tolist() == ["all", "avito", "organic", "vk"]
    overall = table.iloc[0]
    assert overall["leads"] == 6
    assert overall["marketing_target"] == 4
    assert overall["sales_target"] == 3
    assert overall["charter_target"] == 5
    assert overall["both_verdicts"] == 5
    assert overall["percent_agreement"] == pytest.approx(60.0)
    pairs = verdict_leads.dropna(subset=["sales_verdict"])
    assert overall["kappa"] == pytest.approx(
        cohen_kappa_score(pairs["marketing_verdict"], pairs["sales_verdict"])
    )
    assert overall["marketing_vs_charter"] == pytest.approx(100 * 5 / 6)
    vk = table.set_index("group").loc["vk"]
    assert (vk["leads"], vk["marketing_target"], vk["sales_target"]) == (3, 2, 1)
    assert set(table.columns) >= {"kappa_low", "kappa_high", "sales_vs_charter"}


def test_agreement_by_month_keeps_undated_leads(verdict_leads: pd.DataFrame) -> None:
    table = agreement_table(verdict_leads, by="month")
    assert table["group"].tolist() == ["all", "(no date)", "2026-01", "2026-02"]
    assert table["leads"].sum() == 2 * len(verdict_leads)
    assert "charter_target" not in table.columns


def test_agreement_uses_existing_charter_verdicts(verdict_leads: pd.DataFrame) -> None:
    frame = verdict_leads.assign(charter_verdict=["target"] * 6)
    assert agreement_table(frame).iloc[0]["charter_target"] == 6


def test_agreement_errors(verdict_leads: pd.DataFrame) -> None:
    with pytest.raises(UsageError, match="cannot group by 'nothing'"):
        agreement_table(verdict_leads, by="nothing")
    with pytest.raises(Exception, match="marketing_verdict"):
        agreement_table(verdict_leads.drop(columns=["marketing_verdict"]))
