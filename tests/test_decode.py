"""Decoder stages, one by one, then the whole decoder on a small hand-made catalog."""

from __future__ import annotations

import itertools
import json
import pickle
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from triage.decode import (
    Decoder,
    TextAnalyzer,
    decode_requests,
    fix_layout,
    load_lexicon,
    normalize_code,
    normalize_text,
    to_cyrillic,
    to_latin,
    tokenize,
)
from triage.decode import _decoder as _decoder_module
from triage.schema import DECODED_COLUMNS, DECODED_STATUSES

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini_catalog.csv"


@pytest.fixture(scope="module")
def analyzer() -> TextAnalyzer:
    return TextAnalyzer(load_lexicon())


@pytest.fixture(scope="module")
def decoder() -> Decoder:
    return Decoder(MINI, top_k=5).fit()


# -- normalisation ---------------------------------------------------------
def test_normalize_text_folds_case_yo_and_spaces():
    assert normalize_text("  ПривОД\tЁлки  ") == "привод елки"
    assert normalize_text("1,6 л") == "1.6 л"
    assert normalize_text(None) == ""
    assert normalize_text(float("nan")) == ""


@given(st.text(max_size=60))
def test_normalize_text_is_idempotent(text):
    once = normalize_text(text)
    assert normalize_text(once) == once


def test_tokenize_splits_hyphens_keeps_decimals():
    assert tokenize("астра-h 1.6 z16xer!") == ["астра", "h", "1.6", "z16xer"]


# -- scripts and layouts ----------------------------------------------------
def test_transliteration_both_ways():
    assert to_cyrillic("privod") == "привод"
    assert to_cyrillic("poluos'") == "полуось"
    assert to_latin("астра") == "astra"
    assert to_latin("шрус") == "shrus"


_SAFE_CYR = "абвгдежзиклмнопрстуфхчш"


@given(st.text(alphabet=_SAFE_CYR, min_size=1, max_size=12))
def test_transliteration_round_trip_where_defined(word):
    # Where two letters' Latin spellings meet to form a digraph ("тс" -> "ts" -> "ц",
    # "сч" -> "sch" -> "щ") the spelling is lossy by design; elsewhere it round-trips.
    pairs = itertools.pairwise(word)
    assume(all(to_cyrillic(to_latin(a) + to_latin(b)) == a + b for a, b in pairs))
    assert to_cyrillic(to_latin(word)) == word


def test_wrong_layout_is_retyped():
    assert fix_layout("ghbdjl") == "привод"
    assert fix_layout("kt,`lrf") == "лебёдка"
    assert fix_layout("фыекф", to="en") == "astra"
    with pytest.raises(ValueError, match="to must be"):
        fix_layout("x", to="de")


@given(st.text(alphabet="йцукенгшщзхъфывапролджэячсмитьбюё", max_size=20))
def test_layout_round_trip(word):
    assert fix_layout(fix_layout(word, to="en"), to="ru") == word


def test_normalize_code_strips_separators_and_lookalikes():
    assert normalize_code("0 986-494.123") == "0986494123"
    assert normalize_code("НU 612/2х") == "HU6122X"  # Cyrillic Н and х
    assert normalize_code(None) == ""


# -- morphology and word resolution ------------------------------------------
@pytest.mark.parametrize(
    ("inflected", "base"),
    [
        ("полуоси", "полуось"),
        ("астру", "астра"),
        ("левую", "левый"),
        ("колодки", "колодка"),
        ("инсигнию", "инсигния"),
        ("передние", "передний"),
        ("гранату", "граната"),
    ],
)
def test_inflected_forms_resolve_like_their_base(analyzer, inflected, base):
    assert analyzer.resolve(inflected)[0] == analyzer.resolve(base)[0]


def test_resolution_paths(analyzer):
    assert analyzer.resolve("привод")[1] == "exact"
    assert analyzer.resolve("privod")[1] == "translit"
    assert analyzer.resolve("ghbdjl")[1] == "layout"
    assert analyzer.resolve("привдо") == (analyzer.resolve("привод")[0], "fuzzy")  # transposition
    assert analyzer.resolve("амортизтор")[1] == "fuzzy"
    assert analyzer.resolve("амортизтор")[0] == analyzer.resolve("амортизатор")[0]


