"""Slot agreement between a request and catalog items, fitment by fitment.

Points of agreement are counted per *fitment row* for the car slots (make,
model, generation, engine, volume, year) and per *item* for the part slots
(part type, side, axle, brand); an item takes its best fitment.  A slot the
request states and an item's value contradicts costs more than a match
earns, so an item contradicting the request never outranks one that fits it.
An item is *consistent* with a request when one of its fitments contradicts
nothing the request states and the item itself contradicts nothing either:
only a consistent item may be ``decoded``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from triage.decode._catalog import CatalogIndex
    from triage.decode._engines import EngineReader

__all__ = ["Scored", "interchangeable", "score_items"]

# Points of slot agreement; a mismatch costs more than a match earns.
WEIGHTS = {
    "part_type": 3.0,
    "model": 2.0,
    "generation": 2.0,
    "side": 1.0,
    "axle": 1.0,
    "engine": 1.5,
    "volume": 1.0,
    "year": 0.5,
    "make": 1.0,
    "brand": 1.0,
}
MISMATCH = {
    "part_type": -1.0,
    "make": -1.0,
    "generation": -3.0,
    "side": -2.0,
    "axle": -2.0,
    "engine": -2.0,
    "volume": -1.5,
    "year": -1.0,
    "model": -3.0,
}


@dataclass
class Scored:
    """Slot points of some items: total, consistency, and the fitment row that scored."""

    points: np.ndarray
    consistent: np.ndarray
    best_row: np.ndarray


def _agree(values: np.ndarray, wanted: Any, slot: str) -> tuple[np.ndarray, np.ndarray]:
    """Points and contradictions of one slot over aligned values (empty value: no opinion)."""
    has = values != ""
    hit = np.isin(values, wanted) if isinstance(wanted, list) else values == wanted
    points = np.where(has & hit, WEIGHTS[slot], 0.0) + np.where(
        has & ~hit, MISMATCH.get(slot, -1.0), 0.0
    )
    return points, has & ~hit


def _membership(
    sets: np.ndarray, test: Callable[[frozenset[str]], bool]
) -> tuple[np.ndarray, np.ndarray]:
    """(non-empty, test true) per row of an array of frozensets."""
    has = np.fromiter((bool(e) for e in sets), dtype=bool, count=len(sets))
    hit = np.fromiter((bool(e) and test(e) for e in sets), dtype=bool, count=len(sets))
    return has, hit


def volume_engines(slots: dict[str, Any], engines: EngineReader) -> frozenset[str]:
    """The engines a stated volume allows (of the stated model), cached in ``slots``."""
    if "_volume_engines" not in slots:
        slots["_volume_engines"] = frozenset(
            engines.with_volume(slots["volumes"], slots["model"]) if slots["volumes"] else ()
        )
    return frozenset(slots["_volume_engines"])


def _fitment_points(
    index: CatalogIndex, slots: dict[str, Any], rows: np.ndarray, engines: EngineReader
) -> tuple[np.ndarray, np.ndarray]:
    """Car-slot points and contradictions of fitment rows."""
    fit = index.fitments
    score = np.zeros(len(rows), dtype=np.float64)
    bad = np.zeros(len(rows), dtype=bool)
    for slot, values in (("model", fit.model), ("make", fit.make)):
        if slots[slot]:
            p, b = _agree(values[rows], slots[slot], slot)
            score += p
            bad |= b
    if slots["generations"]:
        weight = 1.0 if slots["generation_explicit"] else 0.5
        p, b = _agree(fit.generation[rows], list(slots["generations"]), "generation")
        score += weight * p
        bad |= b
    if slots["engine"]:
        has, hit = _membership(fit.engines[rows], lambda e: slots["engine"] in e)
        score += np.where(has & hit, WEIGHTS["engine"], 0.0)
        score += np.where(has & ~hit, MISMATCH["engine"], 0.0)
        bad |= has & ~hit
    elif slots["volumes"]:
        allowed = volume_engines(slots, engines)
        has, hit = _membership(fit.engines[rows], lambda e: bool(e & allowed))
        score += np.where(has & hit, WEIGHTS["volume"], 0.0)
        score += np.where(has & ~hit, MISMATCH["volume"], 0.0)
        bad |= has & ~hit
    if slots["year"] is not None:
        lo, hi = fit.year_from[rows], fit.year_to[rows]
        known = lo >= 0
        inside = (lo <= slots["year"]) & ((hi < 0) | (slots["year"] <= hi))
        score += np.where(known & inside, WEIGHTS["year"], 0.0)
        score += np.where(known & ~inside, MISMATCH["year"], 0.0)
        bad |= known & ~inside
    return score, bad


def _item_points(
    index: CatalogIndex, slots: dict[str, Any], items: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Part-slot points and contradictions of items."""
    score = np.zeros(len(items), dtype=np.float64)
    bad = np.zeros(len(items), dtype=bool)
    if slots["part_type"]:
        wanted = slots["part_types"] or [slots["part_type"]]
        own = index.part_type[items]
        hit = own == wanted[0] if len(wanted) == 1 else np.isin(own, wanted)
        if not index.structured:
            hit |= np.isin(index.part_head[items], wanted)
        has = own != ""
        score += np.where(has & hit, WEIGHTS["part_type"], 0.0)
        score += np.where(has & ~hit, MISMATCH["part_type"], 0.0)
        bad |= has & ~hit
    for slot in ("side", "axle"):
        if slots[slot]:
            p, b = _agree(getattr(index, slot)[items], slots[slot], slot)
            score += p
            bad |= b
    if slots["brand"]:
        # a brand the request names lifts its items; other brands are no contradiction
        score += np.where(index.brand[items] == slots["brand"], WEIGHTS["brand"], 0.0)
    return score, bad


