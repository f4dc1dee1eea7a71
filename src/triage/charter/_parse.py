"""Reading a charter file into a :class:`Charter`, and validating it.

Every problem is reported with ``file:line:column`` (from the YAML node marks),
and all problems of a file are reported at once, not only the first.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from triage.charter._model import (
    COMBINATORS,
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
    rule_size,
)
from triage.charter._regex import check_pattern
from triage.errors import DataError
from triage.features import derivable, parse_created_at
from triage.io.tables import to_number
from triage.io.yaml import YamlDocument, read_yaml, scalar_value, to_python
from triage.schema import (
    DECODED_COLUMNS,
    DECODED_PREFIX,
    DERIVED_COLUMNS,
    LEAD_COLUMNS,
    kind_of,
)

__all__ = [
    "MAX_CRITERIA",
    "MAX_RULE_LEAVES",
    "CharterError",
    "Issue",
    "field_kind",
    "known_fields",
    "load_charter",
    "parse_charter",
    "validate_charter",
]

MAX_CRITERIA = 500
MAX_LIST_VALUES = 10_000
#: Most comparisons (leaves) one criterion's rule may hold: beyond, evaluation gets slow
#: and the rule unreadable; a long list of values belongs in one ``in`` leaf.
MAX_RULE_LEAVES = 2_000
_ORDERED_OPS = ("gt", "ge", "lt", "le", "between")
_ID = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_TOP_KEYS = (
    "charter",
    "version",
    "department",
    "approved_by",
    "effective_from",
    "locale",
    "description",
    "settings",
    "criteria",
)
_CRITERION_KEYS = ("id", "title", "description", "required", "rule", "if_missing")
_LEAF_KEYS = ("field", "op", "value", "case_sensitive")
_DEPARTMENTS = ("marketing", "sales", "both")
_LOCALES = ("ru", "en")
_IF_MISSING = ("empty", "fail", "pass")
_SETTINGS_KEYS = ("duplicate_window_days",)
_OP_ALIASES = {
    "equals": "eq",
    "equal": "eq",
    "==": "eq",
    "=": "eq",
    "is": "eq",
    "not_equals": "ne",
    "!=": "ne",
    "<>": "ne",
    "is_not": "ne",
    ">": "gt",
    ">=": "ge",
    "<": "lt",
    "<=": "le",
    "one_of": "in",
    "in_list": "in",
    "not_one_of": "not_in",
    "regex": "matches",
    "like": "contains",
    "includes": "contains",
    "empty": "is_empty",
    "missing": "is_empty",
    "present": "not_empty",
    "exists": "not_empty",
}

#: Kind of the fields a charter may use without data at hand.
_KNOWN_KINDS: dict[str, str] = {
    name: kind_of(name) for name in (*LEAD_COLUMNS, *DECODED_COLUMNS, *DERIVED_COLUMNS)
}


@dataclass(frozen=True)
class Issue:
    """One problem found in a charter: where, what, and how bad."""

    where: str
    message: str
    severity: str = "error"
    code: str = ""

    def __str__(self) -> str:
        return f"{self.where}: {self.severity}: {self.message}"


class CharterError(DataError):
    """A charter file is invalid; ``issues`` lists every problem found."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        errors = [i for i in issues if i.severity == "error"]
        head = f"{len(errors)} problem(s) in the charter:\n" if len(errors) > 1 else ""
        super().__init__(head + "\n".join(f"{i.where}: {i.message}" for i in errors))


def known_fields() -> dict[str, str]:
    """Fields a charter may use without data: lead, decoded and derived, with their kind."""
    return dict(_KNOWN_KINDS)


def field_kind(frame: pd.DataFrame | None, name: str) -> str:
    """Kind of a field (``text``, ``number``, ``bool``, ``date``) from the data or the schema."""
    if frame is not None and name in frame.columns:
        column = frame[name]
        if pd.api.types.is_bool_dtype(column):
            return "bool"
        if pd.api.types.is_numeric_dtype(column):
            return "number"
        if pd.api.types.is_datetime64_any_dtype(column):
            return "date"
        if name == "created_at":
            return "date"
        return "text"
    return _KNOWN_KINDS.get(name, "text")


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