# -- slot extraction ---------------------------------------------------------
def _slots(analyzer, text):
    a = analyzer.analyze(text)
    return {s: a.first(s) for s in ("make", "model", "part_type", "side", "axle", "generation")}, a


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "привод передний левый опель астра J",
            {
                "make": "Opel",
                "model": "astra",
                "part_type": "drive_shaft",
                "side": "left",
                "axle": "front",
                "generation": "J",
            },
        ),
        (
            "граната на астру н",
            {"part_type": "cv_joint_outer", "model": "astra", "generation": "H"},
        ),
        (
            "аморты задние корса д",
            {"part_type": "shock_absorber", "model": "corsa", "axle": "rear", "generation": "D"},
        ),
        ("мозги на инсигнию", {"part_type": "ecu", "model": "insignia"}),
        ("птф правая астра джей", {"part_type": "fog_light", "side": "right", "generation": "J"}),
        ("колодки на пежо 308", {"make": "Peugeot", "part_type": "brake_pads"}),
        (
            "kolodki perednie na korsu",
            {"part_type": "brake_pads", "axle": "front", "model": "corsa"},
        ),
    ],
)
def test_slot_extraction(analyzer, text, expected):
    slots, _ = _slots(analyzer, text)
    for key, value in expected.items():
        assert slots[key] == value, (text, key, slots)


def test_preposition_is_not_a_generation(analyzer):
    slots, _ = _slots(analyzer, "колодки на корса в наличии")
    assert slots["generation"] == ""
    slots, _ = _slots(analyzer, "колодки корса с")
    assert slots["generation"] == "C"


def test_years_and_engine_codes(analyzer):
    a = analyzer.analyze("помпа на z18xer 2007г")
    assert a.engines == ["Z18XER"]
    assert a.years == [2007]
    gens = {v.generation for v in analyzer.vehicles_for("astra", year=2009)}
    assert {"H", "J"} <= gens  # the overlap is kept, not resolved arbitrarily


def test_whole_text_in_wrong_layout(analyzer):
    slots, a = _slots(analyzer, "ghbdjl ktdsq fcnhf j")
    assert a.layout_fixed
    assert (slots["part_type"], slots["side"], slots["model"], slots["generation"]) == (
        "drive_shaft",
        "left",
        "astra",
        "J",
    )


def test_vague_description_as_unordered_bag(analyzer):
    slots, _ = _slots(analyzer, "ну эту штуку, которая колесо крутит, на опель астра")
    assert slots["part_type"] == "drive_shaft"


# -- retrieval, ranking, status -----------------------------------------------
def test_number_match_wins_in_any_format(decoder):
    for text in ("0 986 494 123", "нужен 0986-494-123", "93186484"):
        r = decoder.decode(text)
        assert (r.status, r.sku) == ("decoded", "S4"), text


def test_cross_number_finds_the_whole_group(decoder):
    r = decoder.decode("GKN 304512")
    assert r.status == "decoded"
    assert r.sku in {"S1", "S7"}  # same OEM number: one interchangeable group
    assert len(r.candidates) == 1


def test_fully_specified_request_is_decoded_with_evidence(decoder):
    r = decoder.decode("нужен левый передний привод на астру J 2012")
    assert r.status == "decoded"
    assert r.sku in {"S1", "S7"}
    ev = {(e["slot"], e["value"]) for e in r.candidates[0]["evidence"]}
    assert {
        ("part_type", "drive_shaft"),
        ("side", "left"),
        ("model", "astra"),
        ("generation", "J"),
    } <= ev
    assert all(e["agrees"] is not False for e in r.candidates[0]["evidence"])


def test_brand_in_text_picks_the_sku_within_the_group(decoder):
    assert decoder.decode("Привод передний левый Opel Astra J 1.6 A16XER 2009-2015 GKN").sku == "S1"


def test_missing_side_is_ambiguous_not_a_guess(decoder):
    r = decoder.decode("привод астра j")
    assert r.status == "ambiguous"
    assert {c["sku"] for c in r.candidates} >= {"S1", "S2"}
    assert r.score <= 50


def test_year_infers_generation(decoder):
    r = decoder.decode("полуось левая астра 2012")
    assert (r.status, r.generation) == ("decoded", "J")


def test_side_mismatch_ranks_below_match(decoder):
    r = decoder.decode("привод правый астра j")
    assert r.sku == "S2"


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("Здравствуйте!", "empty"),
        ("?", "empty"),
        ("граната на киа рио", "other_make"),
        ("ищу работу водителем", "not_a_part"),
        ("продам опель астра 2008", "not_a_part"),
        ("нужна запчасть на астру", "partial"),
        ("колодки на опель", "ambiguous"),
    ],
)
def test_status_rules(decoder, text, status):
    assert decoder.decode(text).status == status


def test_score_is_bounded_and_orders_certainty(decoder):
    sure = decoder.decode("привод передний левый астра j 1.6 a16xer").score
    unsure = decoder.decode("привод астра").score
    assert 0 <= unsure < sure <= 100


# -- the batch function ---------------------------------------------------------
def test_decode_requests_keeps_rows_and_order(decoder):
    texts = [
        "привод левый астра j",
        None,
        float("nan"),
        "граната на пежо",
        "привод левый астра j",
        "x" * 100_000,
    ]
    out = decode_requests(texts, decoder)
    assert list(out.columns) == DECODED_COLUMNS
    assert len(out) == len(texts)
    assert out["decoded_status"].isin(DECODED_STATUSES).all()
    assert out.loc[1, "decoded_status"] == "empty"
    assert out.loc[0].equals(out.loc[4])
    assert out.loc[3, "decoded_make"] == "Peugeot"
    for cell in out["decoded_candidates"]:
        assert isinstance(json.loads(cell), list)


