"""A CRM export in another shape than the synthetic world's, for the judge's tests.

Modelled on the public "lead scoring" exports of education and B2B CRMs:
English column names with spaces, a 0/1 ``Converted`` outcome, no request
text, no dates, dozens of mixed columns, placeholder values ("Select"),
blanks, a running ``Lead Number`` (an ID that follows the row order) and two
columns known only after contact (``Tags``, ``Lead Quality``) that leak the
outcome.  Deterministic for a seed; nothing here is real data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SCHEMA = """\
# A CRM with its own column names: no request text, no dates, one 0/1 outcome.
columns:
  lead_id: Prospect ID
  created_at: null
  request_text: null
label: {column: Converted, positive: [1], negative: [0]}
features: auto
exclude: [Lead Number]
post_outcome: [Tags, Lead Quality]
missing_values: [Select]
"""


def make_crm(n: int = 900, *, seed: int = 0) -> pd.DataFrame:
    """The export as a frame (the outcome depends on origin, time on site and occupation)."""
    rng = np.random.default_rng(seed)
    origin = rng.choice(["API", "Landing Page Submission", "Lead Add Form", "Lead Import"], n)
    source = rng.choice(
        ["Google", "Direct Traffic", "Olark Chat", "Organic Search", "Reference"], n
    )
    occupation = rng.choice(["Unemployed", "Working Professional", "Student", "Select"], n)
    time_on_site = rng.gamma(2.0, 300.0, n).round(0)
    visits = rng.poisson(3, n).astype(float)
    visits[rng.random(n) < 0.05] = np.nan
    country = rng.choice(["India", "United States", "Select", ""], n, p=[0.7, 0.1, 0.15, 0.05])
    score = (
        -1.2
        + 1.6 * (origin == "Lead Add Form")
        + 1.1 * (occupation == "Working Professional")
        + 0.0012 * time_on_site
        + 0.4 * (source == "Reference")
        + rng.normal(0, 0.6, n)
    )
    converted = (score > 0.4).astype(int)
    tags = np.where(converted == 1, "Will revert after reading the email", "Ringing")
    tags = np.where(rng.random(n) < 0.1, "Select", tags)
    quality = np.where(converted == 1, "High in Relevance", "Not Sure")
    frame = pd.DataFrame(
        {
            "Prospect ID": [f"7927b2df-{i:04x}-4f6e-a8d1-{seed:04d}{i:08d}" for i in range(n)],
            "Lead Number": 660000 + np.arange(n) * 3,
            "Lead Origin": origin,
            "Lead Source": source,
            "Do Not Email": rng.choice(["No", "Yes"], n, p=[0.9, 0.1]),
            "TotalVisits": visits,
            "Total Time Spent on Website": time_on_site,
            "Page Views Per Visit": (visits / np.maximum(rng.poisson(2, n), 1)).round(2),
            "Country": country,
            "What is your current occupation": occupation,
            "Tags": tags,
            "Lead Quality": quality,
            "Converted": converted,
        }
    )
    return frame


def write_crm(folder: Path, *, n: int = 900, seed: int = 0) -> tuple[Path, Path]:
    """``crm.csv`` (comma-separated, UTF-8) and ``schema.yaml`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "crm.csv"
    make_crm(n, seed=seed).to_csv(data, index=False)
    schema = folder / "schema.yaml"
    schema.write_text(SCHEMA, encoding="utf-8")
    return data, schema
