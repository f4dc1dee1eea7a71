"""The charter as data: rules, criteria, the charter itself, and rules in words."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from triage.schema import DERIVED

__all__ = [
    "COMBINATORS",
    "DERIVED_FIELDS",
    "OPS",
    "AllOf",
    "AnyOf",
    "Charter",
    "CharterSettings",
    "Criterion",
    "Leaf",
    "Not",
    "Rule",
    "describe_rule",
    "rule_fields",
    "rule_size",
]

#: Every comparison a leaf may use, with what its ``value`` must be.
OPS: dict[str, str] = {
    "eq": "one value",
    "ne": "one value",
    "in": "a list of values",
    "not_in": "a list of values",
    "gt": "a number or a date",
    "ge": "a number or a date",
    "lt": "a number or a date",
    "le": "a number or a date",
    "between": "a list [low, high] of numbers or dates (both ends included)",
    "contains": "a piece of text, or a list of them (any one is enough)",
    "matches": "a regular expression (searched anywhere in the text)",
    "is_empty": "no value",
    "not_empty": "no value",
}

COMBINATORS = ("all", "any", "not")

#: Fields computed from the lead columns before evaluation (``triage.features``), with their kind.
DERIVED_FIELDS: dict[str, str] = {
    c.name: "bool" if c.dtype == "boolean" else "number" for c in DERIVED
}

IfMissing = Literal["empty", "fail", "pass"]


@dataclass(frozen=True)
class Leaf:
    """A comparison of one field with a value: ``{field, op, value}``."""

    field: str
    op: str
    value: Any = None
    case_sensitive: bool = False
    where: str = dataclasses.field(default="", compare=False, repr=False)


@dataclass(frozen=True)
class AllOf:
    """Every sub-rule holds (``all: [...]``)."""

    rules: tuple[Rule, ...]
    where: str = dataclasses.field(default="", compare=False, repr=False)


@dataclass(frozen=True)
class AnyOf:
    """At least one sub-rule holds (``any: [...]``)."""

    rules: tuple[Rule, ...]
    where: str = dataclasses.field(default="", compare=False, repr=False)


@dataclass(frozen=True)
class Not:
    """The sub-rule does not hold (``not: {...}``)."""

    rule: Rule
    where: str = dataclasses.field(default="", compare=False, repr=False)


Rule = Leaf | AllOf | AnyOf | Not


@dataclass(frozen=True)
class Criterion:
    """One criterion of a target lead.

    Attributes
    ----------
    id : str
        Short identifier; the evaluated column is ``crit_<id>``.
    title : dict of str to str
        The title by language code (``{"ru": ..., "en": ...}``).
    required : bool
        Required criteria must all pass for a ``target`` verdict; the others
        are signals, reported but not deciding.
    rule : Rule
        What must hold.
    if_missing : {"empty", "fail", "pass"}
        What the criterion is on a row where its field is missing: empty
        (unknown, the default), failed, or passed.
    """

    id: str
    title: dict[str, str]
    rule: Rule
    required: bool = True
    description: str = ""
    if_missing: IfMissing = "empty"
    where: str = dataclasses.field(default="", compare=False, repr=False)

    def title_in(self, locale: str) -> str:
        """The title in ``locale``, falling back to any other language, then the id."""
        if locale in self.title:
            return self.title[locale]
        for text in self.title.values():
            return text
        return self.id


@dataclass(frozen=True)
class CharterSettings:
    """Settings of the derived fields (``settings:`` in the file)."""

    duplicate_window_days: int = 7


@dataclass(frozen=True)
class Charter:
    """A charter: the written criteria of a target lead, as one department sees them.

    Build one with :func:`load_charter` or :func:`parse_charter`.
    """

    name: str
    criteria: tuple[Criterion, ...]
    version: int = 1
    department: str = "both"
    approved_by: tuple[str, ...] = ()
    effective_from: dt.date | None = None
    locale: str = "ru"
    description: str = ""
    settings: CharterSettings = CharterSettings()
    source: str = dataclasses.field(default="<memory>", compare=False)

    def __iter__(self) -> Iterator[Criterion]:
        return iter(self.criteria)

    def __len__(self) -> int:
        return len(self.criteria)

    @property
    def ids(self) -> list[str]:
        """Criterion ids in file order."""
        return [c.id for c in self.criteria]

    @property
    def required_ids(self) -> list[str]:
        """Ids of the required criteria in file order."""
        return [c.id for c in self.criteria if c.required]

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion with this id (KeyError if there is none)."""
        for crit in self.criteria:
            if crit.id == criterion_id:
                return crit
        raise KeyError(criterion_id)

    def fields(self) -> list[str]:
        """Every field the charter reads, in order of first use."""
        seen: dict[str, None] = {}
        for crit in self.criteria:
            for name in rule_fields(crit.rule):
                seen.setdefault(name, None)
        return list(seen)

    @property
    def label(self) -> str:
        """``name v<version>`` for titles and messages."""
        return f"{self.name} v{self.version}"