class _Parser:
    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc
        self.issues: list[Issue] = []
        self.last_id: Any = None

    def error(self, node: Node | None, message: str) -> None:
        self.issues.append(Issue(self.doc.where(node), message))

    def mapping(
        self, node: Node, what: str, allowed: tuple[str, ...]
    ) -> dict[str, tuple[Node, Node]]:
        """Keys of a mapping node with their key and value nodes; unknown keys reported."""
        if not isinstance(node, MappingNode):
            self.error(node, f"{what} must be a mapping of keys to values")
            return {}
        out: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            key = scalar_value(key_node) if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, str):
                self.error(key_node, f"{what}: keys must be words, got {key!r}")
                continue
            if key in out:
                self.error(key_node, f"{what}: key {key!r} appears twice")
                continue
            if key not in allowed:
                self.error(
                    key_node,
                    f"{what}: unknown key {key!r}{_suggest(key, allowed)} "
                    f"(allowed: {', '.join(allowed)})",
                )
                continue
            out[key] = (key_node, value_node)
        return out

    def scalar(self, node: Node, what: str) -> Any:
        if not isinstance(node, ScalarNode):
            self.error(node, f"{what} must be a single value, not a list or mapping")
            return None
        return scalar_value(node)

    def text(self, node: Node, what: str, *, allow_empty: bool = False) -> str | None:
        value = self.scalar(node, what)
        if value is None and not isinstance(node, ScalarNode):
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(node, f"{what} must be text, got {value!r}")
            return None
        text = str(value).strip()
        if not text and not allow_empty:
            self.error(node, f"{what} must not be empty")
            return None
        return text

    # ------------------------------------------------------------------ charter
    def charter(self) -> Charter | None:
        root = self.doc.root
        if root is None:
            self.error(None, "the charter file is empty")
            return None
        keys = self.mapping(root, "charter", _TOP_KEYS)
        if not isinstance(root, MappingNode):
            return None
        for required in ("charter", "criteria"):
            if required not in keys:
                self.error(root, f"the charter needs a {required!r} key")
        name = self.text(keys["charter"][1], "charter (the name)") if "charter" in keys else None
        description = ""
        if "description" in keys:
            description = self.text(keys["description"][1], "description", allow_empty=True) or ""
        settings = self.settings(keys["settings"][1]) if "settings" in keys else CharterSettings()
        version = self.version(keys)
        department = self.choice(keys, "department", _DEPARTMENTS, "both")
        approved_by = self.approved_by(keys)
        effective_from = self.effective_from(keys)
        locale = self.choice(keys, "locale", _LOCALES, "ru")
        criteria = self.criteria(keys["criteria"][1]) if "criteria" in keys else []
        if any(i.severity == "error" for i in self.issues) or name is None:
            return None
        return Charter(
            name=name,
            criteria=tuple(criteria),
            version=version,
            department=department,
            approved_by=approved_by,
            effective_from=effective_from,
            locale=locale,
            description=description,
            settings=settings,
            source=self.doc.source,
        )

    def version(self, keys: dict[str, tuple[Node, Node]]) -> int:
        if "version" not in keys:
            return 1
        node = keys["version"][1]
        value = self.scalar(node, "version")
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.error(node, f"version must be a whole number from 1 up, got {value!r}")
            return 1
        return value

    def choice(
        self, keys: dict[str, tuple[Node, Node]], key: str, allowed: tuple[str, ...], default: str
    ) -> str:
        """A top-level key whose value is one of ``allowed``."""
        if key not in keys:
            return default
        node = keys[key][1]
        value = self.scalar(node, key)
        if value not in allowed:
            self.error(node, f"{key} must be one of {', '.join(allowed)}, got {value!r}")
            return default
        return str(value)

    def approved_by(self, keys: dict[str, tuple[Node, Node]]) -> tuple[str, ...]:
        if "approved_by" not in keys:
            return ()
        node = keys["approved_by"][1]
        if isinstance(node, ScalarNode):
            one = self.text(node, "approved_by", allow_empty=True)
            return (one,) if one else ()
        if isinstance(node, SequenceNode):
            names = [self.text(item, "approved_by entry") for item in node.value]
            return tuple(n for n in names if n)
        self.error(node, "approved_by must be a name or a list of names")
        return ()

    def effective_from(self, keys: dict[str, tuple[Node, Node]]) -> dt.date | None:
        if "effective_from" not in keys:
            return None
        node = keys["effective_from"][1]
        value = self.scalar(node, "effective_from")
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if value is not None:
            self.error(node, f"effective_from must be a date like 2026-01-01, got {value!r}")
        return None

    def criteria(self, node: Node) -> list[Criterion]:
        if not isinstance(node, SequenceNode) or not node.value:
            self.error(node, "criteria must be a non-empty list of criteria")
            return []
        if len(node.value) > MAX_CRITERIA:
            self.error(node, f"{len(node.value)} criteria; the limit is {MAX_CRITERIA}")
            return []
        out: list[Criterion] = []
        seen: dict[str, str] = {}
        for item in node.value:
            crit = self.criterion(item)
            crit_id = self.last_id
            if isinstance(crit_id, str):
                if crit_id in seen:
                    self.error(
                        item, f"duplicate criterion id {crit_id!r} (first at {seen[crit_id]})"
                    )
                    continue
                seen[crit_id] = self.doc.where(item)
            if crit is not None:
                out.append(crit)
        return out

    def settings(self, node: Node) -> CharterSettings:
        keys = self.mapping(node, "settings", _SETTINGS_KEYS)
        window = 7
        if "duplicate_window_days" in keys:
            value_node = keys["duplicate_window_days"][1]
            value = self.scalar(value_node, "duplicate_window_days")
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3650:
                self.error(
                    value_node,
                    f"duplicate_window_days must be a whole number of days 0..3650, got {value!r}",
                )
            else:
                window = value
        return CharterSettings(duplicate_window_days=window)

    # ------------------------------------------------------------------ criteria
    def criterion(self, node: Node) -> Criterion | None:
        self.last_id = None
        if isinstance(node, MappingNode):
            for k, v in node.value:
                if isinstance(k, ScalarNode) and k.value == "id" and isinstance(v, ScalarNode):
                    self.last_id = scalar_value(v)
        what = f"criterion {self.last_id!r}" if isinstance(self.last_id, str) else "criterion"
        keys = self.mapping(node, what, _CRITERION_KEYS)
        if not isinstance(node, MappingNode):
            return None
        before = len(self.issues)
        crit_id = self.criterion_id(node, keys)
        label = f"criterion {crit_id!r}" if isinstance(crit_id, str) else "criterion"
        title = self.title(keys, label)
        description = ""
        if "description" in keys:
            description = (
                self.text(keys["description"][1], f"{label}: description", allow_empty=True) or ""
            )
        required = self.required(keys, label)
        if_missing = self.if_missing(keys, label)
        broken = len(self.issues) > before
        rule: Rule | None = None
        if "rule" not in keys:
            self.error(node, f"{label} needs a 'rule'")
        else:
            rule = self.rule(keys["rule"][1], label, depth=0)
            if rule is not None and rule_size(rule) > MAX_RULE_LEAVES:
                self.error(keys["rule"][1], _too_big(label, rule_size(rule)))
                rule = None
        if broken or rule is None or crit_id is None:
            return None
        return Criterion(
            id=crit_id,
            title=title,
            rule=rule,
            required=required,
            description=description,
            if_missing=if_missing,  # type: ignore[arg-type]
            where=self.doc.where(node),
        )

    def criterion_id(self, node: Node, keys: dict[str, tuple[Node, Node]]) -> str | None:
        if "id" not in keys:
            self.error(node, "criterion needs an 'id'")
            return None
        id_node = keys["id"][1]
        crit_id = self.scalar(id_node, "id")
        if not isinstance(crit_id, str) or not _ID.match(crit_id):
            self.error(
                id_node,
                f"criterion id {crit_id!r} must be lower-case latin letters, digits and _ "
                "starting with a letter (it becomes the column crit_<id>)",
            )
            return None
        return crit_id

    def title(self, keys: dict[str, tuple[Node, Node]], label: str) -> dict[str, str]:
        """``title: text`` (every language) or ``title: {ru: ..., en: ...}``."""
        if "title" not in keys:
            return {}
        t_node = keys["title"][1]
        if isinstance(t_node, ScalarNode):
            text = self.text(t_node, f"{label}: title")
            return {"ru": text, "en": text} if text else {}
        title: dict[str, str] = {}
        for loc, (_k, v_node) in self.mapping(t_node, f"{label}: title", _LOCALES).items():
            text = self.text(v_node, f"{label}: title.{loc}")
            if text:
                title[loc] = text
        return title

    def required(self, keys: dict[str, tuple[Node, Node]], label: str) -> bool:
        if "required" not in keys:
            return True
        r_node = keys["required"][1]
        value = self.scalar(r_node, f"{label}: required")
        if not isinstance(value, bool):
            self.error(r_node, f"{label}: required must be true or false, got {value!r}")
            return True
        return value

    def if_missing(self, keys: dict[str, tuple[Node, Node]], label: str) -> str:
        if "if_missing" not in keys:
            return "empty"
        m_node = keys["if_missing"][1]
        value = self.scalar(m_node, f"{label}: if_missing")
        if value not in _IF_MISSING:
            self.error(
                m_node,
                f"{label}: if_missing must be one of {', '.join(_IF_MISSING)}, got {value!r}",
            )
            return "empty"
        return str(value)

    # ------------------------------------------------------------------ rules
    def rule(self, node: Node, label: str, depth: int) -> Rule | None:
        where = self.doc.where(node)
        if not isinstance(node, MappingNode):
            self.error(
                node,
                f"{label}: a rule is a mapping: {{field, op, value}}, "
                "or all: [...], any: [...], not: {...}",
            )
            return None
        keys = [scalar_value(k) if isinstance(k, ScalarNode) else None for k, _ in node.value]
        combinators = [k for k in keys if k in COMBINATORS]
        if combinators:
            if len(node.value) != 1:
                self.error(
                    node,
                    f"{label}: a combinator ({', '.join(COMBINATORS)}) must stand alone in its "
                    f"mapping, found keys {', '.join(map(str, keys))}",
                )
                return None
            kind = combinators[0]
            child = node.value[0][1]
            if kind == "not":
                sub = self.rule(child, label, depth + 1)
                return Not(sub, where=where) if sub is not None else None
            if not isinstance(child, SequenceNode) or not child.value:
                self.error(child, f"{label}: {kind} needs a non-empty list of rules")
                return None
            if len(child.value) > MAX_RULE_LEAVES:  # refused before reading each one
                self.error(child, _too_big(label, len(child.value)))
                return None
            subs = [self.rule(item, label, depth + 1) for item in child.value]
            if any(s is None for s in subs):
                return None
            rules = tuple(s for s in subs if s is not None)
            return AllOf(rules, where=where) if kind == "all" else AnyOf(rules, where=where)
        return self.leaf(node, label, where)

    def leaf(self, node: MappingNode, label: str, where: str) -> Leaf | None:
        keys = self.mapping(node, f"{label}: rule", _LEAF_KEYS)
        before = len(self.issues)
        for missing in ("field", "op"):
            if missing not in keys:
                self.error(
                    node, f"{label}: rule needs {missing!r} (a leaf is {{field, op, value}})"
                )
        if len(self.issues) > before:
            return None
        f_node = keys["field"][1]
        field_name = self.scalar(f_node, f"{label}: field")
        if not isinstance(field_name, str) or not field_name.strip():
            self.error(f_node, f"{label}: field must be a column name, got {field_name!r}")
            return None
        op_node = keys["op"][1]
        op = self.scalar(op_node, f"{label}: op")
        if op not in OPS:
            hint = (
                f"; did you mean {_OP_ALIASES[op]!r}?"
                if op in _OP_ALIASES
                else _suggest(str(op), OPS)
            )
            self.error(op_node, f"{label}: unknown op {op!r}{hint} (ops: {', '.join(OPS)})")
            return None
        case_sensitive = False
        if "case_sensitive" in keys:
            c_node = keys["case_sensitive"][1]
            flag = self.scalar(c_node, f"{label}: case_sensitive")
            if not isinstance(flag, bool):
                self.error(c_node, f"{label}: case_sensitive must be true or false")
                return None
            case_sensitive = flag
        value_node = keys["value"][1] if "value" in keys else None
        value = self.value(op, value_node, node, label)
        if value is _BAD:
            return None
        return Leaf(field_name.strip(), op, value, case_sensitive, where=where)

    def value(self, op: str, node: Node | None, leaf_node: Node, label: str) -> Any:
        def bad(message: str, at: Node | None = None) -> Any:
            self.error(at if at is not None else (node or leaf_node), f"{label}: {op}: {message}")
            return _BAD

        if op in ("is_empty", "not_empty"):
            if node is not None:
                return bad("takes no value; remove 'value'")
            return None
        if node is None:
            return bad(f"needs a value ({OPS[op]})", leaf_node)
        raw = to_python(node)
        if op in ("eq", "ne"):
            if raw is None:
                return bad("value is empty; to test for an empty field use is_empty / not_empty")
            if not _is_scalar(raw):
                return bad(
                    f"needs {OPS[op]}, got a {'list' if isinstance(raw, list) else 'mapping'}; "
                    "for a list use in / not_in"
                )
            return raw
        if op in ("in", "not_in"):
            if not isinstance(raw, list) or not raw:
                return bad(f"needs {OPS[op]} like [a, b], got {raw!r}")
            if len(raw) > MAX_LIST_VALUES:
                return bad(f"{len(raw)} values; the limit is {MAX_LIST_VALUES}")
            for item, item_node in zip(raw, node.value, strict=True):
                if item is None or not _is_scalar(item):
                    return bad(f"every value must be a single value, got {item!r}", item_node)
            return tuple(raw)
        if op in ("gt", "ge", "lt", "le"):
            if not _is_ordered(raw):
                return bad(f"needs {OPS[op]}, got {raw!r}")
            return raw
        if op == "between":
            if not isinstance(raw, list) or len(raw) != 2 or not all(_is_ordered(v) for v in raw):
                return bad(f"needs {OPS[op]}, got {raw!r}")
            lo, hi = raw
            if isinstance(lo, int | float) != isinstance(hi, int | float):
                return bad(f"both ends must be numbers or both dates, got {raw!r}")
            try:
                if lo > hi:
                    return bad(f"low end {lo!r} is above the high end {hi!r}")
            except TypeError:
                return bad(f"cannot compare {lo!r} with {hi!r}")
            return (lo, hi)
        if op == "contains":
            items = raw if isinstance(raw, list) else [raw]
            if not items or not all(isinstance(v, str) and v for v in items):
                return bad(f"needs {OPS[op]}, got {raw!r}")
            if len(items) > MAX_LIST_VALUES:
                return bad(f"{len(items)} values; the limit is {MAX_LIST_VALUES}")
            return tuple(items) if isinstance(raw, list) else raw
        if op == "matches":
            if not isinstance(raw, str) or not raw:
                return bad(f"needs {OPS[op]} as text, got {raw!r}")
            problem = check_pattern(raw)
            if problem:
                return bad(problem)
            return raw
        raise AssertionError(op)  # pragma: no cover


