"""``triage decode``: one request on the command line, or a whole file."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from triage.cli._common import (
    add_catalog_option,
    add_quarantine_option,
    add_workers_option,
    input_paths,
    output_path,
    positive_int,
    quarantine_path,
    require_file,
    show_progress,
)
from triage.errors import UsageError
from triage.schema import CANDIDATES, DECODED_STATUS

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    """Add ``triage decode``."""
    p = sub.add_parser(
        "decode",
        help="decode part requests into catalog items (one text, or a file with --input)",
        description=(
            "Decode vague, misspelled, slangy or transliterated part requests into catalog "
            "items of --catalog, with evidence and candidates.  Give one TEXT, or --input FILE "
            "with --text-column and --out."
        ),
    )
    p.add_argument("text", nargs="?", help="one request to decode")
    p.add_argument("--input", type=Path, help="CSV/XLSX/Parquet file of requests")
    p.add_argument("--text-column", help="column of --input holding the request text")
    add_catalog_option(p)
    p.add_argument(
        "--lexicon",
        type=Path,
        action="append",
        default=[],
        help="extra lexicon CSV (slot,value,surface); repeatable",
    )
    p.add_argument(
        "--top-k", type=positive_int, default=5, help="candidates per request (default 5)"
    )
    p.add_argument("--out", type=Path, help="output file (.csv, .parquet or .xlsx) for --input")
    add_quarantine_option(p)
    add_workers_option(p)
    p.add_argument("--json", action="store_true", help="print the single result as JSON")
    p.set_defaults(run=run)


def _check(args: argparse.Namespace) -> None:
    if args.input is None:
        if args.text is None:
            raise UsageError("give a request TEXT or --input FILE (see triage decode --help)")
        if args.out is not None or args.text_column is not None or args.quarantine is not None:
            raise UsageError("--out, --text-column and --quarantine go with --input")
    elif args.text is not None:
        raise UsageError("give either a TEXT or --input, not both")
    elif not args.text_column:
        raise UsageError("--input needs --text-column (the column holding the request text)")
    elif args.out is None:
        raise UsageError("--input needs --out (.csv, .parquet or .xlsx)")
    if args.catalog is None:
        raise UsageError(
            "give --catalog FILE: the shop's catalog (sku, name) that requests are decoded "
            "against; `triage synth --out DIR` writes a sample one"
        )


def _decoder(args: argparse.Namespace) -> Any:
    from triage.decode import Decoder

    catalog = require_file(args.catalog, "catalog")
    assert catalog is not None  # checked with the other options
    for path in args.lexicon:
        require_file(path, "lexicon")
    decoder = Decoder(
        catalog, top_k=args.top_k, lexicon_files=args.lexicon, n_jobs=args.workers
    ).fit()
    print(
        f"catalog indexed: {len(decoder.index_):,} items in {decoder.build_seconds_:.1f} s",
        file=sys.stderr,
    )
    return decoder


def run(args: argparse.Namespace) -> int:
    _check(args)
    if args.input is None:
        result = _decoder(args).decode(args.text)
        row = result.as_row() | {CANDIDATES: result.candidates or []}
        if args.json:
            print(json.dumps(row, ensure_ascii=False, indent=2))
        else:
            from triage.report import render_decoded

            render_decoded(args.text, row)
        return 0
    return _decode_file(args)


def _decode_file(args: argparse.Namespace) -> int:
    from triage.io import read_table, require_columns, write_table
    from triage.schema import DECODED_COLUMNS

    inputs = input_paths(args, "input", "catalog", "lexicon")
    out = output_path(args.out, inputs=inputs)
    quarantine = quarantine_path(args, *inputs, out)
    frame = read_table(args.input, what="requests", infer_numbers=False, quarantine=quarantine)
    require_columns(frame, [args.text_column], source=args.input, what="requests file")
    if frame.empty:
        print(f"warning: {args.input}: the file has a header but no rows", file=sys.stderr)
    clash = [c for c in DECODED_COLUMNS if c in frame.columns]
    if clash:
        print(
            f"warning: {args.input}: replacing existing column(s) {', '.join(clash)}",
            file=sys.stderr,
        )
        frame = frame.drop(columns=clash)
    decoder = _decoder(args)
    start = time.perf_counter()
    decoded = decoder.decode_many(
        frame[args.text_column].tolist(), workers=args.workers, progress=show_progress(args)
    )
    seconds = time.perf_counter() - start
    result = frame.reset_index(drop=True).join(decoded)
    write_table(result, out)  # type: ignore[arg-type]
    counts = decoded[DECODED_STATUS].value_counts()
    summary = ", ".join(f"{k} {v}" for k, v in counts.items())
    print(f"decoded {len(result):,} rows in {seconds:.1f} s -> {out} ({summary})", file=sys.stderr)
    return 0
