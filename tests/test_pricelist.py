"""The price-list catalog style of the generator and its ground truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from triage.synth._catalog import build_catalog
from triage.synth._pricelist import EXTRA_KINDS, build_pricelist, kind_requests
from triage.synth._reference import load_reference


@pytest.fixture(scope="module")
def cat():
    return build_catalog(load_reference(), 3000, np.random.default_rng(5))


@pytest.fixture(scope="module")
def pl(cat):
    return build_pricelist(cat, np.random.default_rng(6))


def test_same_seed_same_price_list(cat, pl):
    again = build_pricelist(cat, np.random.default_rng(6))
    pd.testing.assert_frame_equal(pl.catalog, again.catalog)
    pd.testing.assert_frame_equal(pl.coverage, again.coverage)
    other = build_pricelist(cat, np.random.default_rng(7))
    assert not other.catalog["name"].equals(pl.catalog["name"])


def test_only_article_name_and_price(pl):
    assert list(pl.catalog.columns) == ["sku", "name", "price"]
    assert pl.catalog["sku"].is_unique
    assert pl.catalog["name"].str.len().max() <= 70


def test_every_generated_item_is_in_one_price_list_item(cat, pl):
    assert set(pl.item_of.index) == set(cat.catalog["sku"])
    assert set(pl.item_of) <= set(pl.catalog["sku"])


def test_coverage_is_the_ground_truth_of_fitments(cat, pl):
    cover = pl.coverage
    assert set(cover["sku"]) == set(pl.catalog["sku"])
    per_item = cover.groupby("sku").size()
    assert (per_item > 1).sum() > 0.05 * len(per_item)  # items listed for several cars
    fitment_of = dict(zip(cat.catalog["sku"], cat.fitment, strict=True))
    covered = set(zip(cover["sku"], cover["fitment"], strict=True))
    for sku, item in pl.item_of.items():
        assert (item, fitment_of[sku]) in covered
    assert (cover["make"] == "Chevrolet").any()  # sibling makes listed
    assert cover["part_type"].isin([k[0] for k in EXTRA_KINDS]).any()  # kinds beyond the taxonomy


def test_accepted_items_cover_the_wanted_fitment(cat, pl):
    wanted = cat.catalog["sku"].iloc[:50]
    accepted = pl.accepted(cat, wanted)
    for sku, items in zip(wanted, accepted, strict=True):
        assert pl.item_of[sku] in items
    assert pl.accepted(cat, pd.Series(["", "nope"])) == [[], []]


def test_names_read_like_a_price_list(pl):
    names = " ".join(pl.catalog["name"])
    for marker in ("пер.", "к-кт", "/", "ГРМ"):
        assert marker.lower() in names.lower(), marker


def test_kind_requests_have_accepted_articles(pl):
    req = kind_requests(pl, np.random.default_rng(1), 20)
    assert len(req) == 20
    assert all(req["accepted"].map(len) > 0)
    assert set().union(*req["accepted"]) <= set(pl.catalog["sku"])
