"""The synthetic Opel parts catalog: fitments, interchangeable groups, items.

A *fitment* is (part_type, model, generation, axle, side, engine code when the
part is engine specific).  Every fitment has one GM OEM number; the items
sold for it form an interchangeable group sharing that ``oem_number``: one
original (brand GM or Opel) and aftermarket items of brands that make that
kind of part, each with its own article number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from triage.errors import UsageError
from triage.schema import CATALOG_COLUMNS
from triage.synth._reference import CURRENT_YEAR, Reference

__all__ = ["CatalogBuild", "build_catalog", "build_fitments"]

#: Average items per used fitment when the catalog is smaller than all fitments allow.
MEAN_GROUP = 2.6

#: How often a part type is asked for (and stocked), relative units.
PART_POPULARITY = {
    "brake_pads": 10,
    "oil_filter": 8,
    "air_filter": 6,
    "cabin_filter": 5,
    "brake_disc": 6,
    "shock_absorber": 6,
    "stabilizer_link": 5,
    "wheel_bearing": 4.5,
    "spark_plug": 4,
    "cv_joint_outer": 4,
    "drive_shaft": 3,
    "tie_rod_end": 3.5,
    "ball_joint": 3.5,
    "control_arm": 3,
    "timing_belt_kit": 3,
    "wiper_blade": 3,
    "headlight": 3,
    "strut_mount": 3,
    "water_pump": 2.5,
    "fuel_filter": 3,
    "drive_belt": 2.5,
    "engine_mount": 2.5,
    "ignition_coil": 2.5,
    "thermostat": 2,
    "coil_spring": 2,
    "clutch_kit": 2,
    "tie_rod": 2,
    "brake_caliper": 1.5,
    "cv_joint_inner": 2,
    "cv_boot": 2.5,
    "radiator": 2,
    "alternator": 1.5,
    "starter": 1.5,
    "oxygen_sensor": 1.5,
    "fog_light": 1.5,
    "tail_light": 1.5,
    "bumper": 1.5,
    "side_mirror": 1.5,
    "fender": 1,
    "wheel_hub": 1.5,
    "exhaust_muffler": 1.2,
    "ac_condenser": 1,
    "fuel_pump": 1.2,
    "timing_chain": 1.5,
    "brake_drum": 1,
    "hood": 0.6,
    "door": 0.5,
    "windshield": 0.8,
    "egr_valve": 1,
    "turbocharger": 0.8,
    "ecu": 0.5,
    "gearbox": 0.4,
}

#: How many of the shop's customers drive each model, relative units.
MODEL_POPULARITY = {
    "astra": 32,
    "corsa": 15,
    "insignia": 8,
    "zafira": 9,
    "meriva": 5,
    "mokka": 5,
    "vectra": 8,
    "antara": 4,
    "omega": 2,
    "combo": 4,
    "vivaro": 3,
    "movano": 2,
}

_TIER_PRICE = {"premium": (0.85, 1.2), "mid": (0.65, 0.95), "budget": (0.45, 0.7)}
_TIER_WEIGHT = {"premium": 1.0, "mid": 1.3, "budget": 1.1}
_ADJ = {
    "left": {"m": "левый", "f": "левая", "n": "левое", "pl": "левые"},
    "right": {"m": "правый", "f": "правая", "n": "правое", "pl": "правые"},
    "front": {"m": "передний", "f": "передняя", "n": "переднее", "pl": "передние"},
    "rear": {"m": "задний", "f": "задняя", "n": "заднее", "pl": "задние"},
}
_ABBR = {"left": "лев.", "right": "прав.", "front": "пер.", "rear": "зад."}
_OEM_PREFIX = [
    (1999, ["90", "91"]),
    (2008, ["93", "24", "55"]),
    (2018, ["13", "95", "39", "55"]),
    (9999, ["39", "98"]),
]


def _engine_ok(part_type: str, engine: pd.Series) -> bool:
    if part_type == "turbocharger":
        return bool(engine["turbo"])
    if part_type in ("spark_plug", "ignition_coil"):
        return engine["fuel"] == "petrol"
    if part_type == "timing_belt_kit":
        return engine["timing_drive"] == "belt"
    if part_type == "timing_chain":
        return engine["timing_drive"] == "chain"
    return True


_FITMENT_COLUMNS = [
    "part_type",
    "model",
    "generation",
    "axle",
    "side",
    "engine_code",
    "year_from",
    "year_to",
    "category",
    "weight",
    "n_engines",
]


def _generation_weight(gen: Any) -> float:
    """How many of the shop's customers drive a generation (model popularity times age)."""
    gen_to = int(gen.year_to_effective)
    age_peak = np.exp(-((((gen.year_from + gen_to) / 2 - 2009) / 7.0) ** 2)) + 0.08
    return MODEL_POPULARITY.get(gen.model, 1) * age_peak


