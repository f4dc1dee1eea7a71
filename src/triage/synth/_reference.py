"""Loading the committed reference data (``data/reference/*.csv``), cached.

Each loader returns a fresh copy of a cached, typed DataFrame: list-valued
columns (``;``-separated in the files) become Python lists, booleans become
``bool`` and years become nullable integers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from triage.config import get_settings
from triage.errors import DataError

__all__ = ["Reference", "load_reference", "split_list"]

#: Year used as the end of a generation that is still produced.
CURRENT_YEAR = 2026

_FILES = {
    "opel_models": [
        "model",
        "model_name",
        "model_ru",
        "aliases_ru",
        "generation",
        "year_from",
        "year_to",
        "body_types",
        "engine_codes",
        "extended_to",
    ],
    "engines": [
        "engine_code",
        "displacement_l",
        "fuel",
        "turbo",
        "timing_drive",
        "year_from",
        "year_to",
    ],
    "part_types": [
        "part_type",
        "name_ru",
        "name_en",
        "gender",
        "category",
        "has_side",
        "axles",
        "engine_specific",
        "price_rub_min",
        "price_rub_max",
        "synonyms_ru",
        "slang_ru",
        "misspellings_ru",
        "descriptions_ru",
    ],
    "brands": ["brand", "tier", "categories", "article_formats", "lines"],
    "makes": ["make", "name_ru", "aliases", "model_examples"],
    "regions": ["region", "served"],
    "channels": ["channel", "paid", "description"],
}


def split_list(value: object) -> list[str]:
    """Split a ``;``-separated cell into stripped, non-empty items."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    return [item.strip() for item in str(value).split(";") if item.strip()]


def _bool(series: pd.Series, path: Path, column: str) -> pd.Series:
    text = series.str.strip().str.lower()
    bad = ~text.isin(["true", "false"])
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0]) + 2
        raise DataError(f"{path}: line {row}, field {column!r}: expected true or false")
    return text.eq("true").astype(bool)


def _int(series: pd.Series, path: Path, column: str, *, nullable: bool = False) -> pd.Series:
    text = series.str.strip()
    empty = text.eq("")
    numbers = pd.to_numeric(text.where(~empty), errors="coerce")
    bad = numbers.isna() & (~empty | (not nullable))
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0]) + 2
        raise DataError(f"{path}: line {row}, field {column!r}: expected a whole number")
    return numbers.astype("Int64")


def _read(name: str, reference_dir: Path) -> pd.DataFrame:
    path = reference_dir / f"{name}.csv"
    if not path.exists():
        raise DataError(f"{path}: reference file not found; restore it from the repository")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: cannot read the reference file ({exc})") from None
    missing = [c for c in _FILES[name] if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {', '.join(missing)}")
    return frame


@dataclass(frozen=True)
class Reference:
    """The reference tables, typed.  Use :func:`load_reference` to get one."""

    opel_models: pd.DataFrame
    engines: pd.DataFrame
    part_types: pd.DataFrame
    brands: pd.DataFrame
    makes: pd.DataFrame
    regions: pd.DataFrame
    channels: pd.DataFrame


@lru_cache(maxsize=4)
def _load(reference_dir: str) -> Reference:
    ref = Path(reference_dir)
    models = _read("opel_models", ref)
    path = ref / "opel_models.csv"
    models["year_from"] = _int(models["year_from"], path, "year_from")
    models["year_to"] = _int(models["year_to"], path, "year_to", nullable=True)
    for column in ("aliases_ru", "body_types", "engine_codes", "extended_to"):
        models[column] = models[column].map(split_list)
    # the last year any body of the generation was built (extended_to holds body:year pairs)
    models["year_to_effective"] = [
        max([int(y) if pd.notna(y) else CURRENT_YEAR] + [int(item.split(":")[1]) for item in ext])
        for y, ext in zip(models["year_to"], models["extended_to"], strict=True)
    ]

    engines = _read("engines", ref)
    path = ref / "engines.csv"
    engines["year_from"] = _int(engines["year_from"], path, "year_from")
    engines["year_to"] = _int(engines["year_to"], path, "year_to", nullable=True)
    engines["turbo"] = _bool(engines["turbo"], path, "turbo")

    parts = _read("part_types", ref)
    path = ref / "part_types.csv"
    for column in ("has_side", "engine_specific"):
        parts[column] = _bool(parts[column], path, column)
    for column in ("price_rub_min", "price_rub_max"):
        parts[column] = _int(parts[column], path, column).astype("int64")
    for column in ("axles", "synonyms_ru", "slang_ru", "misspellings_ru", "descriptions_ru"):
        parts[column] = parts[column].map(split_list)

    brands = _read("brands", ref)
    for column in ("categories", "article_formats", "lines"):
        brands[column] = brands[column].map(split_list)

    makes = _read("makes", ref)
    for column in ("aliases", "model_examples"):
        makes[column] = makes[column].map(split_list)

    regions = _read("regions", ref)
    regions["served"] = _bool(regions["served"], ref / "regions.csv", "served")
    channels = _read("channels", ref)
    channels["paid"] = _bool(channels["paid"], ref / "channels.csv", "paid")
    return Reference(models, engines, parts, brands, makes, regions, channels)


def load_reference(reference_dir: str | Path | None = None) -> Reference:
    """Load (once) and return the reference tables.

    Parameters
    ----------
    reference_dir : path, optional
        Folder with the reference CSVs; defaults to the settings' ``reference_dir``.
    """
    ref = Path(reference_dir) if reference_dir is not None else get_settings().reference_dir
    cached = _load(str(ref.resolve()))
    return Reference(**{name: getattr(cached, name).copy() for name in _FILES})