def _too_big(label: str, size: int) -> str:
    return (
        f"{label}: the rule holds {size:,} comparisons; the limit is {MAX_RULE_LEAVES:,} per "
        "criterion -- compare with a list of values instead ({field: ..., op: in, value: "
        "[a, b, ...]}, up to 10,000 values)"
    )


class _Bad:
    pass


_BAD: Any = _Bad()


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool | dt.date)


def _is_ordered(value: Any) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)) or isinstance(
        value, dt.date
    )


def parse_charter(text: str, *, source: str = "<charter>") -> Charter:
    """Parse charter YAML text.

    Parameters
    ----------
    text : str
        The charter in YAML.
    source : str
        Name used in error messages in place of a file name.

    Raises
    ------
    CharterError
        Listing every problem with ``source:line:column``.
    """
    return _build(read_yaml(text, source=source))


def load_charter(path: str | Path) -> Charter:
    """Read and check a charter file.

    Parameters
    ----------
    path : str or Path
        A YAML charter (see ``docs/charter.md``).

    Returns
    -------
    Charter

    Raises
    ------
    CharterError
        Listing every problem found, each with ``file:line:column``.
    DataError
        The file is missing, too large or not safe YAML.

    Examples
    --------
    >>> from triage.config import get_settings
    >>> load_charter(get_settings().agreed_charter).required_ids[:2]
    ['opel_only', 'part_request']
    """
    return _build(read_yaml(path))