def _fitment_variants(
    gen: Any, part: Any, engines: pd.DataFrame
) -> list[tuple[str, int, int | None]]:
    """(engine code, year_from, year_to or None) of each variant of a part on a generation."""
    gen_to = int(gen.year_to_effective)
    still = pd.isna(gen.year_to) and not gen.extended_to
    if not part.engine_specific:
        return [("", int(gen.year_from), None if still else gen_to)]
    variants: list[tuple[str, int, int | None]] = []
    for code in gen.engine_codes:
        engine = engines.loc[code]
        if not _engine_ok(part.part_type, engine):
            continue
        e_to = CURRENT_YEAR if pd.isna(engine["year_to"]) else int(engine["year_to"])
        y_from = max(int(gen.year_from), int(engine["year_from"]))
        y_to = min(gen_to, int(e_to))
        open_end = still and pd.isna(engine["year_to"])
        variants.append((code, y_from, None if open_end else y_to))
    return variants


def _fitment_rows(gen: Any, part: Any, engines: pd.DataFrame, gen_weight: float) -> list[tuple]:
    """The fitment rows (see ``_FITMENT_COLUMNS``) of one part type on one generation."""
    axles = part.axles or [""]
    sides = ["left", "right"] if part.has_side else [""]
    variants = _fitment_variants(gen, part, engines)
    weight = gen_weight * PART_POPULARITY.get(part.part_type, 1.0)
    return [
        (
            part.part_type,
            gen.model,
            gen.generation,
            axle,
            side,
            code,
            v_from,
            v_to,
            part.category,
            weight / (len(variants) * len(axles) * len(sides)),
            len(variants),
        )
        for code, v_from, v_to in variants
        for axle in axles
        for side in sides
    ]


def build_fitments(ref: Reference) -> pd.DataFrame:
    """Every fitment of the world, in a fixed order (no randomness).

    Columns: part_type, model, generation, axle, side, engine_code, year_from,
    year_to (missing when still produced), category, weight, n_engines (how
    many engine variants the part type has on that generation; more than one
    means the engine is needed to pin the item down).
    """
    engines = ref.engines.set_index("engine_code")
    rows: list[tuple] = []
    gen: Any
    part: Any
    for gen in ref.opel_models.itertuples(index=False):
        gen_weight = _generation_weight(gen)
        for part in ref.part_types.itertuples(index=False):
            rows.extend(_fitment_rows(gen, part, engines, gen_weight))
    frame = pd.DataFrame(rows, columns=_FITMENT_COLUMNS)
    frame["year_to"] = frame["year_to"].astype("Int64")
    return frame


@dataclass
class CatalogBuild:
    """The catalog plus what the lead generator needs to know about it."""

    catalog: pd.DataFrame
    #: the item's own article number (the OEM number for originals), aligned with catalog
    article: pd.Series
    #: index into ``fitments`` of each catalog row
    fitment: np.ndarray
    fitments: pd.DataFrame
    #: brand plus quality line as it ends the name ("TRW Cotec"), aligned with catalog
    brand_text: pd.Series
    #: the group's Opel catalogue number ("16 05 031"), aligned with catalog
    opel_no: pd.Series


def _brand_lines(ref: Reference) -> dict[str, list[tuple[str, str, str, list[str]]]]:
    """Per category: (brand, line, tier, article formats) for every aftermarket line."""
    out: dict[str, list[tuple[str, str, str, list[str]]]] = {}
    brand: Any
    for brand in ref.brands.itertuples(index=False):
        if brand.tier == "original":
            continue
        for category in brand.categories:
            for line in ["", *brand.lines]:
                out.setdefault(category, []).append(
                    (brand.brand, line, brand.tier, brand.article_formats)
                )
    return out


