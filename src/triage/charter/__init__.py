"""The charter: the written criteria of a target lead, as code.

Each department writes its own charter (``marketing.yaml``, ``sales.yaml``
in the settings' ``charters_dir``); the agreed one (``agreed.yaml``) is the
decree.  This package reads them safely, evaluates them on every lead
(vectorised and pure: it reads columns, it never decodes), compares two of
them in words and on real leads, and measures how far the departments are
apart (percent agreement, Cohen's kappa with a confidence interval).
Presentation lives in :mod:`triage.report`, the commands in :mod:`triage.cli`.

Examples
--------
>>> from triage.charter import load_charter, describe_rule
>>> from triage.config import get_settings
>>> agreed = load_charter(get_settings().agreed_charter)
>>> describe_rule(agreed.criterion("opel_only").rule)
'decoded_make is one of Opel'
"""

from __future__ import annotations

from triage.charter._agreement import (
    AGREEMENT_GROUPS,
    KappaResult,
    agreement_table,
    cohen_kappa_ci,
)
from triage.charter._diff import (
    CharterComparison,
    CharterDiff,
    CriterionChange,
    compare_on_leads,
    diff_charters,
)
from triage.charter._evaluate import (
    check_fields,
    evaluate_charter,
    evaluate_criteria,
    evaluate_rule,
    prepare_fields,
    verdicts,
)
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
    rule_fields,
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

__all__ = [
    "AGREEMENT_GROUPS",
    "DERIVED_FIELDS",
    "OPS",
    "AllOf",
    "AnyOf",
    "Charter",
    "CharterComparison",
    "CharterDiff",
    "CharterError",
    "CharterSettings",
    "Criterion",
    "CriterionChange",
    "Issue",
    "KappaResult",
    "Leaf",
    "Not",
    "Rule",
    "agreement_table",
    "charter_from_mapping",
    "check_charter",
    "check_fields",
    "cohen_kappa_ci",
    "compare_on_leads",
    "describe_rule",
    "diff_charters",
    "evaluate_charter",
    "evaluate_criteria",
    "evaluate_rule",
    "load_charter",
    "parse_charter",
    "prepare_fields",
    "rule_fields",
    "validate_charter",
    "verdicts",
]