def _build(doc: YamlDocument) -> Charter:
    parser = _Parser(doc)
    charter = parser.charter()
    if charter is None:
        if not parser.issues:  # pragma: no cover - defensive
            parser.error(doc.root, "not a charter")
        raise CharterError(sorted(parser.issues, key=_position))
    return charter


def _position(issue: Issue) -> tuple[int, int]:
    match = re.search(r":(\d+):(\d+)$", issue.where)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def _walk_leaves(rule: Rule) -> Iterable[Leaf]:
    if isinstance(rule, Leaf):
        yield rule
    elif isinstance(rule, Not):
        yield from _walk_leaves(rule.rule)
    else:
        for sub in rule.rules:
            yield from _walk_leaves(sub)


def validate_charter(
    charter: Charter,
    columns: pd.DataFrame | Iterable[str] | None = None,
    *,
    can_decode: bool | None = None,
) -> list[Issue]:
    """Check a charter's fields and value types, against data when given.

    Parameters
    ----------
    charter : Charter
        A parsed charter (its syntax was checked when it was read).
    columns : DataFrame or iterable of str, optional
        The leads (or their column names).  When given, each field must be a
        column, a derived field whose source columns exist, or a ``decoded_*``
        field that can be decoded from ``request_text``; value types are
        checked against the columns' types.  Without data, fields outside the
        known lead/decoded/derived names are reported as warnings.
    can_decode : bool, optional
        Whether ``decoded_*`` fields can be produced (default: when the data
        has ``request_text``).

    Returns
    -------
    list of Issue
        Errors and warnings, each with ``file:line:column``; empty when all is well.
    """
    frame = columns if isinstance(columns, pd.DataFrame) else None
    names: set[str] | None = None
    if frame is not None:
        names = set(map(str, frame.columns))
    elif columns is not None:
        names = set(map(str, columns))
    if can_decode is None:
        can_decode = names is not None and "request_text" in names
    issues: list[Issue] = []
    leaves = absent = 0
    for crit in charter.criteria:
        label = f"criterion {crit.id!r}"
        for leaf in _walk_leaves(crit.rule):
            leaves += 1
            if names is not None:
                missing = _missing_field(leaf, label, names, can_decode)
                if missing is not None:
                    issues.append(missing)
                    absent += 1
                    continue
            elif leaf.field not in _KNOWN_KINDS:
                issues.append(
                    Issue(
                        leaf.where,
                        f"{label}: field {leaf.field!r} is not a standard lead, decoded or "
                        f"derived field{_suggest(leaf.field, _KNOWN_KINDS)}; it must be a "
                        "column of the leads",
                        "warning",
                    )
                )
            present = frame is not None and leaf.field in frame.columns
            problem = _type_problem(leaf, field_kind(frame if present else None, leaf.field))
            if problem:
                issues.append(Issue(leaf.where, f"{label}: {problem}", code="type_mismatch"))
            elif present and frame is not None:
                issues.extend(_value_issues(leaf, label, frame))
    if names is not None and leaves and absent == leaves:
        issues.append(_all_missing(charter, names))
    return issues


