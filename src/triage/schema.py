"""Column contracts shared by the generator, the decoder, the charter and the CLI.

These lists are the single source of truth for column names; tests check the
generated world against them and every module imports them from here.
"""

from __future__ import annotations

__all__ = [
    "CATALOG_COLUMNS",
    "DECODED_COLUMNS",
    "DECODED_STATUSES",
    "LEAD_COLUMNS",
    "RESPONSIBILITIES",
    "TIERS",
    "TRUTH_COLUMNS",
    "VERDICTS",
]

#: Columns of a catalog written by ``triage synth`` (a user's catalog needs only sku and name).
#: ``cross_numbers`` and ``engine_codes`` hold several values separated by ``;``.
CATALOG_COLUMNS = [
    "sku",
    "oem_number",
    "cross_numbers",
    "name",
    "part_type",
    "make",
    "model",
    "generation",
    "year_from",
    "year_to",
    "engine_codes",
    "axle",
    "side",
    "brand",
    "price_rub",
    "in_stock",
]

#: Columns of a lead export written by ``triage synth`` (a CRM export as the shop has it).
LEAD_COLUMNS = [
    "lead_id",
    "created_at",
    "channel",
    "campaign",
    "utm_term",
    "region",
    "phone",
    "email",
    "request_text",
    "marketing_verdict",
    "sales_verdict",
    "status",
    "lost_reason",
    "revenue_rub",
    "manager",
]

#: Ground truth, written to a separate file that scoring code never reads.
TRUTH_COLUMNS = [
    "lead_id",
    "tier",
    "true_verdict",
    "true_failed",
    "true_responsibility",
    "true_sku",
    "true_make",
    "true_model",
    "true_generation",
    "true_part_type",
    "true_side",
    "true_axle",
    "true_year",
    "true_engine",
    "true_mentioned",
    "specifies_item",
    "duplicate_of",
]

#: Difficulty tiers of a request text, easiest first.
TIERS = [
    "exact",
    "oem",
    "colloquial",
    "slang",
    "typo",
    "translit",
    "layout",
    "missing_slots",
    "vague",
    "other_make",
    "not_a_part",
    "empty",
]

VERDICTS = ["target", "non_target"]

RESPONSIBILITIES = ["won", "open", "sales_miss", "marketing_miss", "correct_reject"]

#: Columns the decoder adds, in this order.
DECODED_COLUMNS = [
    "decoded_make",
    "decoded_model",
    "decoded_generation",
    "decoded_part_type",
    "decoded_side",
    "decoded_axle",
    "decoded_year",
    "decoded_engine",
    "decoded_sku",
    "decoded_name",
    "decoded_score",
    "decoded_status",
    "decoded_candidates",
]

DECODED_STATUSES = ["decoded", "ambiguous", "partial", "other_make", "not_a_part", "empty"]
