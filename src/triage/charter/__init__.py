"""The charter: the written criteria of a target lead, as code.

Each department writes its own charter (``data/charters/marketing.yaml``,
``sales.yaml``); the agreed one (``agreed.yaml``) is the decree.  This package
reads them safely, evaluates them on every lead (vectorised), compares two of
them in words and on real leads, and measures how far the departments are
apart (percent agreement, Cohen's kappa with a confidence interval).

Examples
--------
>>> from triage.charter import load_charter, describe_rule
>>> from triage.config import CHARTERS_DIR
>>> agreed = load_charter(CHARTERS_DIR / "agreed.yaml")
>>> describe_rule(agreed.criterion("opel_only").rule)
'decoded_make is one of Opel'
"""

from __future__ import annotations

from triage.charter._agreement import (
    AGREEMENT_GROUPS,
    KappaResult,
    agreement_table,
    cohen_kappa_ci,
    normalize_verdicts,
)
from triage.charter._diff import (
    CharterComparison,
    CharterDiff,
    CriterionChange,
    compare_on_leads,
    diff_charters,
)
from triage.charter._evaluate import (
    CRIT_PREFIX,
    MISSING_PREFIX,
    evaluate_charter,
    evaluate_criteria,
    evaluate_rule,
    verdicts,
)
from triage.charter._fields import CharterWarning, add_charter_fields, parse_created_at
from triage.charter._model import (
    DERIVED_FIELDS,
    OPS,
    AllOf,
    AnyOf,
    Charter,
    CharterSettings,
    Criterion,
    Leaf,
    Not,
    Rule,
    describe_rule,
)
from triage.charter._parse import (
    CharterError,
    Issue,
    charter_from_mapping,
    check_charter,
    load_charter,
    parse_charter,
    validate_charter,
)
from triage.charter._render import (
    render_agreement,
    render_charter,
    render_comparison,
    render_diff,
    render_diff_html,
)

__all__ = [
    "AGREEMENT_GROUPS",
    "CRIT_PREFIX",
    "DERIVED_FIELDS",
    "MISSING_PREFIX",
    "OPS",
    "AllOf",
    "AnyOf",
    "Charter",
    "CharterComparison",
    "CharterDiff",
    "CharterError",
    "CharterSettings",
    "CharterWarning",
    "Criterion",
    "CriterionChange",
    "Issue",
    "KappaResult",
    "Leaf",
    "Not",
    "Rule",
    "add_charter_fields",
    "agreement_table",
    "charter_from_mapping",
    "check_charter",
    "cohen_kappa_ci",
    "compare_on_leads",
    "describe_rule",
    "diff_charters",
    "evaluate_charter",
    "evaluate_criteria",
    "evaluate_rule",
    "load_charter",
    "normalize_verdicts",
    "parse_charter",
    "parse_created_at",
    "render_agreement",
    "render_charter",
    "render_comparison",
    "render_diff",
    "render_diff_html",
    "validate_charter",
    "verdicts",
]