def _all_missing(charter: Charter, names: set[str]) -> Issue:
    """The charter reads nothing the leads have: refused rather than judged all non-target."""
    fields = ", ".join(charter.fields()[:8])
    present = ", ".join(sorted(names)[:20]) or "none"
    return Issue(
        charter.source,
        f"none of the fields the charter reads ({fields}) can be had from the leads, so every "
        "criterion would be empty and no lead target: a misspelled field, or an export whose "
        f"columns need a mapping (--map MAPPING.yaml); the leads have: {present}",
        code="all_missing",
    )


def _value_issues(leaf: Leaf, label: str, frame: pd.DataFrame) -> list[Issue]:
    """Numbers or dates compared with a text column whose values are not numbers or dates."""
    if leaf.op not in _ORDERED_OPS or field_kind(frame, leaf.field) != "text":
        return []
    text = frame[leaf.field].astype("string").str.strip()
    written = text.notna() & (text != "")
    if not written.any():
        return []
    wanted = "dates" if _compares_dates(leaf) else "numbers"
    if wanted == "dates":
        unread = written & parse_created_at(text, warn=False).isna()
    else:
        unread = written & to_number(text).isna()
    if not unread.any():
        return []
    examples = ", ".join(repr(v) for v in text[unread].drop_duplicates().head(3).tolist())
    if bool(unread[written].all()):
        return [
            Issue(
                leaf.where,
                f"{label}: {leaf.op} compares {wanted}, but {leaf.field!r} holds text "
                f"(e.g. {examples}); compare text with eq, in or contains, or choose a field "
                f"that holds {wanted}",
                code="type_mismatch",
            )
        ]
    return [
        Issue(
            leaf.where,
            f"{label}: {int(unread.sum()):,} of {int(written.sum()):,} value(s) of "
            f"{leaf.field!r} are not {wanted} (e.g. {examples}); the criterion is empty on "
            "those leads",
            "warning",
            code="unreadable_values",
        )
    ]