def rule_fields(rule: Rule) -> list[str]:
    """The fields a rule reads, in order of first use."""
    if isinstance(rule, Leaf):
        return [rule.field]
    if isinstance(rule, Not):
        return rule_fields(rule.rule)
    out: dict[str, None] = {}
    for sub in rule.rules:
        for name in rule_fields(sub):
            out.setdefault(name, None)
    return list(out)


def rule_size(rule: Rule) -> int:
    """How many comparisons (leaves) a rule holds.

    Examples
    --------
    >>> rule_size(AnyOf((Leaf("region", "eq", "a"), Not(Leaf("region", "eq", "b")))))
    2
    """
    if isinstance(rule, Leaf):
        return 1
    if isinstance(rule, Not):
        return rule_size(rule.rule)
    return sum(rule_size(sub) for sub in rule.rules)


# --------------------------------------------------------------------------- words

_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "eq": "{f} equals {v}",
        "ne": "{f} does not equal {v}",
        "in": "{f} is one of {v}",
        "not_in": "{f} is not one of {v}",
        "gt": "{f} is greater than {v}",
        "ge": "{f} is at least {v}",
        "lt": "{f} is less than {v}",
        "le": "{f} is at most {v}",
        "between": "{f} is between {lo} and {hi}",
        "contains": "{f} contains {v}",
        "contains_any": "{f} contains any of {v}",
        "matches": "{f} matches the pattern {v}",
        "is_empty": "{f} is empty",
        "not_empty": "{f} is not empty",
        "and": " and ",
        "or": " or ",
        "not": "not ({r})",
        "more": "and {n} more",
        "case": " (case-sensitive)",
        "true": "true",
        "false": "false",
    },
    "ru": {
        "eq": "{f} равно {v}",
        "ne": "{f} не равно {v}",
        "in": "{f} — одно из: {v}",
        "not_in": "{f} — ни одно из: {v}",
        "gt": "{f} больше {v}",
        "ge": "{f} не меньше {v}",
        "lt": "{f} меньше {v}",
        "le": "{f} не больше {v}",
        "between": "{f} от {lo} до {hi} включительно",
        "contains": "{f} содержит {v}",
        "contains_any": "{f} содержит одно из: {v}",
        "matches": "{f} соответствует шаблону {v}",
        "is_empty": "{f} пусто",
        "not_empty": "{f} не пусто",
        "and": " и ",
        "or": " или ",
        "not": "не ({r})",
        "more": "и ещё {n}",
        "case": " (с учётом регистра)",
        "true": "да",
        "false": "нет",
    },
}

_MAX_LISTED = 12


def _fmt_value(value: Any, words: dict[str, str], *, quote: bool = False) -> str:
    if isinstance(value, bool):
        return words["true"] if value else words["false"]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return f"\u201c{text}\u201d" if quote else text


def _fmt_list(values: Any, words: dict[str, str], *, quote: bool = False) -> str:
    items = [_fmt_value(v, words, quote=quote) for v in values]
    if len(items) > _MAX_LISTED:
        rest = len(items) - _MAX_LISTED
        items = [*items[:_MAX_LISTED], words["more"].format(n=rest)]
    return ", ".join(items)


def _describe_leaf(leaf: Leaf, words: dict[str, str]) -> str:
    op, value, f = leaf.op, leaf.value, leaf.field
    if op in ("in", "not_in"):
        text = words[op].format(f=f, v=_fmt_list(value, words))
    elif op == "between":
        lo, hi = value
        text = words[op].format(f=f, lo=_fmt_value(lo, words), hi=_fmt_value(hi, words))
    elif op == "contains":
        if isinstance(value, list | tuple):
            text = words["contains_any"].format(f=f, v=_fmt_list(value, words, quote=True))
        else:
            text = words[op].format(f=f, v=_fmt_value(value, words, quote=True))
    elif op == "matches":
        text = words[op].format(f=f, v=f"/{value}/")
    elif op in ("is_empty", "not_empty"):
        text = words[op].format(f=f)
    else:
        text = words[op].format(f=f, v=_fmt_value(value, words))
    if leaf.case_sensitive and op in ("eq", "ne", "in", "not_in", "contains", "matches"):
        text += words["case"]
    return text


def describe_rule(rule: Rule, locale: str = "en") -> str:
    """A rule in words, for people.

    Parameters
    ----------
    rule : Rule
        A leaf or a combinator.
    locale : {"en", "ru"}
        Language of the words (field names and values are shown as written).

    Examples
    --------
    >>> describe_rule(Leaf("region", "in", ("Москва", "Московская область")))
    'region is one of Москва, Московская область'
    >>> describe_rule(Not(Leaf("channel", "eq", "avito")))
    'not (channel equals avito)'
    """
    words = _WORDS.get(locale, _WORDS["en"])
    return _describe(rule, words, top=True)


def _describe(rule: Rule, words: dict[str, str], *, top: bool) -> str:
    if isinstance(rule, Leaf):
        return _describe_leaf(rule, words)
    if isinstance(rule, Not):
        return words["not"].format(r=_describe(rule.rule, words, top=True))
    joiner = words["and"] if isinstance(rule, AllOf) else words["or"]
    parts = [_describe(sub, words, top=False) for sub in rule.rules]
    if len(parts) == 1:
        return parts[0]
    text = joiner.join(parts)
    return text if top else f"({text})"
