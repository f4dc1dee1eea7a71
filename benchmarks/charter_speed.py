"""How fast is a 20-criterion charter on 1,000,000 leads?

Target: at most 10 s on 2 cores, end to end (derived fields included).  The
script pins itself to 2 cores where the OS allows, builds a synthetic lead
table in memory (decoded_* columns included, so the decoder is not timed),
evaluates a 20-criterion charter with the vectorised engine, and compares with
a per-row Python evaluation of the same charter on a subset, scaled up.

Run: ``.venv/bin/python benchmarks/charter_speed.py [--rows N] [--subset N]``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from triage.charter import (
    evaluate_charter,
    evaluate_criteria,
    parse_charter,
    prepare_fields,
)
from triage.config import get_settings
from triage.errors import TriageWarning

# The row-wise reference evaluator lives with the tests (it is their oracle).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from charter_oracle import evaluate_charter_rowwise

# The served regions are a fact of the shop: read them where they are kept.
_REGIONS = pd.read_csv(get_settings().reference_dir / "regions.csv", dtype=str)
SERVED = _REGIONS.loc[_REGIONS["served"].str.lower() == "true", "region"].tolist()
OTHER = [
    "Краснодарский край",
    "Новосибирская область",
    "Свердловская область",
    "Республика Татарстан",
]
CHANNELS = [
    "yandex_direct",
    "avito",
    "google_ads",
    "organic",
    "2gis",
    "referral",
    "phone_call",
    "vk",
]
STATUSES = ["decoded", "ambiguous", "partial", "other_make", "not_a_part", "empty"]
MAKES = ["Opel", "Opel", "Opel", "Peugeot", "Chevrolet", ""]
PARTS = ["привод", "фильтр масляный", "колодки", "фара", "ремень ГРМ", "ступица", "радиатор"]
WORDS = [
    "нужен",
    "опель",
    "астра",
    "opel",
    "vectra",
    "левый",
    "передний",
    "срочно",
    "цена",
    "есть",
    "j",
    "h",
]

CHARTER = """
charter: bench
version: 1
settings: {duplicate_window_days: 7}
criteria:
  - id: opel_only
    rule: {field: decoded_make, op: in, value: [Opel]}
  - id: part_request
    rule: {field: decoded_status, op: not_in, value: [not_a_part, empty]}
  - id: served_region
    rule: {field: region, op: in, value: [%(served)s]}
  - id: reachable
    rule:
      any:
        - {field: phone_valid, op: eq, value: true}
        - {field: email_valid, op: eq, value: true}
  - id: not_duplicate
    rule: {field: is_duplicate, op: eq, value: false}
  - id: paid_channel
    required: false
    rule: {field: channel, op: in, value: [yandex_direct, google_ads, avito, vk, 2gis]}
  - id: not_avito
    required: false
    rule: {not: {field: channel, op: eq, value: avito}}
  - id: item_identified
    required: false
    rule: {field: decoded_sku, op: not_empty}
  - id: detailed
    required: false
    rule: {field: request_length, op: ge, value: 20}
  - id: short
    required: false
    rule: {field: request_length, op: lt, value: 8}
  - id: working_hours
    required: false
    rule: {field: hour, op: between, value: [9, 18]}
  - id: weekend
    required: false
    rule: {field: weekday, op: in, value: [6, 7]}
  - id: mentions_opel
    required: false
    rule: {field: request_text, op: contains, value: [opel, опель]}
  - id: mentions_model
    required: false
    rule: {field: request_text, op: matches, value: '(astra|астра|vectra|вектра)\\s*[a-zа-я]?'}
  - id: has_revenue
    required: false
    rule: {field: revenue_rub, op: gt, value: 0}
  - id: big_order
    required: false
    rule: {field: revenue_rub, op: between, value: [10000, 500000]}
  - id: managed
    required: false
    rule: {field: manager, op: not_empty}
  - id: no_email
    required: false
    rule: {field: email, op: is_empty}
  - id: search_campaign
    required: false
    rule:
      all:
        - {field: campaign, op: contains, value: search}
        - {field: utm_term, op: ne, value: brand}
  - id: since_february
    required: false
    rule: {field: created_at, op: ge, value: 2026-02-01}