def _compares_dates(leaf: Leaf) -> bool:
    values = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
    return any(isinstance(v, dt.date) for v in values)


def _missing_field(leaf: Leaf, label: str, names: set[str], can_decode: bool) -> Issue | None:
    """Why the field of ``leaf`` cannot be had from columns ``names`` (None when it can)."""
    name = leaf.field
    if name in names:
        return None
    if name in DERIVED_FIELDS:
        sources = derivable(name, names)
        if sources is True:
            return None
        needed = ", ".join(sources) if isinstance(sources, list) else str(sources)
        return Issue(
            leaf.where,
            f"{label}: derived field {name!r} needs column(s) {needed}",
            code="missing_field",
        )
    if name.startswith(DECODED_PREFIX):
        if name not in DECODED_COLUMNS:
            return Issue(
                leaf.where,
                f"{label}: unknown decoded field {name!r}{_suggest(name, DECODED_COLUMNS)}",
                code="misspelled_field",
            )
        if can_decode:
            return None
        return Issue(
            leaf.where,
            f"{label}: field {name!r} is not in the leads and cannot be decoded "
            "(no request_text column, or no catalog to decode against)",
            code="missing_field",
        )
    choices = sorted(names | set(DERIVED_FIELDS) | set(DECODED_COLUMNS))
    hint = _suggest(name, choices)
    return Issue(
        leaf.where,
        f"{label}: unknown field {name!r}: not a column of the leads{hint}",
        # A near miss of a field that exists is a typo: refused, never evaluated to empty.
        code="misspelled_field" if hint else "missing_field",
    )