def test_parallel_matches_serial(decoder, monkeypatch):
    texts = [
        f"привод {'левый' if i % 2 else 'правый'} астра {'jhg'[i % 3]} {2004 + i % 13}"
        for i in range(300)
    ]
    serial = decoder.decode_many(texts, workers=1)
    calls = []
    real = _decoder_module.run_chunks

    def spy(owner, method, chunks, *, workers, on_result=None):
        calls.append((len(chunks), workers))
        return real(owner, method, chunks, workers=workers, on_result=on_result)

    monkeypatch.setattr(_decoder_module, "run_chunks", spy)
    parallel = decoder.decode_many(texts, workers=2)
    assert calls and calls[0][0] > 1 and calls[0][1] == 2  # really split across 2 workers
    pd.testing.assert_frame_equal(serial, parallel)


def test_decoder_follows_the_estimator_contract(decoder):
    from sklearn.base import clone
    from sklearn.exceptions import NotFittedError

    fresh = clone(decoder)
    assert fresh.get_params()["top_k"] == 5 and fresh.get_params()["catalog"] is not None
    assert not hasattr(fresh, "index_")
    with pytest.raises(NotFittedError):
        fresh.transform(["привод левый астра j"])
    leads = pd.DataFrame({"request_text": ["привод левый астра j", None]}, index=[7, 3])
    out = decoder.transform(leads)
    assert list(out.index) == [7, 3] and list(out.columns) == DECODED_COLUMNS
    assert list(decoder.get_feature_names_out()) == DECODED_COLUMNS
    copy = pickle.loads(pickle.dumps(decoder))
    pd.testing.assert_frame_equal(copy.transform(leads), out)


# -- bring your own catalog ------------------------------------------------------
@pytest.fixture(scope="module")
def electronics() -> Decoder:
    return Decoder(DATA / "electronics_catalog.csv").fit()


@pytest.mark.parametrize(
    ("text", "sku"),
    [
        ("iphone 13 pro 128 gb graphite", "E-1001"),
        ("sony wh1000 xm5 headphones silver", "E-1007"),
        ("Samsung galaxy s21 gray", "E-1004"),
        ("macbook air m2", "E-1013"),
        ("MZ-V7S1T0BW", "E-1019"),
        ("logitech mx master mouse", "E-1009"),
        ("nintendo switch oled", "E-1017"),
    ],
)
def test_english_catalog_retrieval(electronics, text, sku):
    r = electronics.decode(text)
    assert r.status == "decoded", (text, r.status, r.candidates)
    assert r.sku == sku


def test_english_catalog_says_dont_know(electronics):
    assert electronics.decode("zzzz qqqq").status in {"not_a_part", "partial"}
    assert electronics.decode("").status == "empty"


def test_user_lexicon_extends_the_shipped_one(tmp_path):
    lex = tmp_path / "my_lexicon.csv"
    lex.write_text("slot,value,surface\npart_type,drive_shaft,вращалка\n", encoding="utf-8")
    dec = Decoder(MINI, lexicon_files=[lex]).fit()
    r = dec.decode("вращалка левая астра j")
    assert (r.status, r.part_type) == ("decoded", "drive_shaft")


def test_bad_lexicon_names_file_row_and_field(tmp_path):
    from triage.errors import DataError

    lex = tmp_path / "bad.csv"
    lex.write_text("slot,value,surface\nflavour,x,y\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.csv: row 2, field slot: unknown slot 'flavour'"):
        Decoder(MINI, lexicon_files=[lex]).fit()


# -- word resolution details ---------------------------------------------------------
def test_typo_ties_prefer_a_swap_of_neighbouring_letters(analyzer):
    assert analyzer.resolve("кросы")[0] == analyzer.resolve("корсы")[0]  # not "тросы"


def test_prepositions_of_descriptions_are_not_typo_targets(analyzer):
    assert analyzer.resolve("прв")[0] == analyzer.resolve("правый")[0]  # not "при"
    assert analyzer.resolve("преед")[0] == analyzer.resolve("передний")[0]  # "перед" is the axle


def test_swapped_words_of_a_phrase_beat_a_one_word_phrase(analyzer):
    a = analyzer.analyze("омывателя форсунка на астру")
    assert a.first("part_type") == "washer_nozzle"


def test_brands_and_volumes_are_slots(analyzer):
    a = analyzer.analyze("колодки бош астра h 1.8")
    assert (a.first("brand"), a.volumes) == ("Bosch", [1.8])


def test_years_and_volumes_are_not_article_numbers(decoder):
    r = decoder.decode("привод левый астра j 2012 1.6")
    assert r.status == "decoded" and r.sku in {"S1", "S7"}