def score_items(
    index: CatalogIndex, slots: dict[str, Any], items: np.ndarray, engines: EngineReader
) -> Scored:
    """Slot points of ``items`` (best fitment each), consistency and the best row."""
    rows, owner = index.fitments.rows_of(items)
    fit_points, fit_bad = _fitment_points(index, slots, rows, engines)
    item_points, item_bad = _item_points(index, slots, items)
    if index.fitments.single:
        return Scored(fit_points + item_points, ~(fit_bad | item_bad), rows)
    # the best row of each item: highest points, then a consistent one, then the first
    order = np.lexsort((np.arange(len(rows)), fit_bad, -fit_points, owner))
    first = np.ones(len(order), dtype=bool)
    first[1:] = owner[order][1:] != owner[order][:-1]
    best = order[first]
    consistent = np.zeros(len(items), dtype=bool)
    np.logical_or.at(consistent, owner, ~fit_bad)
    return Scored(
        fit_points[best] + item_points,
        consistent & ~item_bad,
        rows[best],
    )


def interchangeable(
    index: CatalogIndex, slots: dict[str, Any], item: int, engines: EngineReader
) -> tuple[Any, ...]:
    """What an item offers for this request, over the slots the request leaves open.

    Two items with the same signature fit the same cars among those the
    request allows: for this request they are interchangeable (a Mann and a
    Bosch filter both listed for Astra H Z16XER), whatever else they fit.  A
    slot counts as pinned only when the request gives it one value ("астра
    2009" leaves the generation open between H and J).
    """
    rows, _ = index.fitments.rows_of(np.array([item], dtype=np.int64))
    _, bad = _fitment_points(index, slots, rows, engines)
    fit = index.fitments
    allowed = volume_engines(slots, engines) if slots["volumes"] and not slots["engine"] else None
    cars = set()
    for r in rows[~bad].tolist():
        engs = fit.engines[r] if allowed is None else fit.engines[r] & allowed
        cars.add(
            (
                "" if slots["model"] else fit.model[r],
                "" if len(slots["generations"]) == 1 else fit.generation[r],
                frozenset() if slots["engine"] else engs,
            )
        )
    return (
        index.part_type[item],
        "" if slots["side"] else index.side[item],
        "" if slots["axle"] else index.axle[item],
        frozenset(cars),
    )
