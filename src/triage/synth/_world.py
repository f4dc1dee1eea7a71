"""The synthetic world: parameters, generation and writing."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from triage.errors import DataError, UsageError
from triage.io import write_table, write_text_atomic
from triage.synth._catalog import build_catalog
from triage.synth._leads import build_leads
from triage.synth._reference import load_reference

__all__ = ["World", "generate_world", "write_world"]

#: The files :func:`write_world` writes, by key (``coverage.csv`` only for a price list).
WORLD_FILES = ("catalog.csv", "leads.csv", "truth.csv", "world.json", "coverage.csv")
#: Catalog styles: the generator's structured catalog, or a 1C-style price list.
CATALOG_STYLES = ("default", "pricelist")
#: Above these sizes a progress bar is shown on stderr.
_BIG_CATALOG = 50_000
_BIG_LEADS = 50_000


@dataclass
class World:
    """A generated world: the catalog, the CRM lead export and its ground truth.

    ``params`` holds the arguments it was generated from.
    """

    catalog: pd.DataFrame
    leads: pd.DataFrame
    truth: pd.DataFrame
    params: dict = field(default_factory=dict)
    #: For a price-list catalog: one row per (item, car it covers), the names' ground truth.
    coverage: pd.DataFrame | None = None

    def summary(self) -> dict:
        """Parameters and counts, JSON-able (what ``world.json`` holds)."""
        truth = self.truth
        leads = self.leads
        return {
            "params": dict(self.params),
            "counts": {
                "catalog_items": len(self.catalog),
                "catalog_groups": int(
                    self.catalog["oem_number" if "oem_number" in self.catalog else "sku"].nunique()
                ),
                "leads": len(leads),
                "true_target": int((truth["true_verdict"] == "target").sum()),
                "marketing_target": int((leads["marketing_verdict"] == "target").sum()),
                "sales_target": int((leads["sales_verdict"] == "target").sum()),
                "duplicates": int((truth["duplicate_of"] != "").sum()),
                "tiers": {k: int(v) for k, v in truth["tier"].value_counts().sort_index().items()},
                "responsibility": {
                    k: int(v)
                    for k, v in truth["true_responsibility"].value_counts().sort_index().items()
                },
                "channels": {
                    k: int(v) for k, v in leads["channel"].value_counts().sort_index().items()
                },
            },
        }


def _check_int(name: str, value: object, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise UsageError(f"{name} must be a whole number, got {value!r}")
    if value < minimum:
        raise UsageError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def _check_start(start: object) -> pd.Timestamp:
    try:
        day = date.fromisoformat(str(start))
    except ValueError:
        raise UsageError(f"start must be an ISO date like 2026-05-01, got {start!r}") from None
    return pd.Timestamp(day)


def generate_world(
    *,
    months: int = 6,
    leads_per_month: int = 3000,
    catalog_size: int = 20000,
    seed: int = 7,
    start: str = "2026-05-01",
    catalog_style: str = "default",
) -> World:
    """Generate the Opel parts shop world deterministically.

    Parameters
    ----------
    months : int
        Length of the lead period in calendar months, starting at ``start``.
    leads_per_month : int
        Leads created in each month.
    catalog_size : int
        Number of catalog items (SKUs).
    seed : int
        Seed of the one numpy Generator; the catalog and the leads use sub-seeds
        derived from it, so changing ``leads_per_month`` does not change the catalog.
    start : str
        First day of the period (ISO date).
    catalog_style : {"default", "pricelist"}
        ``pricelist`` turns the catalog into a 1C-style price list (article,
        name, price; multi-fitment names, abbreviations, sibling makes, kinds
        beyond the taxonomy); the leads stay the same, the truth gains
        ``true_articles`` (the price-list articles that fit each request) and
        the world gains ``coverage`` (which cars each name claims).

    Returns
    -------
    World
        ``catalog`` (schema.CATALOG_COLUMNS, or sku/name/price), ``leads``
        (schema.LEAD_COLUMNS) and ``truth`` (schema.TRUTH_COLUMNS).

    Examples
    --------
    >>> world = generate_world(months=1, leads_per_month=50, catalog_size=500, seed=1)
    >>> len(world.leads), len(world.catalog)
    (50, 500)
    """
    months = _check_int("months", months, minimum=1)
    leads_per_month = _check_int("leads_per_month", leads_per_month, minimum=1)
    catalog_size = _check_int("catalog_size", catalog_size, minimum=1)
    seed = _check_int("seed", seed, minimum=0)
    stamp = _check_start(start)
    if stamp.year * 12 + stamp.month - 1 + months > 9999 * 12:
        raise UsageError(f"months: {months} months from {stamp.date()} run past the year 9999")
    if catalog_style not in CATALOG_STYLES:
        raise UsageError(
            f"catalog_style must be one of {', '.join(CATALOG_STYLES)}, got {catalog_style!r}"
        )
    ref = load_reference()
    # spawn(3)'s first two children are spawn(2)'s: the default world does not change.
    catalog_seed, leads_seed, pricelist_seed = np.random.SeedSequence(seed).spawn(3)
    big = catalog_size >= _BIG_CATALOG or months * leads_per_month >= _BIG_LEADS
    from tqdm import tqdm

    with tqdm(total=2, desc="synth", unit="step", disable=not big, leave=False) as bar:
        bar.set_postfix_str(f"catalog of {catalog_size}")
        cat = build_catalog(ref, catalog_size, np.random.default_rng(catalog_seed))
        bar.update()
        bar.set_postfix_str(f"{months * leads_per_month} leads")
        leads, truth = build_leads(
            ref,
            cat,
            months=months,
            leads_per_month=leads_per_month,
            start=stamp,
            rng=np.random.default_rng(leads_seed),
        )
        bar.update()
    params = {
        "months": months,
        "leads_per_month": leads_per_month,
        "catalog_size": catalog_size,
        "seed": seed,
        "start": stamp.date().isoformat(),
    }
    if catalog_style == "default":
        return World(catalog=cat.catalog, leads=leads, truth=truth, params=params)
    from triage.synth._pricelist import build_pricelist, pricelist_truth

    price_list = build_pricelist(cat, np.random.default_rng(pricelist_seed), ref=ref)
    params["catalog_style"] = catalog_style
    return World(
        catalog=price_list.catalog,
        leads=leads,
        truth=pricelist_truth(price_list, cat, truth),
        params=params,
        coverage=price_list.coverage,
    )


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Booleans as lowercase true/false, as in the reference files."""
    out = frame.copy()
    for name in out.columns:
        if pd.api.types.is_bool_dtype(out[name]):
            out[name] = np.where(out[name].to_numpy(dtype=bool), "true", "false")
    return out


