"""A price-list style catalog: the generated items as a shop's 1C export shows them.

Real catalogs of Opel shops are price lists with an article and a name, and
their names look nothing like the synthetic world's: one aftermarket item is
listed for many cars ("Фильтр масляный MANN Astra G/H Z14XEP, Z16XEP/XER"),
with price-list abbreviations ("Колодки торм. пер."), brand names in any
case, models of sibling makes (Chevrolet Cruze next to Astra J), part kinds
beyond the 52 types of the taxonomy, and names cut at the length limit of
the accounting system.  :func:`build_pricelist` turns a generated catalog
into such a price list:

* the original (GM/Opel) items stay one per fitment, their article the OEM
  number;
* the aftermarket items of one brand line, part type, side and axle are
  merged into items that each cover one to four fitments (the same engine
  on several models, neighbouring generations of a model), their article the
  first merged brand article;
* some items covering an Opel generation that shares its platform with a
  sibling make also list the sibling's models (``sibling_models.csv``);
* a few items of kinds beyond the taxonomy are added ("Кольцо
  уплотнительное", "Пыльник рулевой рейки");
* names are written in varied price-list styles and cut at ``name_limit``.

:attr:`PriceList.coverage` is the ground truth: which fitments of the world
(``CatalogBuild.fitments``, by index) and which sibling cars each price-list
item covers.  A lead that wants generated item ``k`` accepts every
price-list item that covers ``k``'s fitment (:meth:`PriceList.accepted`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from triage.config import get_settings
from triage.synth._catalog import CatalogBuild
from triage.synth._reference import Reference, load_reference, split_list

__all__ = ["PriceList", "build_pricelist", "kind_requests", "pricelist_truth"]

#: Price-list spellings of part names (the canonical name is always one of them).
PART_NAMES: dict[str, list[str]] = {
    "brake_pads": [
        "Колодки тормозные",
        "Колодки торм.",
        "К-кт колодок тормозных",
        "Колодки дисковые",
    ],
    "brake_disc": ["Диск тормозной", "Диск торм.", "Диск тормозной вентилируемый"],
    "brake_caliper": ["Суппорт тормозной", "Суппорт торм."],
    "brake_drum": ["Барабан тормозной", "Барабан торм."],
    "shock_absorber": [
        "Амортизатор",
        "Амортизатор газомасляный",
        "Амортизатор газ.",
        "Стойка амортизационная",
    ],
    "coil_spring": ["Пружина подвески", "Пружина подв."],
    "control_arm": ["Рычаг подвески", "Рычаг подв.", "Рычаг поперечный"],
    "ball_joint": ["Шаровая опора", "Опора шаровая"],
    "stabilizer_link": ["Стойка стабилизатора", "Тяга стабилизатора", "Стойка стаб."],
    "tie_rod": ["Тяга рулевая", "Тяга рул."],
    "tie_rod_end": ["Наконечник рулевой тяги", "Наконечник рул. тяги", "Наконечник рулевой"],
    "wheel_bearing": ["Подшипник ступицы", "Подшипник ступ.", "Подшипник ступичный"],
    "wheel_hub": ["Ступица", "Ступица колеса"],
    "strut_mount": ["Опора амортизатора", "Опора стойки", "Опора аморт."],
    "timing_belt_kit": ["Комплект ГРМ", "К-кт ГРМ", "Ремень ГРМ к-кт", "Комплект ремня ГРМ"],
    "timing_chain": ["Цепь ГРМ", "Цепь ГРМ к-кт"],
    "drive_belt": ["Ремень приводной", "Ремень поликлиновой", "Ремень приводной поликлин."],
    "oil_filter": ["Фильтр масляный", "Фильтр масл.", "Ф-р масляный"],
    "air_filter": ["Фильтр воздушный", "Фильтр возд.", "Ф-р воздушный"],
    "cabin_filter": ["Фильтр салона", "Фильтр салона угольный", "Фильтр сал."],
    "fuel_filter": ["Фильтр топливный", "Фильтр топл."],
    "spark_plug": ["Свеча зажигания", "Свеча заж.", "Свечи зажигания к-кт"],
    "ignition_coil": ["Катушка зажигания", "Модуль зажигания", "Катушка заж."],
    "water_pump": ["Помпа", "Насос водяной", "Насос ОЖ", "Помпа водяная"],
    "thermostat": ["Термостат", "Термостат с корпусом"],
    "cv_joint_outer": ["ШРУС наружный", "ШРУС нар.", "Шарнир наружный"],
    "cv_joint_inner": ["ШРУС внутренний", "ШРУС внутр."],
    "cv_boot": ["Пыльник ШРУСа", "Пыльник ШРУС к-кт", "Пыльник привода"],
    "clutch_kit": ["Комплект сцепления", "К-кт сцепления", "Сцепление к-кт"],
    "engine_mount": ["Опора двигателя", "Опора двиг.", "Подушка двигателя"],
    "oxygen_sensor": ["Датчик кислорода", "Лямбда-зонд"],
    "wiper_blade": ["Щетка стеклоочистителя", "Щетка с/о", "Щетка стеклоочист."],
    "headlight": ["Фара", "Фара головного света", "Блок-фара"],
    "fog_light": ["Фара противотуманная", "Фара п/ф", "ПТФ"],
    "tail_light": ["Фонарь задний", "Фонарь зад."],
    "radiator": ["Радиатор охлаждения", "Радиатор охл. двиг."],
}

#: How brands are spelt in price lists (the catalog's own spelling is always one).
BRAND_VARIANTS: dict[str, list[str]] = {
    "Mann": ["MANN", "MANN-FILTER", "Mann"],
    "Bosch": ["BOSCH", "Bosch"],
    "Lemforder": ["LEMFORDER", "Lemförder", "Lemforder"],
    "Febi": ["FEBI", "FEBI BILSTEIN", "Febi"],
    "Kayaba": ["KYB", "KAYABA", "Kayaba"],
    "Filtron": ["FILTRON", "Filtron"],
    "Hengst": ["HENGST", "Hengst"],
    "Sachs": ["SACHS", "Sachs"],
    "TRW": ["TRW"],
    "Gates": ["GATES", "Gates"],
    "Blue Print": ["BLUE PRINT", "Blue Print"],
    "Magneti Marelli": ["MAGNETI MARELLI", "Magneti Marelli"],
}

# Kinds beyond the taxonomy: singular and plural names, whether engine specific,
# the brands that make them.  Some are in the decoder's lexicon, some only in
# catalogs (their words become searchable from the catalog itself).
EXTRA_KINDS: list[tuple[str, str, bool, list[str]]] = [
    (
        "Кольцо уплотнительное форсунки",
        "Кольца уплотнительные форсунки",
        True,
        ["Elring", "Victor Reinz"],
    ),
    (
        "Прокладка клапанной крышки",
        "Прокладки клапанной крышки",
        True,
        ["Elring", "Victor Reinz", "Ajusa"],
    ),
    ("Колпачок маслосъемный", "Колпачки маслосъемные", True, ["Elring", "Victor Reinz", "Corteco"]),
    ("Сальник коленвала передний", "Сальники коленвала передние", True, ["Elring", "Corteco"]),
    ("Датчик ABS передний", "Датчики ABS передние", False, ["Bosch", "Febi"]),
    ("Лампа H7 12V 55W", "Лампы H7 12V 55W", False, ["Osram", "Philips"]),
    ("Натяжитель ремня приводного", "Натяжители ремня приводного", True, ["INA", "Gates"]),
    (
        "Втулка стабилизатора передняя",
        "Втулки стабилизатора передние",
        False,
        ["Febi", "Lemforder"],
    ),
    ("Пыльник рулевой рейки", "Пыльники рулевой рейки", False, ["Febi", "Lemforder", "Corteco"]),
    ("Заглушка буксировочного крюка", "Заглушки буксировочного крюка", False, ["GM", "Polcar"]),
    (
        "Форсунка омывателя лобового стекла",
        "Форсунки омывателя лобового стекла",
        False,
        ["GM", "Febi"],
    ),
    ("Клипса крепления бампера", "Клипсы крепления бампера", False, ["GM", "Febi"]),
    ("Шайба сливной пробки", "Шайбы сливной пробки", False, ["GM", "Febi", "Elring"]),
    (
        "Крышка расширительного бачка",
        "Крышки расширительного бачка",
        False,
        ["GM", "Febi", "Hella"],
    ),
    ("Трос капота", "Тросы капота", False, ["GM", "Febi"]),
    ("Ручка двери наружная", "Ручки двери наружные", False, ["GM", "Polcar"]),
]

_ADJ = {
    "left": {"m": "левый", "f": "левая", "n": "левое", "pl": "левые"},
    "right": {"m": "правый", "f": "правая", "n": "правое", "pl": "правые"},
    "front": {"m": "передний", "f": "передняя", "n": "переднее", "pl": "передние"},
    "rear": {"m": "задний", "f": "задняя", "n": "заднее", "pl": "задние"},
}
_ABBR = {"left": "лев.", "right": "прав.", "front": "пер.", "rear": "зад."}
_LOOKALIKE = str.maketrans({"a": "а", "o": "о", "e": "е", "H": "Н", "C": "С", "A": "А"})
#: How many generated items (fitments) one merged price-list item stands for, and how often.
_CLUSTER_SIZES = ([1, 2, 3, 4, 6], [0.2, 0.3, 0.25, 0.15, 0.1])
# Opel generations built on one platform share chassis parts ("Astra H/Zafira B").
_PLATFORMS = {
    ("astra", "G"): "T3000",
    ("zafira", "A"): "T3000",
    ("astra", "H"): "Delta",
    ("zafira", "B"): "Delta",
    ("astra", "J"): "Delta II",
    ("zafira", "C"): "Delta II",
    ("corsa", "C"): "Gamma",
    ("combo", "C"): "Gamma",
    ("meriva", "A"): "Gamma",
    ("corsa", "D"): "Gamma II",
    ("corsa", "E"): "Gamma II",
    ("meriva", "B"): "Gamma II",
    ("mokka", "A"): "Gamma II",
}
_SIBLING_CATEGORIES = {
    "filters",
    "brakes",
    "ignition",
    "suspension",
    "steering_arms",
    "bearings",
    "wipers",
    "timing",
}


@dataclass
class PriceList:
    """A price-list catalog and its ground truth.

    Attributes
    ----------
    catalog : DataFrame
        ``sku`` (the article), ``name``, ``price`` -- all a 1C export has.
    coverage : DataFrame
        One row per (price-list item, car it covers): ``sku``, ``fitment``
        (index into the world's fitments, -1 for a sibling make's car or an
        extra kind), ``make``, ``model``, ``generation``, ``engine_code``,
        ``part_type`` (the taxonomy's, or the kind's name), ``side``, ``axle``.
    item_of : Series
        Generated catalog sku -> the price-list sku it was merged into.
    """

    catalog: pd.DataFrame
    coverage: pd.DataFrame
    item_of: pd.Series

    def accepted(self, cat: CatalogBuild, true_skus: pd.Series) -> list[list[str]]:
        """Per lead, the price-list skus that cover its wanted item's fitment (sorted)."""
        fitment_of = dict(zip(cat.catalog["sku"], cat.fitment.tolist(), strict=True))
        covering: dict[int, list[str]] = {}
        fits = self.coverage[self.coverage["fitment"] >= 0]
        for sku, fit in zip(fits["sku"], fits["fitment"], strict=True):
            covering.setdefault(int(fit), []).append(str(sku))
        out = []
        for sku in true_skus.fillna("").astype(str):
            fit = fitment_of.get(sku)
            out.append(sorted(set(covering.get(fit, []))) if fit is not None else [])
        return out