def _formats_for(formats: list[str], part_type: str, category: str) -> list[str]:
    specific = [
        f.split("=", 1)[1]
        for f in formats
        if "=" in f and f.split("=", 1)[0] in (part_type, category)
    ]
    if specific:
        return specific
    plain = [f for f in formats if "=" not in f]
    return plain or [f.split("=", 1)[1] for f in formats]


def _fill(pattern: str, digits: np.ndarray, letters: np.ndarray) -> str:
    out = []
    d = letters_i = 0
    for ch in pattern:
        if ch == "#":
            out.append(str(digits[d]))
            d += 1
        elif ch == "@":
            out.append(chr(65 + letters[letters_i]))
            letters_i += 1
        else:
            out.append(ch)
    return "".join(out)


def _articles(patterns: list[str], rng: np.random.Generator) -> list[str]:
    """Fill article patterns ('#' digit, '@' letter) with random characters."""
    if not patterns:
        return []
    digits = rng.integers(0, 10, size=(len(patterns), 16))
    letters = rng.integers(0, 26, size=(len(patterns), 8))
    return [_fill(p, digits[i], letters[i]) for i, p in enumerate(patterns)]


def _oem_numbers(years: np.ndarray, rng: np.random.Generator) -> list[str]:
    out = []
    picks = rng.random(len(years))
    tails = rng.integers(0, 1_000_000, size=len(years))
    for year, pick, tail in zip(years, picks, tails, strict=True):
        prefixes = next(p for limit, p in _OEM_PREFIX if year <= limit)
        out.append(f"{prefixes[int(pick * len(prefixes))]}{tail:06d}")
    return out