def write_world(world: World, out_dir: str | Path, *, overwrite: bool = True) -> dict[str, Path]:
    """Write ``catalog.csv``, ``leads.csv``, ``truth.csv`` and ``world.json`` into ``out_dir``.

    The files are UTF-8 and byte-identical for the same world.  Each is
    written atomically (complete or not at all).  Returns the paths written,
    keyed by "catalog", "leads", "truth" and "world".

    Parameters
    ----------
    world : World
        From :func:`generate_world`.
    out_dir : str or Path
        The folder (created when missing).
    overwrite : bool
        Replace files of these names already in the folder (default); with
        False such a folder is refused.

    Raises
    ------
    DataError
        The folder cannot be created or written, or (``overwrite=False``)
        already holds some of the files.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise DataError(f"{out}: exists and is not a folder; choose another --out")
    paths = {name.split(".")[0]: out / name for name in WORLD_FILES}
    if world.coverage is None:
        del paths["coverage"]
    present = [p.name for p in paths.values() if p.exists()]
    if present and not overwrite:
        raise DataError(
            f"{out}: the folder already holds {', '.join(present)}; choose another folder "
            "(or overwrite them: --force)"
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(f"{out}: cannot write the world there ({exc.strerror or exc})") from None
    write_table(_as_text(world.catalog), paths["catalog"])
    write_table(_as_text(world.leads), paths["leads"])
    write_table(_as_text(world.truth), paths["truth"])
    if world.coverage is not None:
        write_table(_as_text(world.coverage), paths["coverage"])
    summary = json.dumps(world.summary(), ensure_ascii=False, indent=2, sort_keys=True)
    write_text_atomic(summary + "\n", paths["world"])
    return paths