def _type_problem(leaf: Leaf, kind: str) -> str | None:
    op, value, name = leaf.op, leaf.value, leaf.field
    if op in ("is_empty", "not_empty"):
        return None
    values: list[Any]
    if op in ("in", "not_in", "between") or (op == "contains" and isinstance(value, tuple)):
        values = list(value)
    else:
        values = [value]
    if op in ("contains", "matches") and kind != "text":
        return f"{op} works on text, but {name!r} holds {kind} values"
    if kind == "bool":
        if op in ("gt", "ge", "lt", "le", "between"):
            return f"{op} compares numbers or dates, but {name!r} is true/false"
        if not all(isinstance(v, bool) for v in values):
            return f"{name!r} is true/false; the value must be true or false, got {value!r}"
    if kind == "number":
        bad = [v for v in values if isinstance(v, bool) or not isinstance(v, int | float)]
        if bad:
            return f"{name!r} holds numbers; the value {bad[0]!r} is not a number"
    if (
        kind == "date"
        and op in ("gt", "ge", "lt", "le", "between")
        and not all(isinstance(v, dt.date) for v in values)
    ):
        return f"{name!r} holds dates; compare it with a date like 2026-01-01, got {value!r}"
    if kind == "text" and op in ("gt", "ge", "lt", "le", "between"):
        return None  # numbers or dates stored as text are converted, unparsable ones stay empty
    return None


def check_charter(
    charter: Charter, columns: pd.DataFrame | Iterable[str] | None = None, **kwargs: Any
) -> list[Issue]:
    """Like :func:`validate_charter` but raises :class:`CharterError` on any error."""
    issues = validate_charter(charter, columns, **kwargs)
    if any(i.severity == "error" for i in issues):
        raise CharterError(issues)
    return issues


def charter_from_mapping(data: Mapping[str, Any], *, source: str = "<dict>") -> Charter:
    """Build a charter from a plain dict (as ``yaml.safe_load`` would return)."""
    import yaml

    class _NoAliasDumper(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True

    text = yaml.dump(dict(data), Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False)
    return parse_charter(text, source=source)