def _sibling_table(reference_dir: Any = None) -> list[tuple[str, str, str, str, str]]:
    """(opel model, opel generation, make, model name, generation) of sibling cars."""
    path = (reference_dir or get_settings().reference_dir) / "sibling_models.csv"
    if not path.exists():
        return []
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    out = []
    for rec in table.to_dict("records"):
        for share in split_list(rec["shares_with"]):
            opel_model, _, opel_gen = share.partition(":")
            out.append((opel_model, opel_gen, rec["make"], rec["model_name"], rec["generation"]))
    return out


def build_pricelist(
    cat: CatalogBuild,
    rng: np.random.Generator,
    *,
    ref: Reference | None = None,
    name_limit: int = 70,
    sibling_share: float = 0.35,
    extra_kinds: int | None = None,
) -> PriceList:
    """Turn a generated catalog into a price-list catalog (see the module docstring).

    Parameters
    ----------
    cat : CatalogBuild
        The generated catalog (``triage.synth._catalog.build_catalog``).
    rng : numpy Generator
        The only source of randomness: the same seed gives the same price list.
    ref : Reference, optional
        Reference data (defaults to the settings' reference folder).
    name_limit : int
        Names longer than this are cut, as accounting systems do.
    sibling_share : float
        Chance that an item covering an Opel generation with a sibling also
        lists the sibling's models.
    extra_kinds : int, optional
        Items of kinds beyond the taxonomy to add (default: 3 % of the items).

    Examples
    --------
    >>> import numpy as np
    >>> from triage.synth._catalog import build_catalog
    >>> from triage.synth._reference import load_reference
    >>> cat = build_catalog(load_reference(), 2000, np.random.default_rng(1))
    >>> pl = build_pricelist(cat, np.random.default_rng(2))
    >>> list(pl.catalog.columns), pl.catalog["sku"].is_unique
    (['sku', 'name', 'price'], True)
    """
    ref = ref or load_reference()
    writer = _NameWriter(ref, rng, name_limit)
    items = _merge_items(cat, rng)
    siblings = _sibling_table()
    records = _records(cat.fitments)
    claims = _FitmentLookup(records)
    rows: list[dict[str, Any]] = []
    cover: list[dict[str, Any]] = []
    for item in items:
        # the name lists every engine for every model; the item covers what it claims
        item["fitments"] = claims.as_named(item)
        fits = [records[i] for i in item["fitments"]]
        extra = _siblings_for(fits, item, siblings, sibling_share, rng)
        name = writer.name(item, fits, extra)
        rows.append({"sku": item["sku"], "name": name, "price": item["price"]})
        cover += _coverage_rows(item, fits, extra)
    n_extra = max(1, len(items) * 3 // 100) if extra_kinds is None else extra_kinds
    taken = {r["sku"] for r in rows}
    for row, covered in _extra_kind_items(cat, writer, rng, n_extra, taken):
        rows.append(row)
        cover += covered
    catalog = pd.DataFrame(rows, columns=["sku", "name", "price"])
    order = rng.permutation(len(catalog))  # price lists are sorted by anything but fitment
    catalog = catalog.iloc[order].reset_index(drop=True)
    item_of = pd.Series(
        {sku: it["sku"] for it in items for sku in it["members"]}, name="pricelist_sku"
    )
    return PriceList(catalog=catalog, coverage=pd.DataFrame(cover), item_of=item_of)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a frame as dicts keyed by column name."""
    return cast(list[dict[str, Any]], frame.to_dict("records"))


class _FitmentLookup:
    """Fitment index by (part type, model, generation, axle, side, engine)."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.records = records
        self.index = {
            (f["part_type"], f["model"], f["generation"], f["axle"], f["side"], f["engine_code"]): i
            for i, f in enumerate(records)
        }

    def as_named(self, item: dict[str, Any]) -> list[int]:
        """The item's fitments plus those its name claims: every listed engine on every
        listed generation that has it ("Astra H, Zafira B Z16XER, Z18XER")."""
        fits = [self.records[i] for i in item["fitments"]]
        engines = list(dict.fromkeys(f["engine_code"] for f in fits if f["engine_code"]))
        cars = list(dict.fromkeys((f["model"], f["generation"]) for f in fits))
        out = list(item["fitments"])
        for model, gen in cars:
            for engine in engines:
                key = (item["part_type"], model, gen, item["axle"], item["side"], engine)
                k = self.index.get(key)
                if k is not None and k not in out:
                    out.append(k)
        return out


# -- merging generated items into price-list items ---------------------------------
def _merge_items(cat: CatalogBuild, rng: np.random.Generator) -> list[dict[str, Any]]:
    """Price-list items: originals one per fitment, aftermarket lines merged over fitments."""
    c = cat.catalog
    frame = pd.DataFrame(
        {
            "sku": c["sku"],
            "brand": c["brand"],
            "line": [t[len(b) :].strip() for t, b in zip(cat.brand_text, c["brand"], strict=True)],
            "article": cat.article,
            "fitment": cat.fitment,
            "part_type": c["part_type"],
            "side": c["side"],
            "axle": c["axle"],
            "price": c["price_rub"],
            "original": c["brand"].isin(["GM", "Opel"]),
        }
    )
    fits = _records(cat.fitments)
    items: list[dict[str, Any]] = []
    # one item per brand article (offers of the same article from several suppliers merge)
    for (brand, line, article), g in frame.groupby(["brand", "line", "article"], sort=True):
        first = g.iloc[0]
        items.append(
            {
                "sku": str(article),
                "brand": str(brand),
                "line": str(line),
                "part_type": first["part_type"],
                "side": first["side"],
                "axle": first["axle"],
                "original": bool(first["original"]),
                "fitments": [int(first["fitment"])],
                "members": g["sku"].tolist(),
                "price": int(g["price"].min()),
            }
        )
    originals = [it for it in items if it["original"]]
    lines: dict[tuple[str, str, str, str, str], list[dict[str, Any]]] = {}
    for it in items:
        if not it["original"]:
            key = (it["brand"], it["line"], it["part_type"], it["side"], it["axle"])
            lines.setdefault(key, []).append(it)
    merged: list[dict[str, Any]] = []
    for key in sorted(lines):
        merged += _merge_line(lines[key], fits, rng)
    return originals + merged


def _merge_line(
    line: list[dict[str, Any]], fits: list[dict[str, Any]], rng: np.random.Generator
) -> list[dict[str, Any]]:
    """One brand line's items merged into items covering one to four fitments each.

    Merged fitments share an engine family when the part is engine specific (one
    filter for Z16XER on Astra H and Zafira B), a model otherwise (neighbouring
    generations: Astra G/H).
    """

    def key(it: dict[str, Any]) -> tuple[str, str, str]:
        f = fits[it["fitments"][0]]
        return (str(f["engine_code"])[:3], str(f["model"]), str(f["generation"]))

    def family(it: dict[str, Any]) -> str:
        engine, model, gen = key(it)
        return engine or _PLATFORMS.get((model, gen), model)

    families: dict[str, list[dict[str, Any]]] = {}
    for it in sorted(line, key=lambda it: (key(it), it["sku"])):
        families.setdefault(family(it), []).append(it)
    out: list[dict[str, Any]] = []
    for members in families.values():
        i = 0
        while i < len(members):
            size = int(rng.choice(_CLUSTER_SIZES[0], p=_CLUSTER_SIZES[1]))
            group = members[i : i + size]
            i += size
            out.append(_merged(group))
    return out


def _merged(group: list[dict[str, Any]]) -> dict[str, Any]:
    """One price-list item standing for several generated ones (the first one's article)."""
    head = dict(group[0])
    head["fitments"] = [f for it in group for f in it["fitments"]]
    head["members"] = [m for it in group for m in it["members"]]
    head["price"] = min(it["price"] for it in group)
    return head


def _siblings_for(
    fits: list[dict[str, Any]],
    item: dict[str, Any],
    siblings: list[tuple[str, str, str, str, str]],
    share: float,
    rng: np.random.Generator,
) -> list[tuple[str, str, str]]:
    """Sibling-make cars (make, model name, generation) an item also lists."""
    category = fits[0]["category"]
    if item["original"] or category not in _SIBLING_CATEGORIES or rng.random() >= share:
        return []
    pairs = {(f["model"], f["generation"]) for f in fits}
    return [(mk, model, gen) for om, og, mk, model, gen in siblings if (om, og) in pairs]


def _coverage_rows(
    item: dict[str, Any], fits: list[dict[str, Any]], extra: list[tuple[str, str, str]]
) -> list[dict[str, Any]]:
    rows = [
        {
            "sku": item["sku"],
            "fitment": int(idx),
            "make": "Opel",
            "model": f["model"],
            "generation": f["generation"],
            "engine_code": f["engine_code"],
            "part_type": item["part_type"],
            "side": item["side"],
            "axle": item["axle"],
        }
        for idx, f in zip(item["fitments"], fits, strict=True)
    ]
    rows += [
        {
            "sku": item["sku"],
            "fitment": -1,
            "make": make,
            "model": model.lower(),
            "generation": gen,
            "engine_code": "",
            "part_type": item["part_type"],
            "side": item["side"],
            "axle": item["axle"],
        }
        for make, model, gen in extra
    ]
    return rows


def _extra_kind_items(
    cat: CatalogBuild,
    writer: _NameWriter,
    rng: np.random.Generator,
    n: int,
    taken: set[str],
) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Items of kinds beyond the taxonomy, each for one to three random generations."""
    gens = cat.fitments.drop_duplicates(["model", "generation"])[
        ["model", "generation", "year_from", "year_to"]
    ].to_dict("records")
    engine_fits = cat.fitments[cat.fitments["engine_code"] != ""]
    out = []
    for k in range(n):
        kind, _, engine_specific, brands = EXTRA_KINDS[int(rng.integers(len(EXTRA_KINDS)))]
        brand = brands[int(rng.integers(len(brands)))]
        sku = f"{brand[:3].upper()}{int(rng.integers(10_000, 99_999))}{k}"
        while sku in taken:
            sku += "X"
        taken.add(sku)
        if engine_specific:
            f = engine_fits.iloc[int(rng.integers(len(engine_fits)))]
            cars = [(f["model"], f["generation"], f["engine_code"])]
        else:
            picks = rng.choice(len(gens), size=int(rng.integers(1, 4)), replace=False)
            cars = [(gens[p]["model"], gens[p]["generation"], "") for p in sorted(picks)]
        name = writer.extra_name(kind, brand, cars)
        covered = [
            {
                "sku": sku,
                "fitment": -1,
                "make": "Opel",
                "model": model,
                "generation": gen,
                "engine_code": eng,
                "part_type": kind,
                "side": "",
                "axle": "",
            }
            for model, gen, eng in cars
        ]
        out.append(({"sku": sku, "name": name, "price": int(rng.integers(50, 3000))}, covered))
    return out


# -- names ------------------------------------------------------------------------
class _NameWriter:
    """Writes price-list names in a few house styles."""

    def __init__(self, ref: Reference, rng: np.random.Generator, limit: int) -> None:
        self.rng = rng
        self.limit = limit
        parts = ref.part_types.set_index("part_type")
        self.name_ru = parts["name_ru"].to_dict()
        self.gender = parts["gender"].to_dict()
        self.model_name = dict(
            zip(ref.opel_models["model"], ref.opel_models["model_name"], strict=True)
        )
        self.volume = dict(
            zip(ref.engines["engine_code"], ref.engines["displacement_l"], strict=True)
        )

    def _pick(self, options: list[str]) -> str:
        return options[int(self.rng.integers(len(options)))]

    def part(self, part_type: str) -> str:
        return self._pick(PART_NAMES.get(part_type, [self.name_ru[part_type]]))

    def brand(self, brand: str, line: str) -> str:
        text = self._pick(BRAND_VARIANTS.get(brand, [brand, brand.upper()]))
        return f"{text} {line}".strip() if line and self.rng.random() < 0.5 else text

    def position(self, part_type: str, side: str, axle: str) -> str:
        if not side and not axle:
            return ""
        if self.rng.random() < 0.5:
            return " ".join(_ABBR[k] for k in (axle, side) if k)
        gender = self.gender.get(part_type, "m")
        return " ".join(_ADJ[k][gender] for k in (axle, side) if k)

    def cars(self, fits: list[dict[str, Any]], extra: list[tuple[str, str, str]]) -> str:
        """Models as "Astra G/H, Zafira B" or "Vectra/Zafira/Astra", siblings appended."""
        by_model: dict[str, list[str]] = {}
        for model, gen in ((f["model"], f["generation"]) for f in fits):
            gens = by_model.setdefault(model, [])
            if gen not in gens:
                gens.append(gen)
        style = self.rng.random()
        parts = []
        for model, gens in by_model.items():
            name = self.model_name.get(model, model.capitalize())
            if style < 0.15:
                name = name.upper()
            letters = "/".join(sorted(gens))
            joiner = "-" if self.rng.random() < 0.25 and len(gens) == 1 else " "
            parts.append(f"{name}{joiner}{letters}")
        for _, model, gen in extra:
            parts.append(f"{model} {gen}" if self.rng.random() < 0.6 else model)
        text = ("/" if self.rng.random() < 0.3 else ", ").join(parts)
        if self.rng.random() < 0.3:
            text = ("OPEL " if style < 0.15 else "Opel ") + text
        if self.rng.random() < 0.05:
            text = text.translate(_LOOKALIKE)  # typed with Cyrillic look-alikes
        return text

    def engines(self, codes: list[str]) -> str:
        """Engine codes, compressed: "Z16XEP/XER, Z18XER", dotted "Z1.8XER", or with volumes."""
        codes = sorted(dict.fromkeys(c for c in codes if c))
        if not codes:
            return ""
        roll = self.rng.random()
        if roll < 0.15:
            volumes = sorted({str(self.volume.get(c, "")) for c in codes} - {""})
            return f"{'/'.join(volumes)} {', '.join(codes)}".strip()
        if roll < 0.25 and all(c[1:3].isdigit() for c in codes):
            return ", ".join(f"{c[0]}{c[1]}.{c[2]}{c[3:]}" for c in codes)
        by_prefix: dict[str, list[str]] = {}
        for c in codes:
            by_prefix.setdefault(c[:3] if c[1:3].isdigit() else c, []).append(c)
        chunks = []
        for group in by_prefix.values():
            if len(group) == 1 or not group[0][1:3].isdigit():
                chunks += group
            else:
                chunks.append(group[0] + "/" + "/".join(c[3:] for c in group[1:]))
        return ", ".join(chunks)

    def years(self, fits: list[dict[str, Any]]) -> str:
        lo = min(int(f["year_from"]) for f in fits)
        ends = [f["year_to"] for f in fits]
        hi = None if any(pd.isna(e) for e in ends) else max(int(e) for e in ends)
        roll = self.rng.random()
        if roll < 0.35:
            return ""
        if roll < 0.6:
            return f"{lo % 100:02d}-" if hi is None else f"{lo % 100:02d}-{hi % 100:02d}"
        if roll < 0.85:
            return f"{lo}-" if hi is None else f"{lo}-{hi}"
        return f"({lo % 100:02d}-)" if hi is None else f"({lo % 100:02d}-{hi % 100:02d})"

    def name(
        self, item: dict[str, Any], fits: list[dict[str, Any]], extra: list[tuple[str, str, str]]
    ) -> str:
        part = self.part(item["part_type"])
        pos = self.position(item["part_type"], item["side"], item["axle"])
        brand = self.brand(item["brand"], item["line"])
        cars = self.cars(fits, extra)
        engines = self.engines([f["engine_code"] for f in fits])
        years = self.years(fits)
        style = self.rng.random()
        if style < 0.45:
            words = [part, pos, brand, cars, engines, years]
        elif style < 0.75:
            words = [part, pos, cars, engines, years, brand]
        elif style < 0.9:
            words = [part, brand, cars, years, engines, pos]
        else:
            words = [part, pos, "для", cars, engines, years, f"({brand})"]
        if item["original"] and self.rng.random() < 0.3:
            words.append("(оригинал)")
        text = " ".join(w for w in words if w)
        if self.rng.random() < 0.08:
            text = text.upper()
        return self.cut(text)

    def extra_name(self, kind: str, brand: str, cars: list[tuple[str, str, str]]) -> str:
        models = ", ".join(f"{self.model_name.get(m, m.capitalize())} {g}" for m, g, _ in cars)
        engines = ", ".join(e for _, _, e in cars if e)
        words = [kind, self.brand(brand, ""), models, engines]
        return self.cut(" ".join(w for w in words if w))

    def cut(self, text: str) -> str:
        return text if len(text) <= self.limit else text[: self.limit].rstrip(" ,/(-")


def pricelist_truth(pl: PriceList, cat: CatalogBuild, truth: pd.DataFrame) -> pd.DataFrame:
    """The ground truth of a world whose catalog is the price list.

    ``true_sku`` keeps the generated item the lead wants (its fitment is what
    the request describes); ``true_articles`` lists the price-list articles
    that cover that fitment (``;``-separated, empty for leads that want no
    Opel part), the accepted answers.
    """
    out = truth.copy()
    accepted = pl.accepted(cat, truth["true_sku"])
    out["true_articles"] = [";".join(a) for a in accepted]
    return out


def kind_requests(pl: PriceList, rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Requests for the kinds beyond the taxonomy, with their accepted articles.

    Columns ``request_text``, ``accepted`` (list of skus), ``kind``.  A
    request names the kind (singular or plural, sometimes with the words
    swapped), the model and the generation.
    """
    cover = pl.coverage[pl.coverage["fitment"] < 0]
    plural = {k[0]: k[1] for k in EXTRA_KINDS}
    kinds = cover[cover["part_type"].isin(list(plural))]
    if kinds.empty:
        return pd.DataFrame(columns=["request_text", "accepted", "kind"])
    rows = []
    for _ in range(n):
        r = kinds.iloc[int(rng.integers(len(kinds)))]
        kind = str(r["part_type"])
        words = (plural[kind] if rng.random() < 0.4 else kind).lower().split()
        if len(words) >= 2 and rng.random() < 0.3:
            words[0], words[1] = words[1], words[0]
        car = f"{r['model']} {str(r['generation']).lower()}"
        template = [
            "{p} {c}",
            "нужна {p} на {c}",
            "{p} для опель {c}",
            "есть {p} {c}?",
        ][int(rng.integers(4))]
        text = template.format(p=" ".join(words), c=car)
        same = kinds[
            (kinds["part_type"] == kind)
            & (kinds["model"] == r["model"])
            & (kinds["generation"] == r["generation"])
        ]
        rows.append({"request_text": text, "accepted": sorted(set(same["sku"])), "kind": kind})
    return pd.DataFrame(rows)
