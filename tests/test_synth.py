"""Tests of the synthetic world generator (triage.synth) and triage.contact."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from triage.cli import main
from triage.contact import duplicate_of, email_valid, is_duplicate, normalize_phone, phone_valid
from triage.errors import DataError, UsageError
from triage.schema import CATALOG_COLUMNS, LEAD_COLUMNS, RESPONSIBILITIES, TIERS, TRUTH_COLUMNS
from triage.synth import World, generate_world, write_world
from triage.synth._leads import DEFAULT_TIER_SHARES
from triage.synth._reference import CURRENT_YEAR, load_reference

SMALL = {"months": 2, "leads_per_month": 600, "catalog_size": 3000, "seed": 11}
OPEL_TIERS = TIERS[:9]
CRITERIA = ["opel_only", "part_request", "served_region", "reachable", "not_duplicate"]


@pytest.fixture(scope="module")
def world() -> World:
    return generate_world(**SMALL)


@pytest.fixture(scope="module")
def written(world, tmp_path_factory):
    return write_world(world, tmp_path_factory.mktemp("world"))


@pytest.fixture(scope="module")
def ref():
    return load_reference()


@pytest.fixture(scope="module")
def joined(world) -> pd.DataFrame:
    return world.leads.merge(world.truth, on="lead_id", validate="one_to_one")


# --- determinism and files --------------------------------------------------------------


def test_same_seed_gives_identical_bytes(written, tmp_path):
    again = write_world(generate_world(**SMALL), tmp_path / "again")
    for key in ("catalog", "leads", "truth", "world"):
        assert written[key].read_bytes() == again[key].read_bytes(), key


def test_different_seed_gives_different_files(written, tmp_path):
    other = write_world(generate_world(**{**SMALL, "seed": 12}), tmp_path / "other")
    for key in ("catalog", "leads", "truth"):
        assert written[key].read_bytes() != other[key].read_bytes(), key


def test_catalog_does_not_depend_on_lead_count(world):
    other = generate_world(**{**SMALL, "leads_per_month": 50})
    pd.testing.assert_frame_equal(world.catalog, other.catalog)


def test_written_files_have_the_schema_columns(written):
    expected = {"catalog": CATALOG_COLUMNS, "leads": LEAD_COLUMNS, "truth": TRUTH_COLUMNS}
    for key, columns in expected.items():
        frame = pd.read_csv(written[key], dtype=str, keep_default_na=False)
        assert list(frame.columns) == columns
    summary = json.loads(written["world"].read_text(encoding="utf-8"))
    assert summary["params"]["seed"] == SMALL["seed"]
    assert summary["counts"]["leads"] == SMALL["months"] * SMALL["leads_per_month"]


def test_frames_have_the_schema_columns_and_sizes(world):
    assert list(world.catalog.columns) == CATALOG_COLUMNS
    assert list(world.leads.columns) == LEAD_COLUMNS
    assert list(world.truth.columns) == TRUTH_COLUMNS
    assert len(world.catalog) == SMALL["catalog_size"]
    assert len(world.leads) == len(world.truth) == SMALL["months"] * SMALL["leads_per_month"]


# --- catalog ----------------------------------------------------------------------------


def test_catalog_keys_and_values(world, ref):
    cat = world.catalog
    assert cat["sku"].is_unique
    assert set(cat["make"]) == {"Opel"}
    assert set(cat["part_type"]) == set(ref.part_types["part_type"])
    gens = set(zip(ref.opel_models["model"], ref.opel_models["generation"], strict=True))
    assert set(zip(cat["model"], cat["generation"], strict=True)) == gens
    assert cat["axle"].isin(["front", "rear", ""]).all()
    assert cat["side"].isin(["left", "right", ""]).all()
    assert (cat["price_rub"] > 0).all()
    assert 0.6 < cat["in_stock"].mean() < 0.8
    assert cat["oem_number"].str.fullmatch(r"\d{8}").all()


def test_each_group_has_one_original_and_shares_its_fitment(world):
    cat = world.catalog
    fitment = ["part_type", "model", "generation", "axle", "side", "engine_codes"]
    assert (cat.groupby("oem_number")[fitment].nunique() == 1).all().all()
    originals = cat["brand"].isin(["GM", "Opel"]).groupby(cat["oem_number"]).sum()
    assert (originals == 1).all()


def test_catalog_names_carry_the_fitment(world, ref):
    cat = world.catalog
    parts = ref.part_types.set_index("part_type")["name_ru"]
    for row in cat.sample(400, random_state=0).itertuples():
        name = row.name
        assert name.startswith(parts[row.part_type]), name
        assert "opel" in name.lower() and row.model in name.lower(), name
        assert f" {row.generation} " in f" {name} ", name
        if row.engine_codes:
            assert row.engine_codes in name, name
        if row.side:
            assert ("лев" if row.side == "left" else "прав") in name, name
        if row.axle:
            assert ("пер" if row.axle == "front" else "зад") in name, name


def test_catalog_years_inside_generation_years(world, ref):
    gens = ref.opel_models.set_index(["model", "generation"])
    gen_years = gens[["year_from", "year_to_effective"]].add_suffix("_gen")
    merged = world.catalog.join(gen_years, on=["model", "generation"])
    year_to = merged["year_to"].fillna(CURRENT_YEAR)
    assert (merged["year_from"] >= merged["year_from_gen"]).all()
    assert (year_to <= merged["year_to_effective_gen"]).all()
    assert (merged["year_from"] <= year_to).all()


def test_catalog_engines_belong_to_the_generation(world, ref):
    gens = ref.opel_models.set_index(["model", "generation"])["engine_codes"]
    has_engine = world.catalog[world.catalog["engine_codes"] != ""]
    assert not has_engine.empty
    for row in has_engine.itertuples():
        assert row.engine_codes in gens[(row.model, row.generation)]


def test_cross_numbers_find_the_group(world):
    cat = world.catalog
    owner: dict[str, set[str]] = {}
    for oem, cross in zip(cat["oem_number"], cat["cross_numbers"], strict=True):
        for number in cross.split(";"):
            owner.setdefault(number, set()).add(oem)
    assert all(len(groups) == 1 for groups in owner.values())


def test_big_catalog_is_rejected_beyond_capacity():
    with pytest.raises(UsageError, match="catalog-size"):
        generate_world(months=1, leads_per_month=1, catalog_size=10_000_000)


# --- leads and truth ---------------------------------------------------------------------


def test_true_sku_matches_the_truth_columns(world, joined):
    cat = world.catalog.set_index("sku")
    opel = joined[joined["tier"].isin(OPEL_TIERS)]
    assert (opel["true_sku"] != "").all()
    assert opel["true_sku"].isin(cat.index).all()
    items = cat.loc[opel["true_sku"]]
    for truth_col, cat_col in [
        ("true_part_type", "part_type"),
        ("true_model", "model"),
        ("true_generation", "generation"),
        ("true_side", "side"),
        ("true_axle", "axle"),
    ]:
        assert (opel[truth_col].to_numpy() == items[cat_col].to_numpy()).all(), truth_col
    others = joined[~joined["tier"].isin(OPEL_TIERS)]
    assert (others["true_sku"] == "").all()


def test_tier_shares_close_to_configured(joined):
    shares = joined["tier"].value_counts(normalize=True)
    assert set(shares.index) == set(TIERS)
    for tier, share in DEFAULT_TIER_SHARES.items():
        assert abs(shares[tier] - share) < 0.03, (tier, shares[tier])


def _tokens(text: str) -> str:
    return " " + " ".join(re.findall(r"[\w\-]+", text.lower())) + " "


def test_other_make_texts_name_that_make_and_no_opel(joined, ref):
    makes = ref.makes.set_index("make")
    opel_words = set(makes.loc["Opel", "aliases"]) | set(makes.loc["Opel", "model_examples"])
    for model_aliases in ref.opel_models["aliases_ru"]:
        opel_words |= set(model_aliases)
    other = joined[joined["tier"] == "other_make"]
    assert len(other) > 50
    for row in other.itertuples():
        words = _tokens(row.request_text)
        own = makes.loc[row.true_make, "aliases"] + makes.loc[row.true_make, "model_examples"]
        assert any(f" {w.lower()} " in words for w in own), row.request_text
        assert not any(f" {w.lower()} " in words for w in opel_words), row.request_text
        assert row.true_part_type


def test_true_year_inside_the_true_generation(joined, ref):
    gens = ref.opel_models.set_index(["model", "generation"])
    with_year = joined[(joined["true_year"] != "") & joined["tier"].isin(OPEL_TIERS)]
    assert len(with_year) > 50
    for row in with_year.itertuples():
        gen = gens.loc[(row.true_model, row.true_generation)]
        assert gen["year_from"] <= int(row.true_year) <= gen["year_to_effective"]


def test_mentioned_year_and_engine_appear_in_plain_texts(joined):
    plain = joined[joined["tier"].isin(["colloquial", "slang", "missing_slots", "vague"])]
    for row in plain.itertuples():
        if row.true_year:
            assert row.true_year in row.request_text
        if row.true_engine:
            assert row.true_engine.lower() in row.request_text.lower()
        assert ("year" in row.true_mentioned.split(";")) == bool(row.true_year)


def test_exact_and_oem_texts_specify_the_item(joined):
    easy = joined[joined["tier"].isin(["exact", "oem"])]
    assert easy["specifies_item"].all()
    assert not joined.loc[
        joined["tier"].isin(["other_make", "not_a_part", "empty"]), "specifies_item"
    ].any()


def test_oem_texts_quote_a_number_of_the_group(world, joined):
    cat = world.catalog.set_index("sku")
    for row in joined[joined["tier"] == "oem"].itertuples():
        item = cat.loc[row.true_sku]
        group = cat[cat["oem_number"] == item["oem_number"]]
        numbers = {item["oem_number"]} | {n for c in group["cross_numbers"] for n in c.split(";")}
        squeezed = re.sub(r"\W", "", row.request_text.lower())
        assert any(re.sub(r"\W", "", n.lower()) in squeezed for n in numbers), row


def test_duplicates_follow_contact_rules(world, joined):
    expected = is_duplicate(world.leads)
    assert (expected.to_numpy() == (world.truth["duplicate_of"] != "").to_numpy()).all()
    share = expected.mean()
    assert 0.02 < share < 0.08
    ids = world.leads["lead_id"].to_numpy()
    times = pd.to_datetime(world.leads["created_at"]).to_numpy()
    position = {lead: k for k, lead in enumerate(ids)}
    for k, dup in enumerate(world.truth["duplicate_of"]):
        if dup:
            j = position[dup]
            assert times[j] <= times[k]
            assert times[k] - times[j] <= np.timedelta64(7, "D")


def test_true_verdict_follows_the_five_criteria(world, joined, ref):
    served = set(ref.regions.loc[ref.regions["served"], "region"])
    reachable = phone_valid(joined["phone"]) | email_valid(joined["email"])
    failed = {
        "opel_only": joined["true_make"] != "Opel",
        "part_request": joined["tier"].isin(["not_a_part", "empty"]),
        "served_region": ~joined["region"].isin(served),
        "reachable": ~reachable,
        "not_duplicate": is_duplicate(world.leads).to_numpy(),
    }
    expected = [
        ";".join(c for c in CRITERIA if bool(np.asarray(failed[c])[i])) for i in range(len(joined))
    ]
    assert joined["true_failed"].tolist() == expected
    assert ((joined["true_failed"] == "") == (joined["true_verdict"] == "target")).all()
    assert set(joined["true_verdict"]) == {"target", "non_target"}


def test_responsibility_rules(joined):
    from triage.synth._leads import _LOST_TEXT, BUSINESS_LOSSES

    assert set(joined["true_responsibility"]) <= set(RESPONSIBILITIES)
    target = joined["true_verdict"] == "target"
    status = joined["status"]
    business_words = {t for key in BUSINESS_LOSSES for t in _LOST_TEXT[key]}
    business = joined["lost_reason"].isin(business_words)
    expected = np.select(
        [
            target & (status == "won"),
            target & (status == "open"),
            target & (status == "lost") & business,
            target & (status == "lost"),
            ~target & (joined["marketing_verdict"] == "target"),
        ],
        ["won", "open", "lost_business", "sales_miss", "marketing_miss"],
        "correct_reject",
    )
    assert (joined["true_responsibility"].to_numpy() == expected).all()
    assert (joined["true_responsibility"] == "lost_business").sum() > 0


def test_lead_values_are_plausible(world, ref):
    leads = world.leads
    assert leads["lead_id"].is_unique
    assert leads["created_at"].is_monotonic_increasing
    assert leads["channel"].isin(ref.channels["channel"]).all()
    assert leads["status"].isin(["won", "lost", "open"]).all()
    assert leads["marketing_verdict"].isin(["target", "non_target", ""]).all()
    assert leads["sales_verdict"].isin(["target", "non_target", ""]).all()
    won = leads["status"] == "won"
    assert leads.loc[won, "revenue_rub"].notna().all()
    assert leads.loc[~won, "revenue_rub"].isna().all()
    assert (leads.loc[leads["status"] != "lost", "lost_reason"] == "").all()
    assert 6 <= leads["manager"].nunique() <= 10
    paid_search = leads["channel"].isin(["yandex_direct", "google_ads"])
    assert (leads.loc[~paid_search, "utm_term"] == "").all()
    hours = pd.to_datetime(leads["created_at"]).dt.hour
    assert hours.between(9, 19).mean() > 0.6


def test_behaviour_makes_the_dispute_real(joined):
    target = joined["true_verdict"] == "target"
    won_share = (joined.loc[target, "status"] == "won").mean()
    assert 0.3 < won_share < 0.6
    # marketing counts more targets than there are; sales fewer
    assert (joined["marketing_verdict"] == "target").sum() > target.sum()
    assert (joined["sales_verdict"] == "target").sum() < target.sum()
    # weak managers reject decodable hard requests more often than strong ones
    hard = joined["tier"].isin(["slang", "typo", "translit", "layout", "missing_slots", "vague"])
    unclear = joined["lost_reason"].str.contains("поня", na=False)
    by_manager = unclear[hard & target].groupby(joined["manager"]).mean()
    assert by_manager.max() > 3 * by_manager.min()
    # the broad campaign brings many other-make requests
    broad = joined["campaign"] == "direct_autoparts_broad"
    assert (joined.loc[broad, "tier"] == "other_make").mean() > 2 * (
        joined.loc[~broad, "tier"] == "other_make"
    ).mean()


# --- CLI ---------------------------------------------------------------------------------


def test_cli_writes_the_world(tmp_path, capsys):
    code = main(
        [
            "synth",
            "--out",
            str(tmp_path / "w"),
            "--months",
            "1",
            "--leads-per-month",
            "40",
            "--catalog-size",
            "400",
            "--seed",
            "3",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "leads.csv" in out
    assert len(pd.read_csv(tmp_path / "w" / "leads.csv")) == 40


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["--months", "-1"], "--months"),
        (["--leads-per-month", "0"], "--leads-per-month"),
        (["--seed", "abc"], "--seed"),
        (["--catalog-size", "x"], "--catalog-size"),
        (["--start", "May"], "--start"),
    ],
)
def test_cli_bad_arguments_exit_2(tmp_path, capsys, args, name):
    code = main(
        [
            "synth",
            "--out",
            str(tmp_path / "w"),
            "--catalog-size",
            "400",
            "--leads-per-month",
            "10",
            *args,
        ]
    )
    assert code == 2
    assert name in capsys.readouterr().err


def test_cli_unwritable_out_exits_1(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code = main(
        [
            "synth",
            "--out",
            str(blocker / "w"),
            "--months",
            "1",
            "--leads-per-month",
            "10",
            "--catalog-size",
            "400",
        ]
    )
    assert code == 1
    assert "error" in capsys.readouterr().err


def test_write_world_can_refuse_an_existing_world(world, tmp_path):
    write_world(world, tmp_path)
    before = (tmp_path / "leads.csv").read_bytes()
    with pytest.raises(DataError, match=r"already holds catalog\.csv, leads\.csv, truth\.csv"):
        write_world(world, tmp_path, overwrite=False)
    assert write_world(world, tmp_path)["leads"].read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["catalog.csv", "leads.csv", "truth.csv", "world.json"]
    )  # no temporary file left behind


# --- contact rules -----------------------------------------------------------------------


def test_normalize_phone_examples():
    phones = pd.Series(
        [
            "+7 916 123-45-67",
            "89161234567",
            "8(916)1234567",
            "9161234567",
            "8916123456",
            "123-45-67",
            "+375 29 123-45-67",
            None,
            "",
        ]
    )
    assert normalize_phone(phones).tolist()[:4] == ["79161234567"] * 4
    assert phone_valid(phones).tolist() == [True] * 4 + [False] * 5


@given(st.one_of(st.none(), st.text(alphabet="0123456789+-() 78a", max_size=20)))
def test_normalize_phone_is_idempotent(phone):
    once = normalize_phone(pd.Series([phone], dtype=object))
    twice = normalize_phone(once)
    assert once.equals(twice)


def test_email_valid_examples():
    emails = pd.Series(
        [
            "ivan@mail.ru",
            "a.b@yandex.com",
            "ivan@mail",
            "ivan.mail.ru",
            "ivan@mail,ru",
            " ivan@mail.ru",
            None,
        ]
    )
    assert email_valid(emails).tolist() == [True, True, False, False, False, False, False]


def test_is_duplicate_window_and_ties():
    frame = pd.DataFrame(
        {
            "phone": ["89161234567", "+7 916 123 45 67", "", "9161234567", "123"],
            "email": ["", "", "Ivan@Mail.ru", "", ""],
            "created_at": [
                "2026-05-01T10:00:00",
                "2026-05-08T10:00:00",
                "2026-05-08T10:00:00",
                "2026-05-15T10:00:01",
                "2026-05-15T10:00:01",
            ],
        }
    )
    frame.loc[5] = ["", "ivan@mail.ru", "2026-05-09T00:00:00"]
    frame.loc[6] = ["123", "", "2026-05-15T10:00:01"]
    assert is_duplicate(frame).tolist() == [False, True, False, False, False, True, False]
    assert duplicate_of(frame).tolist()[:2] == [None, 0]


def test_months_past_year_9999_is_a_usage_error(capsys, tmp_path):
    from triage.cli import main

    assert main(["synth", "--out", str(tmp_path / "w"), "--months", "100000"]) == 2
    err = capsys.readouterr().err
    assert "months" in err and "Traceback" not in err
