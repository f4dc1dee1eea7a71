"""``triage charter check|evaluate|diff`` and ``triage agreement``."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from triage.errors import DataError, UsageError

__all__ = ["register"]

_LANGS = ("en", "ru")


@contextmanager
def _warnings_to_stderr() -> Iterator[None]:
    """Show every warning raised by the library once, as ``warning: ...`` on stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            seen: set[str] = set()
            for w in caught:
                text = str(w.message)
                if text not in seen:
                    seen.add(text)
                    print(f"warning: {text}", file=sys.stderr)


def _handler(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        with _warnings_to_stderr():
            return func(args)

    return run


def _add_leads_options(parser: argparse.ArgumentParser, *, required: bool) -> None:
    parser.add_argument(
        "--leads",
        required=required,
        metavar="LEADS",
        help="lead export (CSV in any encoding and delimiter, XLSX or Parquet)",
    )
    parser.add_argument(
        "--map",
        dest="mapping",
        metavar="MAPPING.yaml",
        help="column mapping for exports with other column names (canonical_name: source column)",
    )
    parser.add_argument(
        "--catalog",
        metavar="FILE",
        help="catalog for the decoder, when a charter needs decoded_* fields the leads lack "
        "(default: the decoder's default catalog)",
    )
    parser.add_argument(
        "--no-decode",
        dest="decode",
        action="store_false",
        help="never run the decoder; criteria on missing decoded_* fields stay empty",
    )


def register(sub: Any) -> None:
    """Add ``charter`` (check, evaluate, diff) and ``agreement`` to the ``triage`` command."""
    charter = sub.add_parser(
        "charter",
        help="check, evaluate and compare target-lead charters",
        description="Target-lead charters: the written criteria of a target lead, as YAML files.",
    )
    charter.set_defaults(func=lambda _args: _help(charter))
    csub = charter.add_subparsers(dest="charter_command", metavar="ACTION")

    check = csub.add_parser(
        "check",
        help="validate a charter and print its criteria in words",
        description="Validate a charter (optionally against a lead export) and print its criteria.",
    )
    check.add_argument("file", metavar="FILE", help="charter YAML")
    _add_leads_options(check, required=False)
    check.add_argument(
        "--lang",
        choices=_LANGS,
        help="language of titles and rules (default: the charter's locale)",
    )
    check.set_defaults(func=_handler(_check))

    evaluate = csub.add_parser(
        "evaluate",
        help="evaluate a charter on every lead",
        description=(
            "Add crit_<id> (true/false/empty), charter_verdict and charter_failed to every lead; "
            "every row and input column is kept."
        ),
    )
    evaluate.add_argument("file", metavar="FILE", help="charter YAML")
    _add_leads_options(evaluate, required=True)
    evaluate.add_argument(
        "--out", required=True, metavar="OUT", help="output table (.csv, .xlsx or .parquet)"
    )
    evaluate.add_argument("--lang", choices=_LANGS, help="language of the summary titles")
    evaluate.set_defaults(func=_handler(_evaluate))

    diff = csub.add_parser(
        "diff",
        help="compare two charters, in words and on leads",
        description=(
            "Criterion-level diff of two charters; with --leads also target counts, the confusion "
            "matrix, percent agreement, Cohen's kappa, pass rates and example leads."
        ),
    )
    diff.add_argument("a", metavar="A.yaml")
    diff.add_argument("b", metavar="B.yaml")
    _add_leads_options(diff, required=False)
    diff.add_argument("--out", metavar="FILE", help="also write the diff as .html or .json")
    diff.add_argument(
        "--examples",
        type=int,
        default=10,
        metavar="N",
        help="disagreeing leads to show (default 10)",
    )
    diff.add_argument(
        "--lang", choices=_LANGS, default="en", help="language of the rules in words (default en)"
    )
    diff.set_defaults(func=_handler(_diff))

    agreement = sub.add_parser(
        "agreement",
        help="target leads by marketing, sales and the agreed charter, with kappa",
        description=(
            "How many target leads marketing counted, how many sales counted, how many the "
            "agreed charter counts; percent agreement and Cohen's kappa (95 % CI) between the "
            "departments, overall and per group."
        ),
    )
    _add_leads_options(agreement, required=True)
    agreement.add_argument(
        "--by",
        metavar="GROUP",
        help="channel, campaign, month, manager, region, or any other column",
    )
    agreement.add_argument(
        "--charter",
        metavar="FILE",
        help="the agreed charter (default data/charters/agreed.yaml)",
    )
    agreement.add_argument("--no-charter", action="store_true", help="do not evaluate a charter")
    agreement.add_argument(
        "--out", metavar="FILE", help="also write the table (.csv, .xlsx, .parquet or .json)"
    )
    agreement.set_defaults(func=_handler(_agreement))


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _leads(args: argparse.Namespace) -> Any:
    from triage.leads import load_leads

    return load_leads(args.leads, mapping=args.mapping)


def _catalog(args: argparse.Namespace) -> Any:
    if args.catalog is None:
        return None
    path = Path(args.catalog)
    if not path.is_file():
        raise DataError(f"{path}: catalog file not found")
    return path


def _check(args: argparse.Namespace) -> int:
    from triage.charter import load_charter, render_charter, validate_charter

    charter = load_charter(args.file)
    issues = []
    if args.leads:
        frame = _leads(args)
        issues = validate_charter(
            charter, frame, can_decode=args.decode and "request_text" in frame.columns
        )
    else:
        issues = validate_charter(charter)
    render_charter(charter, locale=args.lang)
    for issue in issues:
        print(f"{issue.severity}: {issue.where}: {issue.message}", file=sys.stderr)
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        print(f"error: {args.file}: {len(errors)} problem(s) against {args.leads}", file=sys.stderr)
        return 1
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from rich.table import Table

    from triage.charter import CRIT_PREFIX, evaluate_charter, load_charter
    from triage.charter._render import make_console
    from triage.io import write_table

    charter = load_charter(args.file)
    out_path = Path(args.out)
    if out_path.suffix.lower() not in (".csv", ".xlsx", ".parquet", ".pq"):
        raise UsageError(f"{out_path}: --out must end in .csv, .xlsx or .parquet")
    frame = _leads(args)
    result = evaluate_charter(frame, charter, catalog=_catalog(args), decode=args.decode)
    write_table(result, out_path)
    console = make_console()
    n = len(result)
    target = int((result["charter_verdict"] == "target").sum())
    table = Table(
        title=f"{charter.label} on {n:,} leads: {target:,} target "
        f"({100 * target / max(n, 1):.1f} %)"
    )
    for col in ("id", "title", "required", "pass %", "fail %", "empty"):
        table.add_column(col, justify="right" if col in ("pass %", "fail %", "empty") else "left")
    loc = args.lang or charter.locale
    for crit in charter.criteria:
        values = result[CRIT_PREFIX + crit.id]
        passed, failed, empty = (
            int(values.eq(True).sum()),
            int(values.eq(False).sum()),
            int(values.isna().sum()),
        )
        table.add_row(
            crit.id,
            crit.title_in(loc),
            "yes" if crit.required else "signal",
            f"{100 * passed / max(n, 1):.1f}",
            f"{100 * failed / max(n, 1):.1f}",
            f"{empty:,}",
        )
    console.print(table)
    print(f"wrote {out_path} ({n:,} rows)", file=sys.stderr)
    return 0


def _diff(args: argparse.Namespace) -> int:
    from triage.charter import (
        compare_on_leads,
        diff_charters,
        load_charter,
        render_comparison,
        render_diff,
        render_diff_html,
    )

    if args.examples < 0:
        raise UsageError("--examples must be 0 or more")
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in (".html", ".htm", ".json"):
        raise UsageError(f"{out}: --out must end in .html or .json")
    a, b = load_charter(args.a), load_charter(args.b)
    result: Any
    if args.leads:
        result = compare_on_leads(
            _leads(args),
            a,
            b,
            catalog=_catalog(args),
            decode=args.decode,
            examples=args.examples,
            locale=args.lang,
        )
        render_comparison(result)
    else:
        result = diff_charters(a, b, locale=args.lang)
        render_diff(result)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix.lower() == ".json":
            out.write_text(
                json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str),
                encoding="utf-8",
            )
        else:
            out.write_text(render_diff_html(result), encoding="utf-8")
        print(f"wrote {out}", file=sys.stderr)
    return 0


def _agreement(args: argparse.Namespace) -> int:
    from triage.charter import agreement_table, load_charter, render_agreement
    from triage.config import CHARTERS_DIR
    from triage.io import write_table

    charter = None
    if args.no_charter and args.charter:
        raise UsageError("--charter and --no-charter contradict each other; give one")
    if not args.no_charter:
        charter = load_charter(args.charter or CHARTERS_DIR / "agreed.yaml")
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in (".csv", ".xlsx", ".parquet", ".pq", ".json"):
        raise UsageError(f"{out}: --out must end in .csv, .xlsx, .parquet or .json")
    table = agreement_table(
        _leads(args), charter=charter, by=args.by, catalog=_catalog(args), decode=args.decode
    )
    render_agreement(table)
    if out is not None:
        if out.suffix.lower() == ".json":
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(
                table.to_json(orient="records", force_ascii=False, indent=2), encoding="utf-8"
            )
        else:
            write_table(table, out)
        print(f"wrote {out}", file=sys.stderr)
    return 0
