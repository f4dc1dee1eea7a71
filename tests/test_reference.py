"""Validation of the committed reference data in data/reference."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from triage.config import get_settings
from triage.synth._reference import CURRENT_YEAR, load_reference

REFERENCE_DIR = get_settings().reference_dir

REQUIRED_PARTS = """drive_shaft cv_joint_outer cv_joint_inner cv_boot brake_pads brake_disc
brake_caliper brake_drum shock_absorber coil_spring control_arm ball_joint stabilizer_link
tie_rod tie_rod_end wheel_bearing wheel_hub strut_mount headlight tail_light fog_light
side_mirror bumper fender hood door windshield radiator ac_condenser water_pump thermostat
timing_belt_kit timing_chain drive_belt oil_filter air_filter cabin_filter fuel_filter
fuel_pump spark_plug ignition_coil alternator starter clutch_kit engine_mount exhaust_muffler
oxygen_sensor ecu wiper_blade gearbox turbocharger egr_valve""".split()  # noqa: SIM905

REQUIRED_SLANG = {
    "граната": "cv_joint_outer",
    "внутренняя граната": "cv_joint_inner",
    "мозги": "ecu",
    "аморт": "shock_absorber",
    "линк": "stabilizer_link",
    "косточка": "stabilizer_link",
    "птф": "fog_light",
    "туманка": "fog_light",
    "подушка": "engine_mount",
    "банка": "exhaust_muffler",
    "гена": "alternator",
    "полуось": "drive_shaft",
}

REQUIRED_GENERATIONS = {
    ("astra", "F"): (1991, 1998),
    ("astra", "G"): (1998, 2004),
    ("astra", "H"): (2004, 2010),
    ("astra", "J"): (2009, 2015),
    ("astra", "K"): (2015, 2021),
    ("astra", "L"): (2021, None),
    ("corsa", "B"): (1993, 2000),
    ("corsa", "C"): (2000, 2006),
    ("corsa", "D"): (2006, 2014),
    ("corsa", "E"): (2014, 2019),
    ("corsa", "F"): (2019, None),
    ("insignia", "A"): (2008, 2017),
    ("insignia", "B"): (2017, 2022),
    ("zafira", "A"): (1999, 2005),
    ("zafira", "B"): (2005, 2014),
    ("zafira", "C"): (2011, 2019),
    ("meriva", "A"): (2003, 2010),
    ("meriva", "B"): (2010, 2017),
    ("mokka", "A"): (2012, 2019),
    ("mokka", "B"): (2020, None),
    ("vectra", "B"): (1995, 2002),
    ("vectra", "C"): (2002, 2008),
    ("antara", "A"): (2006, 2015),
    ("omega", "B"): (1994, 2003),
}

SERVED = {
    "Москва",
    "Московская область",
    "Санкт-Петербург",
    "Ленинградская область",
    "Тверская область",
    "Калужская область",
    "Тульская область",
    "Владимирская область",
    "Рязанская область",
    "Ярославская область",
}


@pytest.fixture(scope="module")
def ref():
    return load_reference()


def test_files_are_utf8_without_bom():
    for path in sorted(REFERENCE_DIR.glob("*.csv")):
        raw = path.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), path
        raw.decode("utf-8")


def test_opel_models_generations_and_years(ref):
    models = ref.opel_models
    assert not models.duplicated(["model", "generation"]).any()
    assert set(models["model"]) >= {
        "astra",
        "corsa",
        "insignia",
        "zafira",
        "meriva",
        "mokka",
        "vectra",
        "antara",
        "omega",
        "combo",
        "vivaro",
        "movano",
    }
    assert models["model"].str.fullmatch(r"[a-z]+").all()
    assert models["generation"].str.fullmatch(r"[A-Z]").all()
    found = {
        (r.model, r.generation): (r.year_from, None if pd.isna(r.year_to) else r.year_to)
        for r in models.itertuples()
    }
    for key, years in REQUIRED_GENERATIONS.items():
        assert found.get(key) == years, key
    for model in ("combo", "vivaro", "movano"):
        assert (models["model"] == model).sum() >= 2
    still = models["year_to"].isna()
    assert (models.loc[~still, "year_from"] <= models.loc[~still, "year_to"]).all()
    assert (models["year_from"] <= CURRENT_YEAR).all()
    # the real H/J overlap stays, and the Astra G sedan / Astra H Family long runs are recorded
    astra = models[models["model"] == "astra"].set_index("generation")
    assert astra.at["H", "year_to"] >= astra.at["J", "year_from"]
    assert astra.at["G", "year_to_effective"] == 2009
    assert astra.at["H", "year_to_effective"] == 2014


def test_model_names_and_aliases(ref):
    models = ref.opel_models
    assert (models.groupby("model")[["model_name", "model_ru"]].nunique() == 1).all().all()
    for row in models.itertuples():
        assert row.model_name.lower() == row.model
        assert row.model_ru.lower() in row.aliases_ru
        assert row.body_types and row.engine_codes


def test_engine_codes_exist_and_fit_the_generation_years(ref):
    engines = ref.engines.set_index("engine_code")
    assert ref.engines["engine_code"].is_unique
    assert ref.engines["engine_code"].str.fullmatch(r"[A-Z0-9]{3,7}").all()
    assert ref.engines["fuel"].isin(["petrol", "diesel"]).all()
    assert ref.engines["timing_drive"].isin(["belt", "chain"]).all()
    for row in ref.opel_models.itertuples():
        gen_to = row.year_to_effective
        for code in row.engine_codes:
            assert code in engines.index, (row.model, row.generation, code)
            e_from = engines.at[code, "year_from"]
            e_to = engines.at[code, "year_to"]
            e_to = CURRENT_YEAR if pd.isna(e_to) else e_to
            assert e_from <= gen_to and e_to >= row.year_from, (row.model, row.generation, code)
    for code in (
        "Z16XER",
        "A16XER",
        "Z18XER",
        "A14NET",
        "A20DTH",
        "Z19DT",
        "X16XEL",
        "Z14XEP",
        "A14XER",
        "B16DTH",
    ):
        assert code in engines.index


def test_part_types(ref):
    parts = ref.part_types
    assert parts["part_type"].is_unique
    assert set(REQUIRED_PARTS) <= set(parts["part_type"])
    assert parts["part_type"].str.fullmatch(r"[a-z][a-z_]*").all()
    assert parts["gender"].isin(["m", "f", "n", "pl"]).all()
    assert (parts["price_rub_min"] < parts["price_rub_max"]).all()
    for row in parts.itertuples():
        assert set(row.axles) <= {"front", "rear"}
        assert row.descriptions_ru, row.part_type
        assert row.name_ru and row.name_en


def test_required_slang(ref):
    words = _word_owners(ref)
    for word, part_type in REQUIRED_SLANG.items():
        assert words.get(word) == {part_type}, word


def _word_owners(ref) -> dict[str, set[str]]:
    owners: dict[str, set[str]] = {}
    for row in ref.part_types.itertuples():
        for word in [row.name_ru.lower(), *row.synonyms_ru, *row.slang_ru, *row.misspellings_ru]:
            owners.setdefault(word.lower(), set()).add(row.part_type)
    return owners


def test_each_word_names_one_part_type(ref):
    shared = {w: p for w, p in _word_owners(ref).items() if len(p) > 1}
    assert shared == {}


def test_brands_cover_every_category(ref):
    categories = set(ref.part_types["category"])
    brands = ref.brands
    assert brands["brand"].is_unique
    covered = {c for cats in brands["categories"] for c in cats if c != "*"}
    assert categories <= covered
    assert set(brands.loc[brands["tier"] == "original", "brand"]) == {"GM", "Opel"}
    for row in brands[brands["tier"] != "original"].itertuples():
        assert row.article_formats, row.brand
        for fmt in row.article_formats:
            assert "#" in fmt or "@" in fmt, (row.brand, fmt)


def test_makes(ref):
    makes = ref.makes
    assert makes["make"].is_unique
    assert "Opel" in set(makes["make"])
    assert (makes["make"] != "Opel").sum() >= 25
    for make in (
        "Peugeot",
        "Renault",
        "Chevrolet",
        "Kia",
        "Hyundai",
        "Volkswagen",
        "Ford",
        "Toyota",
        "Lada",
        "Daewoo",
        "Nissan",
    ):
        assert make in set(makes["make"])
    owners: dict[str, set[str]] = {}
    for row in makes.itertuples():
        assert row.aliases and row.model_examples, row.make
        for alias in row.aliases:
            owners.setdefault(alias.lower(), set()).add(row.make)
    assert {a: m for a, m in owners.items() if len(m) > 1} == {}


def test_no_opel_word_collides_with_another_make(ref):
    opel_words = set()
    for aliases in ref.opel_models["aliases_ru"]:
        opel_words |= {a.lower() for a in aliases}
    opel_words |= {m.lower() for m in ref.opel_models["model_name"]}
    opel = ref.makes.set_index("make").loc["Opel"]
    opel_words |= {w.lower() for w in opel["aliases"] + opel["model_examples"]}
    others = ref.makes[ref.makes["make"] != "Opel"]
    other_words = {
        w.lower() for row in others.itertuples() for w in row.aliases + row.model_examples
    }
    assert opel_words & other_words == set()


def test_regions(ref):
    regions = ref.regions
    assert regions["region"].is_unique
    assert set(regions.loc[regions["served"], "region"]) == SERVED
    assert {"Краснодарский край", "Казахстан", "Беларусь"} <= set(
        regions.loc[~regions["served"], "region"]
    )


def test_channels(ref):
    channels = ref.channels.set_index("channel")["paid"]
    assert channels.to_dict() == {
        "yandex_direct": True,
        "google_ads": True,
        "avito": True,
        "vk": True,
        "2gis": True,
        "organic": False,
        "referral": False,
        "phone_call": False,
    }


def test_readme_documents_every_file():
    text = (REFERENCE_DIR / "README.md").read_text(encoding="utf-8")
    for path in REFERENCE_DIR.glob("*.csv"):
        assert re.search(re.escape(path.name), text), path.name


# -- the decoder's lexicon --------------------------------------------------------------
def _part_lexicon():
    from triage.decode import load_lexicon, normalize_text

    rows = load_lexicon().rows
    parts = rows[rows["slot"] == "part_type"].copy()
    parts["norm"] = parts["surface"].map(normalize_text)
    return parts


def _allowed_collisions() -> set[str]:
    table = pd.read_csv(REFERENCE_DIR / "part_collisions.csv", dtype=str, keep_default_na=False)
    assert list(table.columns) == ["surface", "part_types", "reason"]
    assert (table["reason"].str.len() > 10).all()  # every exception explains itself
    return set(table["surface"])


def test_no_surface_names_two_part_types():
    parts = _part_lexicon()
    owners = parts.groupby("norm")["value"].agg(lambda v: sorted(set(v)))
    shared = {s: v for s, v in owners.items() if len(v) > 1 and s not in _allowed_collisions()}
    assert shared == {}


def test_no_phrase_reads_as_two_part_types_after_lemmatisation():
    from triage.decode import TextAnalyzer, load_lexicon

    analyzer = TextAnalyzer(load_lexicon())
    shared = {
        key: sorted({v for slot, v, _ in entries if slot == "part_type"})
        for key, entries in analyzer._phrases.items()
    }
    allowed = _allowed_collisions()
    assert {k: v for k, v in shared.items() if len(v) > 1 and " ".join(k) not in allowed} == {}


def test_every_part_type_has_five_names(ref):
    parts = _part_lexicon()
    names = parts[~parts["source"].isin(["misspellings", "descriptions", "description"])]
    counts = names.groupby("value")["norm"].nunique()
    for part_type in ref.part_types["part_type"]:
        assert counts.get(part_type, 0) >= 5, part_type
    sources = set(parts["source"])
    assert {"technical", "short", "colloquial", "warehouse", "abbreviation"} <= sources


def test_brands_have_lexicon_names(ref):
    from triage.decode import load_lexicon

    rows = load_lexicon().rows
    named = set(rows.loc[rows["slot"] == "brand", "value"])
    for brand in ref.brands["brand"]:
        # numeric and two-letter names ("555", "NK") are matched by articles, not words
        if brand not in ("Opel",) and len(brand) > 2 and not brand.isdigit():
            assert brand in named, brand


def test_abbreviations_stand_for_one_thing():
    table = pd.read_csv(REFERENCE_DIR / "lexicon" / "ru_abbreviations.csv", dtype=str)
    assert (table["slot"] == "abbreviation").all()
    assert table["surface"].str.lower().str.rstrip(".").is_unique


def test_sibling_models(ref):
    siblings = pd.read_csv(REFERENCE_DIR / "sibling_models.csv", dtype=str, keep_default_na=False)
    engines = pd.read_csv(REFERENCE_DIR / "sibling_engines.csv", dtype=str, keep_default_na=False)
    known = set(engines["engine_code"]) | set(ref.engines["engine_code"])
    opel = set(zip(ref.opel_models["model"], ref.opel_models["generation"], strict=True))
    makes = set(ref.makes["make"])
    for row in siblings.itertuples():
        assert row.make in makes and row.make != "Opel", row.make
        assert int(row.year_from) <= int(row.year_to), row.model
        for code in row.engine_codes.split(";"):
            assert code in known, (row.model, code)
        for share in filter(None, row.shares_with.split(";")):
            model, _, generation = share.partition(":")
            assert (model, generation) in opel, share
    assert set(engines["engine_code"]).isdisjoint(set(ref.engines["engine_code"]))
