"""Real price lists: names with many fitments, engine lists, abbreviations, brands,
sibling makes, the catalog's own part kinds, catalogs of other goods, honesty."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from triage.decode import (
    AbbreviationTable,
    Decoder,
    NameReader,
    TextAnalyzer,
    fix_mixed_script,
    load_catalog,
    load_lexicon,
)
from triage.decode._catalog import FitmentTable
from triage.decode._engines import EngineReader
from triage.decode._names import Fitment, read_years

DATA = Path(__file__).parent / "data"
RU_CATALOG = DATA / "pricelist_ru_catalog.csv"
RU_REQUESTS = DATA / "pricelist_ru_requests.csv"
EN_CATALOG = DATA / "electronics_en_catalog.csv"
EN_REQUESTS = DATA / "electronics_en_requests.csv"


@pytest.fixture(scope="module")
def reader() -> NameReader:
    return NameReader(TextAnalyzer(load_lexicon()))


@pytest.fixture(scope="module")
def engines() -> EngineReader:
    return EngineReader(load_lexicon())


@pytest.fixture(scope="module")
def ru() -> Decoder:
    return Decoder(RU_CATALOG, top_k=10).fit()


@pytest.fixture(scope="module")
def en() -> Decoder:
    return Decoder(EN_CATALOG, top_k=10).fit()


# -- text: scripts and abbreviations ----------------------------------------------
@pytest.mark.parametrize(
    ("word", "fixed"),
    [("astrа", "astra"), ("аstrа-н", "astra-h"), ("z16хер", "z16xep"), ("cтойка", "стойка")],
)
def test_mixed_scripts_are_unmixed(word, fixed):
    assert fix_mixed_script(word) == fixed


def test_abbreviations_are_written_out_as_whole_words():
    table = AbbreviationTable(
        [("к-кт", "комплект"), ("пер", "передний"), ("п/ф", "противотуманная")]
    )
    assert table.expand("к-кт колодок пер.") == "комплект колодок передний"
    assert table.expand("фара п/ф") == "фара противотуманная"
    assert table.expand("перепад перед") == "перепад перед"  # only whole words


def test_shipped_abbreviations_reach_the_slots():
    a = TextAnalyzer(load_lexicon()).analyze("к-кт колодок торм. пер. лев.")
    assert (a.first("part_type"), a.first("axle"), a.first("side")) == (
        "brake_pads",
        "front",
        "left",
    )


# -- engine codes -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("z16xep/xer", ["Z16XEP", "Z16XER"]),
        ("a14xel/xer/nel", ["A14XEL", "A14XER", "A14NEL"]),
        ("z1.8xer", ["Z18XER"]),
        ("z14xep, z16xep/xer, z18xer", ["Z14XEP", "Z16XEP", "Z16XER", "Z18XER"]),
    ],
)
def test_engine_code_lists_are_expanded(engines, text, codes):
    assert engines.read(text, lists=True)[0] == codes


def test_requests_accept_only_known_engine_codes(engines):
    assert engines.read("колодки z99xyz", lists=False)[0] == []
    assert engines.read("помпа z1.8xer", lists=False)[0] == ["Z18XER"]


def test_engine_knowledge_both_ways(engines):
    assert engines.with_volume([1.8], "astra", "H") == {"Z18XER"}
    assert {(v.model, v.generation) for v in engines.fitted_to("Z16XER")} == {
        ("astra", "H"),
        ("zafira", "B"),
    }
    vehicles = [v for v in engines.vehicles if v.model == "astra" and v.generation == "H"]
    assert engines.from_suffixes(["XEP", "XER"], [1.6], vehicles) == ["Z16XEP", "Z16XER"]


def test_year_ranges():
    assert read_years("Astra H 04-10") == (2004, 2010)
    assert read_years("Zafira B 2005-") == (2005, -1)
    assert read_years("Astra 1.4-1.8 Z14XEP") == (-1, -1)


# -- catalog names -----------------------------------------------------------------------
def _cars(parsed):
    return [(f.make, f.model, f.generation) for f in parsed.fitments]


def test_multi_fitment_oil_filter(reader):
    p = reader.read("Фильтр масляный MANN Astra G/H 1.4-1.8 Z14XEP, Z16XEP/XER, Z18XER")
    assert (p.part_type, p.brand) == ("oil_filter", "Mann")
    assert _cars(p) == [("Opel", "astra", "G"), ("Opel", "astra", "H")]
    assert p.fitments[1].engines == {"Z14XEP", "Z16XEP", "Z16XER", "Z18XER"}


def test_engine_suffixes_with_volumes_and_open_years(reader):
    p = reader.read("Комплект ГРМ Gates Vectra/Zafira/Astra 1.6/1.8 16V (XEP, XER) 04-")
    assert p.part_type == "timing_belt_kit"
    by_car = {(f.model, f.generation): f.engines for f in p.fitments}
    assert by_car[("astra", "H")] == {"Z16XEP", "Z16XER", "Z18XER"}
    assert by_car[("vectra", "C")] == {"Z18XER"}
    assert all(f.year_from == 2004 and f.year_to == -1 for f in p.fitments)


def test_sibling_makes_and_hyphenated_generations(reader):
    p = reader.read("Фильтр салона угольный Cruze/Astra-J/Insignia/Mokka/Aveo T300")
    assert p.part_type == "cabin_filter"
    cars = _cars(p)
    assert ("Chevrolet", "cruze", "J300") in cars and ("Opel", "astra", "J") in cars
    assert ("Chevrolet", "aveo", "T300") in cars
    assert ("Opel", "insignia", "") in cars  # no letter, no year: any Insignia


def test_cyrillic_lookalike_preposition_and_abbreviated_axle(reader):
    p = reader.read("Стойка стабилизатора пер. LEMFORDER Astra-H с IDS+")
    assert (p.part_type, p.axle, p.brand) == ("stabilizer_link", "front", "Lemforder")
    assert _cars(p) == [("Opel", "astra", "H")]


def test_a_letter_in_lookalike_script_after_a_model_is_its_generation(reader):
    p = reader.read("Колодки тормозные передние Соrsа С (00-06) GM")  # Cyrillic о, а, С
    assert _cars(p) == [("Opel", "corsa", "C")]


def test_engine_codes_alone_give_the_cars_they_went_into(reader):
    p = reader.read("Свеча зажигания NGK Z1.8XER")
    assert {(f.model, f.generation) for f in p.fitments} == {
        ("astra", "H"),
        ("zafira", "B"),
        ("vectra", "C"),
    }


def test_name_of_an_unknown_kind_becomes_a_kind(reader):
    p = reader.read("Ремкомплект суппорта пер. Corsa D")
    assert p.part_type == "kind:ремкомплект суппорт"
    assert p.kind_surface == "ремкомплект суппорта"


# -- the index ------------------------------------------------------------------------------
def test_fitment_table_rows_of_items():
    table = FitmentTable.from_lists(
        [
            [Fitment(model="astra", generation="G"), Fitment(model="astra", generation="H")],
            [],
            [Fitment(model="corsa")],
        ]
    )
    assert not table.single
    rows, owner = table.rows_of(np.array([2, 0]))
    assert rows.tolist() == [3, 0, 1] and owner.tolist() == [0, 1, 1]
    assert table.model[rows].tolist() == ["corsa", "astra", "astra"]


def test_price_list_columns_are_recognised(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        "Артикул;Наименование;Цена\nA1;Фильтр масляный Astra H;100\n", encoding="cp1251"
    )
    frame = load_catalog(path)
    assert list(frame.columns[:2]) == ["sku", "name"]


def test_makes_come_from_the_catalog(ru):
    assert ru.catalog_makes_ == {"Opel", "Chevrolet"}
    r = ru.decode("фильтр салона шевроле круз")
    assert (r.status, r.sku) == ("decoded", "K1231A")
    assert ru.decode("колодки на киа рио").status == "other_make"


# -- decoding a price list ------------------------------------------------------------------
def test_engine_code_finds_items_listing_only_codes(ru):
    assert ru.decode("свечи зажигания z18xer").sku == "BKR6E"


def test_model_and_volume_narrow_to_the_generations_engines(ru):
    r = ru.decode("воздушный фильтр астра h 1.8")
    assert (r.status, r.sku) == ("decoded", "C30005")


def test_brand_in_any_script_ranks_its_items_first(ru):
    assert ru.decode("манн масляный фильтр астра h").sku == "W712/95"
    assert ru.decode("оригинальный масляный фильтр gm астра j a18xer").sku == "93185674"


@pytest.mark.parametrize(
    ("text", "sku"),
    [
        ("маслосъемные колпачки z18xer", "12-37020"),
        ("колпачёк маслосъёмный z16xer", "12-37020"),
        ("заглушка буксировочного крюка астра j", "13370584"),
        ("трос капота корса д", "13295070"),
    ],
)
def test_part_kinds_beyond_the_taxonomy(ru, text, sku):
    r = ru.decode(text)
    assert (r.status, r.sku) == ("decoded", sku)


def test_the_catalogs_own_head_words_are_searchable(tmp_path):
    catalog = pd.DataFrame(
        {
            "sku": ["P1", "P2", "P3"],
            "name": [
                "Пистон обивки двери Astra H (10 шт)",
                "Пистон обивки двери Corsa D",
                "Фильтр масляный Astra H Z16XER",
            ],
        }
    )
    dec = Decoder(catalog).fit()
    assert not dec.index_.kinds.empty
    r = dec.decode("пистоны обивки на астру h")
    assert (r.status, r.sku) == ("decoded", "P1")


def test_contradiction_with_every_fitment_is_never_decoded(ru):
    # the only front pads are listed for Astra H / Zafira B, the only water pump for G/H 1.6
    for text in (
        "колодки передние астра j",
        "водяной насос астра h 1.8",
        "амортизатор передний левый астра j",
    ):
        r = ru.decode(text)
        assert r.status != "decoded", (text, r.sku)


def test_interchangeable_brands_decode_different_cars_do_not(ru):
    assert ru.decode("масляный фильтр астра h z16xer").status == "decoded"  # Mann or GM: both fit
    assert ru.decode("фильтр масляный z18xer").status == "ambiguous"  # which car?


def _quality(dec: Decoder, requests: Path) -> dict[str, float]:
    req = pd.read_csv(requests, dtype=str, keep_default_na=False)
    out = dec.decode_many(req["request"].tolist())
    accepted = [set(filter(None, a.split(";"))) for a in req["accepted"]]
    cands = [[c["sku"] for c in json.loads(x)] for x in out["decoded_candidates"]]
    first = [s or (c[0] if c else "") for s, c in zip(out["decoded_sku"], cands, strict=True)]
    asks = np.array([bool(a) for a in accepted])
    top1 = np.array([f in a for f, a in zip(first, accepted, strict=True)])
    r10 = np.array([bool(set(c) & a) for c, a in zip(cands, accepted, strict=True)])
    decoded = out["decoded_status"].to_numpy() == "decoded"
    wrong_status = sum(
        (e == "not_decoded" and s == "decoded") or (e in ("other_make", "not_a_part") and s != e)
        for e, s in zip(req["expect"], out["decoded_status"], strict=True)
    )
    return {
        "top1": top1[asks].mean(),
        "recall10": r10[asks].mean(),
        "confident_wrong": (decoded & ~top1)[asks].mean(),
        "wrong_status": wrong_status,
    }


@pytest.mark.parametrize(
    ("catalog", "requests"), [(RU_CATALOG, RU_REQUESTS), (EN_CATALOG, EN_REQUESTS)]
)
def test_fixture_quality(catalog, requests):
    q = _quality(Decoder(catalog, top_k=10).fit(), requests)
    assert q["top1"] >= 0.95 and q["recall10"] >= 0.98, q
    assert q["confident_wrong"] <= 0.02 and q["wrong_status"] == 0, q


# -- catalogs of other goods -------------------------------------------------------------------
def test_auto_words_apply_only_where_the_catalog_uses_them(en):
    assert not en.index_.domain
    assert "Fiat" not in set(en.analyzer_.lexicon.rows["value"])
    r = en.decode("flat hdmi cable 2m")
    assert (r.status, r.sku, r.make) == ("decoded", "EL-042", "")


def test_model_codes_carry_the_match(en):
    for text, sku in (("SM-G991B", "EL-006"), ("WH1000XM5", "EL-013"), ("ILCE-7M4", "EL-067")):
        r = en.decode(text)
        assert (r.status, r.sku) == ("decoded", sku), text


def test_not_a_part_only_when_nothing_resembles(en):
    assert en.decode("zzzz qqqq").status == "not_a_part"
    r = en.decode("usb c cable")
    assert r.status != "not_a_part" and r.candidates


def test_same_output_under_any_hash_seed(tmp_path):
    code = (
        "import sys, pandas as pd; from triage.decode import Decoder; "
        f"d = Decoder({str(RU_CATALOG)!r}).fit(); "
        "texts = pd.read_csv(sys.argv[1], dtype=str)['request'].tolist(); "
        "print(d.decode_many(texts).to_json())"
    )
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", code, str(RU_REQUESTS)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        outputs.add(run.stdout)
    assert len(outputs) == 1


def test_russian_catalog_of_other_goods():
    catalog = pd.DataFrame(
        {
            "sku": ["T1", "T2", "T3"],
            "name": [
                "Дрель ударная Bosch GSB 13 RE 600 Вт",
                "Шуруповерт аккумуляторный Makita DF333DWYE 12 В",
                "Перфоратор SDS-plus Bosch GBH 2-26",
            ],
        }
    )
    dec = Decoder(catalog).fit()
    assert not dec.index_.domain
    assert dec.decode("дрели ударные").sku == "T1"  # the catalog's own word, any form
    assert dec.decode("дрель бош").sku == "T1"  # a brand the names use, in any script
    assert dec.decode("перфоратор gbh 2-26").sku == "T3"


def test_pricelist_truth_lists_the_accepted_articles():
    from triage.synth._catalog import build_catalog
    from triage.synth._pricelist import build_pricelist, pricelist_truth
    from triage.synth._reference import load_reference

    cat = build_catalog(load_reference(), 1500, np.random.default_rng(2))
    pl = build_pricelist(cat, np.random.default_rng(3))
    truth = pd.DataFrame({"true_sku": [cat.catalog["sku"].iloc[0], ""]})
    out = pricelist_truth(pl, cat, truth)
    assert pl.item_of[cat.catalog["sku"].iloc[0]] in out["true_articles"].iloc[0].split(";")
    assert out["true_articles"].iloc[1] == ""