def _select_fitments(fitments: pd.DataFrame, size: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of the fitments that get items, covering every generation and part type."""
    n = len(fitments)
    cover: set[int] = set()
    for _, idx in fitments.groupby(["model", "generation"], sort=True).indices.items():
        cover.add(int(idx[int(rng.integers(len(idx)))]))
    for _, idx in fitments.groupby("part_type", sort=True).indices.items():
        cover.add(int(idx[int(rng.integers(len(idx)))]))
    if size < len(cover):
        raise UsageError(
            f"--catalog-size {size} is too small: at least {len(cover)} items are needed to "
            "cover every Opel generation and part type"
        )
    n_used = int(np.clip(round(size / MEAN_GROUP), len(cover), n))
    chosen = np.zeros(n, dtype=bool)
    chosen[sorted(cover)] = True
    keys = np.log(fitments["weight"].to_numpy()) + rng.gumbel(size=n)
    keys[chosen] = np.inf
    order = np.argsort(-keys, kind="stable")
    chosen[order[:n_used]] = True
    return np.flatnonzero(chosen)


def _group_sizes(
    weights: np.ndarray, caps: np.ndarray, extra: int, rng: np.random.Generator
) -> np.ndarray:
    """Spread ``extra`` aftermarket items over groups by weight, each at most its cap."""
    counts = np.zeros(len(weights), dtype=np.int64)
    if extra > caps.sum():
        raise UsageError("catalog too large for the brands on file")
    remaining = extra
    while remaining > 0:
        open_ = counts < caps
        p = np.where(open_, weights, 0.0)
        add = rng.multinomial(remaining, p / p.sum())
        counts = np.minimum(counts + add, caps)
        remaining = extra - int(counts.sum())
    return counts


def _years_text(y_from: int, y_to: Any) -> str:
    return f"{y_from}-" if y_to is None or pd.isna(y_to) else f"{y_from}-{y_to}"


def _offers_per_line(size: int, pool_size: np.ndarray) -> int:
    """How many supplier offers of each brand article a catalog of ``size`` items needs."""
    # Big catalogs list the same brand article from several suppliers ("offers"), as
    # aggregated Russian price lists do; each offer is its own SKU with its own price.
    single = int((1 + pool_size).sum())
    offers = 1 if size <= 0.8 * single else int(np.ceil(size / (0.8 * single)))
    if offers > 8:
        raise UsageError(
            f"--catalog-size {size} is too large: the brands on file allow at most "
            f"{int(0.8 * single) * 8} items"
        )
    return offers


def _pick_lines(
    categories: pd.Series,
    extra: np.ndarray,
    lines: dict[str, list[tuple[str, str, str, list[str]]]],
    max_pool: int,
    offers: int,
    rng: np.random.Generator,
) -> list[list[int]]:
    """Per group, the sorted brand-line (and offer) indices it stocks, weighted, no repeats."""
    tier_w = {c: np.log([_TIER_WEIGHT[t] for _, _, t, _ in v]) for c, v in lines.items()}
    gumbel = rng.gumbel(size=(len(extra), max_pool))
    chosen_lines: list[list[int]] = []
    for i, (category, k) in enumerate(zip(categories, extra, strict=True)):
        if k == 0:
            chosen_lines.append([])
            continue
        base_w = tier_w[category]
        # the first offer of a line is preferred over a second supplier of the same line
        keys = np.concatenate([base_w - 3.0 * r for r in range(offers)])
        keys = keys + gumbel[i, : len(keys)]
        chosen_lines.append(sorted(np.argsort(-keys, kind="stable")[:k].tolist()))
    return chosen_lines


def _group_numbers(
    f_used: pd.DataFrame, rng: np.random.Generator
) -> tuple[np.ndarray, list[str], list[str]]:
    """Per group: the original's brand (GM or Opel), OEM number and Opel catalogue number."""
    original_brand = np.where(rng.random(len(f_used)) < 0.6, "GM", "Opel")
    oem = _oem_numbers(f_used["year_from"].to_numpy(), rng)
    # Opel catalogue numbers ("16 05 031"): distinct 7-digit numbers, without collisions
    opel_raw = rng.choice(9_000_000, size=len(f_used), replace=False) + 1_000_000
    opel_no = [f"{str(v)[:2]} {str(v)[2:4]} {str(v)[4:]}" for v in opel_raw]
    return original_brand, oem, opel_no


@dataclass
class _Items:
    """Catalog rows before numbering: group, brand, line, tier and brand article of each."""

    fit: list[int] = field(default_factory=list)
    brand: list[str] = field(default_factory=list)
    line: list[str] = field(default_factory=list)
    tier: list[str] = field(default_factory=list)
    #: index into ``patterns`` of the item's brand article; -1 for the original
    key: list[int] = field(default_factory=list)
    #: article pattern of each brand article (group, line), shared by its offers
    patterns: list[str] = field(default_factory=list)

    def add(self, fit: int, brand: str, line: str, tier: str, key: int) -> None:
        """Append one item row."""
        self.fit.append(fit)
        self.brand.append(brand)
        self.line.append(line)
        self.tier.append(tier)
        self.key.append(key)


def _item_rows(
    f_used: pd.DataFrame,
    chosen_lines: list[list[int]],
    lines: dict[str, list[tuple[str, str, str, list[str]]]],
    original_brand: np.ndarray,
    rng: np.random.Generator,
) -> _Items:
    """The item rows of every group: the original first, then its aftermarket offers."""
    items = _Items()
    categories = f_used["category"].tolist()
    part_types = f_used["part_type"].tolist()
    for i, picks in enumerate(chosen_lines):
        items.add(i, str(original_brand[i]), "", "original", -1)
        category = categories[i]
        part_type = part_types[i]
        pool = lines.get(category, [])
        seen: dict[int, int] = {}
        for e in sorted(picks, key=lambda e: (e % len(pool), e)):
            brand, line, tier, formats = pool[e % len(pool)]
            if e % len(pool) not in seen:
                options = _formats_for(formats, part_type, category) or ["#######"]
                seen[e % len(pool)] = len(items.patterns)
                items.patterns.append(options[int(rng.integers(len(options)))])
            items.add(i, brand, line, tier, seen[e % len(pool)])
    return items


def _key_articles(
    patterns: list[str], oem: list[str], opel_no: list[str], rng: np.random.Generator
) -> np.ndarray:
    """One article number per brand article, unique across the catalog (re-drawn on collision)."""
    key_articles = np.array(_articles(patterns, rng), dtype=object)
    for _ in range(50):
        as_series = pd.Series(key_articles, dtype=object)
        dup = (
            as_series.duplicated(keep="first") | as_series.isin(oem) | as_series.isin(opel_no)
        ).to_numpy()
        if not dup.any():
            break
        redo = np.flatnonzero(dup)
        key_articles[redo] = _articles([patterns[k] for k in redo], rng)
    return key_articles


def _distinct_oem(oem: list[str]) -> list[str]:
    """The OEM numbers with duplicates made unique deterministically."""
    out = list(oem)
    oem_dup = pd.Series(oem).duplicated()
    if oem_dup.any():  # astronomically rare
        for k in np.flatnonzero(oem_dup.to_numpy()):
            out[k] = f"{oem[k][:2]}{(int(oem[k][2:]) + 500_000 + k) % 1_000_000:06d}"
    return out


def _item_articles(items: _Items, key_articles: np.ndarray, oem: list[str]) -> np.ndarray:
    """Each item's own article number: the OEM number for originals, else its brand article."""
    fit_idx = np.asarray(items.fit)
    keys_arr = np.asarray(items.key)
    is_orig = keys_arr < 0
    articles = np.empty(len(fit_idx), dtype=object)
    articles[is_orig] = [oem[i] for i in fit_idx[is_orig]]
    articles[~is_orig] = key_articles[keys_arr[~is_orig]]
    return articles


def _cross_numbers(fit_idx: np.ndarray, articles: np.ndarray, opel_no: list[str]) -> np.ndarray:
    """Each item's cross numbers: its own article, then up to 8 others of its group."""
    # the original lists the Opel catalogue number as its own
    n_items = len(fit_idx)
    starts = np.r_[0, np.flatnonzero(np.diff(fit_idx)) + 1]
    ends = np.r_[starts[1:], n_items]
    cross = np.empty(n_items, dtype=object)
    for s, e in zip(starts, ends, strict=True):
        group_after = list(dict.fromkeys(articles[s + 1 : e]))
        for k in range(s, e):
            own = opel_no[fit_idx[k]] if k == s else articles[k]
            others = [a for a in group_after if a != articles[k]][:8]
            cross[k] = ";".join([own, *others])
    return cross


def _prices(
    f_used: pd.DataFrame,
    parts: pd.DataFrame,
    fit_idx: np.ndarray,
    tiers: list[str],
    rng: np.random.Generator,
) -> np.ndarray:
    """Item prices in roubles: one base per group, brand tier factors around it."""
    pmin = parts.loc[f_used["part_type"], "price_rub_min"].to_numpy(dtype=float)
    pmax = parts.loc[f_used["part_type"], "price_rub_max"].to_numpy(dtype=float)
    base = np.exp(rng.uniform(np.log(pmin), np.log(pmax)))
    model_factor = (
        f_used["model"]
        .map({"insignia": 1.2, "antara": 1.25, "movano": 1.2, "vivaro": 1.15, "corsa": 0.9})
        .fillna(1.0)
        .to_numpy()
    )
    base = base * model_factor
    lo = np.array([_TIER_PRICE.get(t, (1.4, 1.9))[0] for t in tiers])
    hi = np.array([_TIER_PRICE.get(t, (1.4, 1.9))[1] for t in tiers])
    price = base[fit_idx] * rng.uniform(lo, hi)
    return np.maximum(50, np.round(price / 10) * 10).astype(np.int64)


def _catalog_frame(
    f_used: pd.DataFrame,
    fit_idx: np.ndarray,
    oem: list[str],
    cross: np.ndarray,
    names: list[str],
    brands: list[str],
    price: np.ndarray,
    in_stock: np.ndarray,
) -> pd.DataFrame:
    """The catalog table (schema.CATALOG_COLUMNS), one row per item."""
    n_items = len(fit_idx)
    width = max(6, len(str(n_items)))
    fi = f_used.iloc[fit_idx].reset_index(drop=True)
    return pd.DataFrame(
        {
            "sku": [f"OP-{k:0{width}d}" for k in range(1, n_items + 1)],
            "oem_number": [oem[i] for i in fit_idx],
            "cross_numbers": cross,
            "name": names,
            "part_type": fi["part_type"],
            "make": "Opel",
            "model": fi["model"],
            "generation": fi["generation"],
            "year_from": fi["year_from"].astype("int64"),
            "year_to": fi["year_to"],
            "engine_codes": fi["engine_code"],
            "axle": fi["axle"],
            "side": fi["side"],
            "brand": brands,
            "price_rub": price,
            "in_stock": in_stock,
        }
    )[CATALOG_COLUMNS]


def build_catalog(ref: Reference, size: int, rng: np.random.Generator) -> CatalogBuild:
    """Build a catalog of exactly ``size`` items (see the module docstring)."""
    fitments = build_fitments(ref)
    parts = ref.part_types.set_index("part_type")
    lines = _brand_lines(ref)
    pool_size = fitments["category"].map(lambda c: len(lines.get(c, []))).to_numpy()
    offers = _offers_per_line(size, pool_size)
    used = _select_fitments(fitments, size, rng)
    f_used = fitments.iloc[used].reset_index(drop=True)
    weights = np.sqrt(f_used["weight"].to_numpy())
    extra = _group_sizes(weights, pool_size[used] * offers, size - len(used), rng)
    max_pool = int(pool_size.max()) * offers
    chosen_lines = _pick_lines(f_used["category"], extra, lines, max_pool, offers, rng)
    original_brand, oem, opel_no = _group_numbers(f_used, rng)
    items = _item_rows(f_used, chosen_lines, lines, original_brand, rng)
    key_articles = _key_articles(items.patterns, oem, opel_no, rng)
    oem = _distinct_oem(oem)
    fit_idx = np.asarray(items.fit)
    articles = _item_articles(items, key_articles, oem)
    cross = _cross_numbers(fit_idx, articles, opel_no)
    price = _prices(f_used, parts, fit_idx, items.tier, rng)
    in_stock = rng.random(len(fit_idx)) < 0.7
    volumes = dict(zip(ref.engines["engine_code"], ref.engines["displacement_l"], strict=True))
    names = _names(f_used, parts, volumes, fit_idx, items.brand, items.line, rng)
    catalog = _catalog_frame(f_used, fit_idx, oem, cross, names, items.brand, price, in_stock)
    brand_text = [f"{b} {ln}".strip() for b, ln in zip(items.brand, items.line, strict=True)]
    return CatalogBuild(
        catalog=catalog,
        article=pd.Series(articles, name="article").astype(str),
        fitment=used[fit_idx],
        fitments=fitments,
        brand_text=pd.Series(brand_text),
        opel_no=pd.Series([opel_no[i] for i in fit_idx]),
    )


def _names(
    f_used: pd.DataFrame,
    parts: pd.DataFrame,
    volumes: dict[str, str],
    fit_idx: np.ndarray,
    brands: list[str],
    lines: list[str],
    rng: np.random.Generator,
) -> list[str]:
    """Russian price-list names with a few word orders, as real catalogs vary."""
    pattern = rng.choice(5, size=len(fit_idx), p=[0.4, 0.2, 0.2, 0.1, 0.1])
    with_volume = rng.random(len(fit_idx)) < 0.5
    out = []
    fu = f_used.to_dict("records")
    part_names = parts["name_ru"].to_dict()
    genders = parts["gender"].to_dict()
    for k, i in enumerate(fit_idx):
        f = fu[i]
        gender = genders[f["part_type"]]
        axle = _ADJ[f["axle"]][gender] if f["axle"] else ""
        side = _ADJ[f["side"]][gender] if f["side"] else ""
        model = f["model"].capitalize()
        engine = f["engine_code"]
        if engine and with_volume[k]:
            engine = f"{volumes.get(engine, '')} {engine}".strip()
        years = _years_text(f["year_from"], f["year_to"])
        brand = f"{brands[k]} {lines[k]}".strip()
        name = part_names[f["part_type"]]
        p = pattern[k]
        if p == 0:
            text = f"{name} {axle} {side} Opel {model} {f['generation']} {engine} {years} {brand}"
        elif p == 1:
            text = f"{name} {side} {axle} Opel {model} {f['generation']} {years} {engine} {brand}"
        elif p == 2:
            text = f"{name} Opel {model} {f['generation']} {engine} {axle} {side} {brand}"
        elif p == 3:
            text = (
                f"{name} {axle} {side} для Opel {model} {f['generation']} ({years}) "
                f"{engine} {brand}"
            )
        else:
            ab_axle = _ABBR[f["axle"]] if f["axle"] else ""
            ab_side = _ABBR[f["side"]] if f["side"] else ""
            text = (
                f"{name} {ab_axle} {ab_side} OPEL {model.upper()} {f['generation']} "
                f"{f['engine_code']} {brand}"
            )
        out.append(" ".join(text.split()))
    return out