""".replace("%(served)s", ", ".join(SERVED))


def _pin_two_cores() -> str:
    try:
        cpus = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, set(cpus[:2]))
        note = f"pinned to cores {cpus[:2]}"
    except (AttributeError, OSError):
        note = "could not pin cores (not Linux)"
    try:
        import pyarrow as pa

        pa.set_cpu_count(2)
        pa.set_io_thread_count(2)
    except Exception:  # pragma: no cover - best effort
        pass
    return note


def make_leads(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    pool = 200_000
    phones = np.array([f"+7 9{x:09d}" for x in rng.integers(0, 10**9, pool)], dtype=object)
    phones[rng.random(pool) < 0.05] = "123-45"
    texts = np.array(
        [
            " ".join(rng.choice(WORDS, size=rng.integers(1, 7))) + " " + rng.choice(PARTS)
            for _ in range(20_000)
        ],
        dtype=object,
    )
    start = np.datetime64("2026-01-01T00:00:00")
    created = start + rng.integers(0, 120 * 24 * 3600, n).astype("timedelta64[s]")
    status = rng.choice(STATUSES, size=n, p=[0.45, 0.15, 0.15, 0.1, 0.1, 0.05])
    return pd.DataFrame(
        {
            "lead_id": np.arange(n),
            "created_at": pd.Series(np.datetime_as_string(created), dtype="string"),
            "channel": pd.Series(rng.choice(CHANNELS, n), dtype="string"),
            "campaign": pd.Series(
                rng.choice(["search_opel", "search_all", "retarget", ""], n), dtype="string"
            ),
            "utm_term": pd.Series(rng.choice(["brand", "opel", "запчасти"], n), dtype="string"),
            "region": pd.Series(rng.choice(SERVED + OTHER, n), dtype="string"),
            "phone": pd.Series(phones[rng.integers(0, pool, n)], dtype="string"),
            "email": pd.Series(
                np.where(rng.random(n) < 0.3, "client@example.ru", None), dtype="string"
            ),
            "request_text": pd.Series(texts[rng.integers(0, len(texts), n)], dtype="string"),
            "revenue_rub": np.where(rng.random(n) < 0.3, rng.integers(500, 80_000, n), 0).astype(
                float
            ),
            "manager": pd.Series(rng.choice(["Иванов", "Петров", None], n), dtype="string"),
            "decoded_make": pd.Series(rng.choice(MAKES, n), dtype="string"),
            "decoded_status": pd.Series(status, dtype="string"),
            "decoded_sku": pd.Series(np.where(status == "decoded", "OP-1001", ""), dtype="string"),
        }
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--subset", type=int, default=20_000)
    parser.add_argument("--budget", type=float, default=10.0, help="seconds allowed end to end")
    args = parser.parse_args(argv)
    print(_pin_two_cores())
    charter = parse_charter(CHARTER, source="benchmark")
    assert len(charter) == 20

    t0 = time.perf_counter()
    leads = make_leads(args.rows)
    print(f"generated {len(leads):,} leads in {time.perf_counter() - t0:.2f} s (not timed)")

    warnings.simplefilter("ignore", TriageWarning)
    t0 = time.perf_counter()
    out = evaluate_charter(leads, charter)
    total = time.perf_counter() - t0
    target = int((out["charter_verdict"] == "target").sum())

    t0 = time.perf_counter()
    fields = prepare_fields(leads, charter)
    t_fields = time.perf_counter() - t0
    t0 = time.perf_counter()
    evaluate_criteria(fields, charter)
    t_rules = time.perf_counter() - t0

    subset = fields.iloc[: args.subset]
    t0 = time.perf_counter()
    ref = evaluate_charter_rowwise(subset, charter)
    t_row = time.perf_counter() - t0
    scaled = t_row * len(leads) / len(subset)
    agree = [r["charter_verdict"] for r in ref] == out["charter_verdict"].iloc[
        : args.subset
    ].tolist()

    print(
        f"charter: {len(charter)} criteria ({len(charter.required_ids)} required); "
        f"leads: {len(leads):,}"
    )
    print(
        "vectorised, end to end (derived fields + rules + verdicts): "
        f"{total:6.2f} s -> {target:,} target"
    )
    print(f"  derived fields (phone/email validity, duplicates, dates):  {t_fields:6.2f} s")
    print(f"  rules only (20 criteria, on prepared fields):             {t_rules:6.2f} s")
    print(
        f"per-row Python on {len(subset):,} rows: {t_row:6.2f} s "
        f"-> scaled to {len(leads):,}: {scaled:8.1f} s"
    )
    print(
        f"speed-up of the vectorised rules over per-row Python: {scaled / t_rules:,.0f}x "
        f"(end to end: {scaled / total:,.0f}x); verdicts identical on the subset: {agree}"
    )
    ok = total <= args.budget and agree
    print(f"{'OK' if ok else 'FAIL'}: {total:.2f} s against a budget of {args.budget:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
