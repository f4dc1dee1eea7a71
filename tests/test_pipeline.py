"""The one path: a prepared Scorer, chunked scoring equal to whole-file scoring."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from triage.charter import load_charter, parse_charter
from triage.config import get_settings
from triage.errors import DataError, TriageWarning, UsageError
from triage.pipeline import Scorer, score_batch
from triage.synth import generate_world


@pytest.fixture(scope="module")
def world():
    return generate_world(months=2, leads_per_month=1200, catalog_size=3000, seed=5)


@pytest.fixture(scope="module")
def scorer(world) -> Scorer:
    return Scorer.build(catalog=world.catalog)


@pytest.fixture(scope="module")
def whole(world, scorer) -> pd.DataFrame:
    return scorer.score_batch(world.leads, chunk_size=10**6).leads


def test_chunks_of_1000_give_the_same_rows_as_the_whole_file(world, scorer, whole) -> None:
    chunked = scorer.score_batch(world.leads, chunk_size=1000).leads
    pd.testing.assert_frame_equal(chunked, whole)
    # The world repeats contacts within days, so duplicates straddle chunk boundaries:
    # scoring each chunk on its own would miss them.
    dup = whole["is_duplicate"].fillna(False).to_numpy(dtype=bool)
    positions = np.flatnonzero(dup)
    assert (positions % 1000 < 30).any(), "no duplicate right after a chunk boundary"
    naive = pd.concat(
        [
            scorer.score_batch(world.leads.iloc[i : i + 1000], chunk_size=1000).leads
            for i in range(0, len(world.leads), 1000)
        ]
    )
    assert (naive["is_duplicate"] != whole["is_duplicate"]).any()


def test_workers_give_the_same_rows(world, scorer, whole) -> None:
    parallel = scorer.score_batch(world.leads, chunk_size=700, workers=2).leads
    pd.testing.assert_frame_equal(parallel, whole)


def test_every_row_in_order_with_decoded_derived_and_charter_columns(world, whole) -> None:
    assert len(whole) == len(world.leads)
    assert whole["lead_id"].tolist() == world.leads["lead_id"].tolist()
    n_input = len(world.leads.columns)
    assert list(whole.columns[:n_input]) == list(world.leads.columns)
    added = list(whole.columns[n_input:])
    assert added[0] == "decoded_make" and "phone_valid" in added and "is_duplicate" in added
    assert added[-2:] == ["charter_verdict", "charter_failed"]
    assert any(c.startswith("crit_") for c in added)


def test_score_chunk_needs_the_global_prepass(world, scorer) -> None:
    with pytest.raises(UsageError, match="needs every lead"):
        scorer.score_chunk(world.leads.iloc[:50])
    prepared = scorer.prepare(world.leads)
    out = scorer.score_chunk(prepared.iloc[:50])
    assert len(out) == 50 and "charter_verdict" in out.columns


def test_the_scorer_pickles(world, scorer, whole) -> None:
    copy = pickle.loads(pickle.dumps(scorer))
    part = copy.score_chunk(copy.prepare(world.leads).iloc[:200])
    pd.testing.assert_frame_equal(part, whole.iloc[:200])


def test_a_charter_on_decoded_fields_without_a_catalog_is_refused(world) -> None:
    scorer = Scorer.build(catalog=None)
    with pytest.raises(DataError, match="decode the requests first"):
        scorer.score_batch(world.leads.iloc[:20])
    empty = Scorer.build(catalog=None, missing="empty")
    with pytest.warns(TriageWarning, match="left empty"):
        out = empty.score_batch(world.leads.iloc[:20]).leads
    assert out["crit_opel_only"].isna().all()
    assert (out["charter_verdict"] == "non_target").all()


def test_leads_that_carry_decoded_columns_need_no_catalog(whole) -> None:
    decoded = whole.drop(columns=[c for c in whole.columns if c.startswith("crit_")])
    decoded = decoded.drop(columns=["charter_verdict", "charter_failed"])
    again = score_batch(decoded, catalog=None).leads
    assert again["charter_verdict"].tolist() == whole["charter_verdict"].tolist()


def test_a_charters_own_duplicate_window_is_used(world) -> None:
    text = (
        "charter: w\nsettings: {duplicate_window_days: 0}\ncriteria:\n"
        "  - id: fresh\n    rule: {field: is_duplicate, op: eq, value: false}\n"
    )
    narrow = Scorer(charter=parse_charter(text)).score_batch(world.leads).leads
    wide = Scorer(charter=parse_charter(text.replace("days: 0", "days: 30"))).score_batch(
        world.leads
    )
    assert narrow["is_duplicate"].sum() < wide.leads["is_duplicate"].sum()


def test_bad_arguments() -> None:
    agreed = load_charter(get_settings().agreed_charter)
    with pytest.raises(UsageError, match="missing"):
        Scorer(charter=agreed, missing="guess")
    with pytest.raises(UsageError, match="chunk_size"):
        Scorer(charter=agreed).score_batch(pd.DataFrame({"region": ["x"]}), chunk_size=0)
