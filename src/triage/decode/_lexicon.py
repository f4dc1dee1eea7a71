"""Lexicons: which surface words name which slot value.

A lexicon is a list of ``(slot, value, surface)`` rows.  Slots the decoder
understands: ``make``, ``model``, ``part_type``, ``side``, ``axle``,
``generation`` (letters spelled out or typed as look-alikes), ``part_request``
(generic "a part" words), ``not_a_part`` (cues of job offers, spam, wrong
numbers), ``stopword``, ``brand`` (parts brands in any script: "бош" is
Bosch) and ``abbreviation`` (the value is what the surface stands for:
"к-кт" is "комплект").  The shipped lexicons are built from
``data/reference`` (part types, makes, Opel models, models of sibling makes)
plus the hand-written files in ``data/reference/lexicon/``; a user adds a CSV
of their own with the same three columns.  Nothing in the ranking code knows
about Opel or Russian: this module only turns those tables into rows.

The vehicle table (make, model, generation, years, engine codes) lets the
decoder infer a generation from a year, an engine code or an engine volume,
and the engines of a generation from its model and a volume.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from triage.config import get_settings
from triage.decode._text import lookalike_cyrillic
from triage.errors import DataError
from triage.io import read_table, require_columns

__all__ = ["SLOTS", "Lexicon", "load_lexicon", "read_lexicon_csv"]

SLOTS = (
    "make",
    "model",
    "part_type",
    "side",
    "axle",
    "generation",
    "part_request",
    "not_a_part",
    "stopword",
    "brand",
    "abbreviation",
)


@dataclass(frozen=True)
class Vehicle:
    """One model generation: which make, which years, which engines."""

    make: str
    model: str
    generation: str
    year_from: int | None
    year_to: int | None
    engines: tuple[str, ...]


@dataclass
class Lexicon:
    """Slot vocabulary plus the vehicle table used for inference.

    Attributes
    ----------
    rows : DataFrame
        Columns ``slot``, ``value``, ``surface``, ``source``.
    vehicles : list of Vehicle
        Model generations with years and engine codes (may be empty).
    model_make : dict
        Model id -> make, so that a model name implies its make.
    home_make : str
        The make of the reference models ("Opel"): a catalog name naming a
        model of it without the make is read as that make.  Which makes a shop
        sells comes from its catalog, not from here.
    engine_volume : dict
        Engine code -> displacement in litres ("Z18XER" -> 1.8).
    """

    rows: pd.DataFrame
    vehicles: list[Vehicle] = field(default_factory=list)
    model_make: dict[str, str] = field(default_factory=dict)
    home_make: str = ""
    engine_volume: dict[str, float] = field(default_factory=dict)

    def extend(self, rows: pd.DataFrame) -> Lexicon:
        """A new lexicon with extra ``(slot, value, surface)`` rows appended."""
        _check_rows(rows, source="extra lexicon rows")
        extra = rows.assign(source=rows.get("source", "user"))
        merged = pd.concat([self.rows, extra[["slot", "value", "surface", "source"]]])
        return Lexicon(
            rows=merged.reset_index(drop=True),
            vehicles=list(self.vehicles),
            model_make=dict(self.model_make),
            home_make=self.home_make,
            engine_volume=dict(self.engine_volume),
        )

    def generations(self, model: str) -> list[Vehicle]:
        """Generations known for a model id, oldest first."""
        return [v for v in self.vehicles if v.model == model]


def _split(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and value != value):
        return []
    return [part.strip() for part in str(value).split(";") if part.strip()]


def _check_rows(rows: pd.DataFrame, *, source: str | Path) -> None:
    require_columns(rows, ["slot", "value", "surface"], source=source, what="lexicon")
    bad = ~rows["slot"].isin(SLOTS)
    if bad.any():
        first = int(bad.to_numpy().nonzero()[0][0])
        raise DataError(
            f"{source}: row {first + 2}, field slot: unknown slot {rows['slot'].iloc[first]!r}; "
            f"valid slots: {', '.join(SLOTS)}"
        )


def _rows(slot: str, value: str, surfaces: Iterable[str], source: str) -> list[dict[str, str]]:
    return [
        {"slot": slot, "value": value, "surface": s, "source": source}
        for s in surfaces
        if s and str(s).strip()
    ]


def _part_type_rows(path: Path) -> list[dict[str, str]]:
    table = read_table(path, what="part types")
    require_columns(table, ["part_type", "name_ru"], source=path, what="part types")
    out: list[dict[str, str]] = []
    for rec in table.to_dict("records"):
        pid = str(rec["part_type"])
        out += _rows("part_type", pid, [str(rec["name_ru"])], "name")
        for column in ("name_en", "synonyms_ru", "slang_ru", "misspellings_ru", "descriptions_ru"):
            if column in rec:
                source = column.removesuffix("_ru")
                values = _split(rec[column]) if column != "name_en" else [str(rec[column] or "")]
                out += _rows("part_type", pid, values, source)
    return out


def _make_rows(path: Path) -> tuple[list[dict[str, str]], str]:
    table = read_table(path, what="makes")
    require_columns(table, ["make"], source=path, what="makes")
    out: list[dict[str, str]] = []
    for rec in table.to_dict("records"):
        make = str(rec["make"])
        out += _rows("make", make, [make, str(rec.get("name_ru") or "")], "name")
        out += _rows("make", make, _split(rec.get("aliases")), "alias")
        out += _rows("make", make, _split(rec.get("model_examples")), "model_example")
    return out, "Opel" if (table["make"] == "Opel").any() else ""


def _generation_code_rows(generation: str) -> list[dict[str, str]]:
    """Surfaces of a generation code longer than a letter ("T300": "t300", "т300")."""
    if len(generation) < 2:
        return []
    code = generation.lower()
    return _rows("generation", generation, [code, lookalike_cyrillic(code)], "code")


def _vehicle_rows(
    path: Path, make: str = "Opel"
) -> tuple[list[dict[str, str]], list[Vehicle], dict[str, str]]:
    table = read_table(path, what="models")
    require_columns(table, ["model", "generation"], source=path, what="models")
    out: list[dict[str, str]] = []
    vehicles: list[Vehicle] = []
    model_make: dict[str, str] = {}
    for rec in table.to_dict("records"):
        model = str(rec["model"]).lower()
        model_make[model] = str(rec.get("make") or make)
        names = [model, str(rec.get("model_name") or ""), str(rec.get("model_ru") or "")]
        out += _rows("model", model, names + _split(rec.get("aliases_ru")), "model")

        def _year(v: object) -> int | None:
            return None if v is None or v != v or str(v).strip() == "" else int(float(str(v)))

        out += _generation_code_rows(str(rec["generation"]).upper())
        year_to = _year(rec.get("year_to"))
        # Body styles built longer than the rest ("sedan:2009") widen the years.
        for part in _split(rec.get("extended_to")):
            extended = _year(part.rpartition(":")[2])
            if year_to is not None and extended is not None:
                year_to = max(year_to, extended)
        vehicles.append(
            Vehicle(
                make=model_make[model],
                model=model,
                generation=str(rec["generation"]).upper(),
                year_from=_year(rec.get("year_from")),
                year_to=year_to,
                engines=tuple(e.upper() for e in _split(rec.get("engine_codes"))),
            )
        )
    return out, vehicles, model_make


def _engine_volumes(*paths: Path) -> dict[str, float]:
    """Engine code -> displacement (litres) from ``engines.csv``-like tables."""
    out: dict[str, float] = {}
    for path in paths:
        if not path.exists():
            continue
        table = read_table(path, what="engines")
        require_columns(table, ["engine_code", "displacement_l"], source=path, what="engines")
        for code, litres in zip(table["engine_code"], table["displacement_l"], strict=True):
            volume = pd.to_numeric(litres, errors="coerce")
            if str(code).strip() and volume == volume:
                out.setdefault(str(code).strip().upper(), round(float(volume), 1))
    return out


def read_lexicon_csv(path: Path) -> pd.DataFrame:
    """Read a user lexicon (``slot,value,surface[,source]``), checking its slots."""
    table = read_table(path, what="lexicon")
    _check_rows(table, source=path)
    table = table.assign(source=table.get("source", path.stem))
    return table[["slot", "value", "surface", "source"]].fillna("")


@lru_cache(maxsize=8)
def _load_cached(reference_dir: str, extra: tuple[str, ...], _stamps: tuple[int, ...]) -> Lexicon:
    ref = Path(reference_dir)
    rows: list[dict[str, str]] = []
    vehicles: list[Vehicle] = []
    model_make: dict[str, str] = {}
    home_make = ""
    if (ref / "part_types.csv").exists():
        rows += _part_type_rows(ref / "part_types.csv")
    if (ref / "makes.csv").exists():
        make_rows, home_make = _make_rows(ref / "makes.csv")
        rows += make_rows
    if (ref / "opel_models.csv").exists():
        model_rows, vehicles, model_make = _vehicle_rows(ref / "opel_models.csv")
        rows += model_rows
        home_make = home_make or "Opel"
    if (ref / "sibling_models.csv").exists():
        sib_rows, sib_vehicles, sib_make = _vehicle_rows(ref / "sibling_models.csv", make="")
        rows += sib_rows
        vehicles += sib_vehicles
        model_make.update({k: v for k, v in sib_make.items() if k not in model_make})
    volumes = _engine_volumes(ref / "engines.csv", ref / "sibling_engines.csv")
    frames = [pd.DataFrame(rows, columns=["slot", "value", "surface", "source"])]
    lexicon_dir = ref / "lexicon"
    if lexicon_dir.is_dir():
        frames += [read_lexicon_csv(p) for p in sorted(lexicon_dir.glob("*.csv"))]
    frames += [read_lexicon_csv(Path(p)) for p in extra]
    table = pd.concat(frames, ignore_index=True)
    table = table.astype({"slot": str, "value": str, "surface": str, "source": str})
    return Lexicon(
        rows=table,
        vehicles=vehicles,
        model_make=model_make,
        home_make=home_make,
        engine_volume=volumes,
    )


def load_lexicon(
    reference_dir: str | Path | None = None, extra: Sequence[str | Path] = ()
) -> Lexicon:
    """Load the shipped lexicon (and any extra user lexicon CSVs).

    Parameters
    ----------
    reference_dir : path, optional
        Folder with ``part_types.csv``, ``makes.csv``, ``opel_models.csv`` and a
        ``lexicon/`` folder of ``slot,value,surface`` CSVs.  Defaults to the
        settings' ``reference_dir`` (see :mod:`triage.config`).
    extra : sequence of paths
        User lexicon CSVs with columns ``slot``, ``value``, ``surface``.
    """
    ref = Path(reference_dir) if reference_dir is not None else get_settings().reference_dir
    for p in extra:
        if not Path(p).is_file():
            raise DataError(f"{p}: lexicon file not found")
    # The modification times are part of the cache key: an edited lexicon is re-read.
    stamps = tuple(
        q.stat().st_mtime_ns
        for q in [*sorted(ref.glob("*.csv")), *sorted(ref.glob("lexicon/*.csv")), *map(Path, extra)]
    )
    return _load_cached(str(ref.resolve()), tuple(str(Path(p).resolve()) for p in extra), stamps)
