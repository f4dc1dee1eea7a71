"""What every command shares: option types and groups, warnings on stderr, the console."""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from triage.errors import DataError, UsageError

__all__ = [
    "LANGS",
    "add_catalog_option",
    "add_force_option",
    "add_leads_options",
    "add_quarantine_option",
    "add_workers_option",
    "build_scorer",
    "check_output_folder",
    "existing_file",
    "input_paths",
    "iso_date",
    "load_leads_from",
    "output_path",
    "positive_int",
    "quarantine_path",
    "require_file",
    "show_progress",
    "warnings_to_stderr",
    "whole_number",
    "will_decode",
]

LANGS = ("en", "ru")


def whole_number(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    parse.__name__ = "whole number"
    return parse


#: An argparse type: a whole number from 1 up.
positive_int = whole_number(1)


def iso_date(text: str) -> str:
    """An argparse type: an ISO date (2026-05-01), returned as given."""
    import datetime as dt

    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected an ISO date like 2026-05-01, got {text!r}"
        ) from None
    return text


def existing_file(path: str | Path, what: str) -> Path:
    """``path`` when it names an existing file; a DataError (exit 1) if not."""
    found = require_file(path, what)
    assert found is not None
    return found


def require_file(path: str | Path | None, what: str) -> Path | None:
    """``path`` when it names an existing file (None passes); a DataError (exit 1) if not."""
    if path is None:
        return None
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: {what} file not found")
    return path


def output_path(
    path: str | Path | None,
    suffixes: Sequence[str] | None = None,
    *,
    inputs: Sequence[str | Path | None] = (),
) -> Path | None:
    """Check an ``--out`` before any work: suffix, folder, permissions (None passes).

    Parameters
    ----------
    path : str or Path, optional
        The output the user gave.
    suffixes : sequence of str, optional
        Suffixes the command writes (default: the table formats).
    inputs : sequence of paths
        Every file the command reads; an output that is one of them is refused
        (``--out my.csv --leads my.csv`` would destroy the input).

    Raises
    ------
    UsageError
        Wrong suffix, or the output is an input.
    DataError
        The folder cannot be created or written.
    """
    if path is None:
        return None
    from triage.io.tables import WRITE_SUFFIXES, check_writable

    return check_writable(path, suffixes=tuple(suffixes or WRITE_SUFFIXES), inputs=inputs)


def input_paths(args: argparse.Namespace, *names: str) -> list[str | Path | None]:
    """The files named by options ``names`` of ``args`` (missing options give None)."""
    out: list[str | Path | None] = []
    for name in names:
        value = getattr(args, name, None)
        if isinstance(value, list | tuple):
            out.extend(value)
        else:
            out.append(value)
    return out


def check_output_folder(folder: Path, names: Sequence[str], *, force: bool) -> None:
    """Refuse a folder that already holds files a command would overwrite, unless ``force``.

    Raises
    ------
    DataError
        ``folder`` is a file, or holds some of ``names`` and ``force`` is False.
    """
    if folder.exists() and not folder.is_dir():
        raise DataError(f"--out {folder}: exists and is not a folder; choose another --out")
    present = [name for name in names if (folder / name).exists()]
    if present and not force:
        raise DataError(
            f"--out {folder}: the folder already holds {', '.join(present)}, which would be "
            "overwritten; choose another folder, or give --force to replace them"
        )


def add_force_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--force",
        action="store_true",
        help="overwrite files of an earlier run in the --out folder",
    )


@contextmanager
def warnings_to_stderr() -> Iterator[None]:
    """Show every warning the library raised once, as ``warning: ...`` on stderr.

    Notices of libraries about their own future (deprecation warnings) are
    for developers, not for the person reading a report: they are not shown.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            seen: set[str] = set()
            for w in caught:
                text = str(w.message)
                if issubclass(w.category, DeprecationWarning | PendingDeprecationWarning):
                    continue
                if text not in seen:
                    seen.add(text)
                    print(f"warning: {text}", file=sys.stderr)


def show_progress(args: argparse.Namespace) -> bool:
    """Progress bars when asked, else when stderr is a terminal."""
    choice = getattr(args, "progress", None)
    return sys.stderr.isatty() if choice is None else bool(choice)


def add_workers_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="worker processes (default: the number of CPUs)",
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar (default: when stderr is a terminal)",
    )


def add_catalog_option(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
    parser.add_argument(
        "--catalog",
        type=Path,
        required=required,
        metavar="FILE",
        help="the shop's catalog (CSV/XLSX/Parquet with sku and name) to decode requests against",
    )


def add_leads_options(parser: argparse.ArgumentParser, *, required: bool) -> None:
    """``--leads``, ``--map``, ``--catalog`` and ``--no-decode``."""
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
    add_catalog_option(parser)
    add_quarantine_option(parser)
    parser.add_argument(
        "--no-decode",
        dest="decode",
        action="store_false",
        help="without --catalog: leave criteria on decoded_* fields empty instead of refusing",
    )


def add_quarantine_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--quarantine",
        metavar="FILE",
        help=(
            "set rows that cannot be read (wrong number of fields, a broken quote) aside in "
            "FILE (.csv, .xlsx or .parquet) with their line and the reason, and go on "
            "(default: refuse the file)"
        ),
    )


def quarantine_path(args: argparse.Namespace, *inputs: str | Path | None) -> Path | None:
    """``--quarantine``, checked like an output: not an input, not ``--out``, writable."""
    path = getattr(args, "quarantine", None)
    if path is None:
        return None
    from triage.io.tables import check_writable

    return check_writable(path, inputs=inputs)


def load_leads_from(args: argparse.Namespace) -> Any:
    """The leads of ``--leads`` (with ``--map``), broken rows set aside with ``--quarantine``."""
    from triage.io.leads import load_leads

    quarantine = getattr(args, "quarantine", None)
    return load_leads(args.leads, mapping=args.mapping, quarantine=quarantine)


def will_decode(args: argparse.Namespace, leads: Any) -> bool:
    """Whether the requests will be decoded: a catalog is given and the leads have request_text."""
    return args.catalog is not None and "request_text" in leads.columns


def build_scorer(args: argparse.Namespace, charter: Any) -> Any:
    """The pipeline's scorer for ``--catalog`` / ``--no-decode`` and a charter (or None)."""
    from triage.pipeline import Scorer

    if args.catalog is not None and not args.decode:
        raise UsageError("--catalog and --no-decode contradict each other; give one")
    return Scorer.build(
        catalog=require_file(args.catalog, "catalog"),
        charter=charter,
        use_charter=charter is not None,
        missing="error" if args.decode else "empty",
    )
