"""Shared helpers for the benchmarks: a generated world, the machine note, truth joins."""

from __future__ import annotations

import json
import os
import platform
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd


def machine_note() -> str:
    """One line describing where the numbers were measured."""
    cpus = os.cpu_count()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.machine()} {cpus} CPU(s), {mem:.0f} GiB, Python {platform.python_version()}, {platform.system()}"


def peak_rss_mib() -> float:
    """Peak resident memory of this process and its finished children, MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


@contextmanager
def timed(label: str, store: dict[str, float]) -> Iterator[None]:
    start = time.perf_counter()
    yield
    store[label] = time.perf_counter() - start


def group_of(catalog: pd.DataFrame) -> dict[str, str]:
    """sku -> interchangeable group (the OEM number)."""
    return dict(zip(catalog["sku"].astype(str), catalog["oem_number"].astype(str), strict=True))


def candidate_skus(cell: str) -> list[str]:
    return [c["sku"] for c in json.loads(cell)]


def rate(mask: pd.Series | np.ndarray) -> float:
    arr = np.asarray(mask, dtype=bool)
    return float(arr.mean()) if arr.size else float("nan")
