"""``triage decode``: one request on the command line, or a whole file."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from triage.errors import DataError, UsageError


def register(sub: Any) -> None:
    """Register ``triage decode``."""
    p = sub.add_parser(
        "decode",
        help="decode part requests into catalog items (one text, or a file with --input)",
        description=(
            "Decode vague, misspelled, slangy or transliterated part requests into catalog "
            "items, with evidence and candidates.  Give one TEXT, or --input FILE with "
            "--text-column and --out."
        ),
    )
    p.add_argument("text", nargs="?", help="one request to decode")
    p.add_argument("--input", type=Path, help="CSV/XLSX/Parquet file of requests")
    p.add_argument("--text-column", help="column of --input holding the request text")
    p.add_argument(
        "--catalog", type=Path, help="catalog file (default: the generated sample catalog)"
    )
    p.add_argument(
        "--lexicon",
        type=Path,
        action="append",
        default=[],
        help="extra lexicon CSV (slot,value,surface); repeatable",
    )
    p.add_argument("--top-k", type=int, default=5, help="candidates per request (default 5)")
    p.add_argument("--out", type=Path, help="output file (.csv, .parquet or .xlsx) for --input")
    p.add_argument("--workers", type=int, default=None, help="processes (default: all CPUs)")
    p.add_argument("--json", action="store_true", help="print the single result as JSON")
    p.set_defaults(func=run)


def _decoder(args: argparse.Namespace) -> Any:
    from triage.decode._decoder import Decoder, default_catalog

    catalog = args.catalog if args.catalog is not None else default_catalog()
    for path in args.lexicon:
        if not path.exists():
            raise DataError(f"{path}: lexicon file not found")
    decoder = Decoder(catalog, top_k=args.top_k, lexicon_files=args.lexicon)
    print(
        f"catalog indexed: {len(decoder.index):,} items in {decoder.build_seconds:.1f} s",
        file=sys.stderr,
    )
    return decoder


def run(args: argparse.Namespace) -> int:
    if args.top_k < 1:
        raise UsageError("--top-k must be a positive integer")
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be a positive integer")
    if args.input is None:
        if args.text is None:
            raise UsageError("give a request TEXT or --input FILE (see triage decode --help)")
        if args.out is not None or args.text_column is not None:
            raise UsageError("--out and --text-column go with --input")
        result = _decoder(args).decode(args.text)
        if args.json:
            print(
                json.dumps(
                    result.as_row() | {"decoded_candidates": result.candidates},
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            _print_result(args.text, result)
        return 0
    if args.text is not None:
        raise UsageError("give either a TEXT or --input, not both")
    if not args.text_column:
        raise UsageError("--input needs --text-column (the column holding the request text)")
    if args.out is None:
        raise UsageError("--input needs --out (.csv, .parquet or .xlsx)")
    if args.out.suffix.lower() not in (".csv", ".parquet", ".pq", ".xlsx"):
        raise UsageError(f"--out {args.out}: use a .csv, .parquet or .xlsx file")
    from triage.io import check_writable, read_table, require_columns, write_table
    from triage.schema import DECODED_COLUMNS

    check_writable(args.out)
    frame = read_table(args.input, what="requests", infer_numbers=False)
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
    from triage.decode._decoder import decode_requests

    decoded = decode_requests(frame[args.text_column].tolist(), decoder, workers=args.workers)
    seconds = time.perf_counter() - start
    out = frame.reset_index(drop=True).join(decoded)
    write_table(out, args.out)
    counts = decoded["decoded_status"].value_counts()
    summary = ", ".join(f"{k} {v}" for k, v in counts.items())
    print(
        f"decoded {len(out):,} rows in {seconds:.1f} s -> {args.out} ({summary})", file=sys.stderr
    )
    return 0


def _print_result(text: str, result: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[bold]request:[/bold] {text!r}")
    console.print(
        f"[bold]status:[/bold] {result.status}   [bold]score:[/bold] {result.score:.0f}/100"
    )
    slots = Table(show_header=True, header_style="bold")
    for col in ("make", "model", "generation", "part_type", "side", "axle", "year", "engine"):
        slots.add_column(col)
    slots.add_row(
        *(
            str(getattr(result, c)) or "-"
            for c in ("make", "model", "generation", "part_type", "side", "axle", "year", "engine")
        )
    )
    console.print(slots)
    if result.sku:
        console.print(f"[bold]item:[/bold] {result.sku}  {result.name}")
    if result.candidates:
        table = Table(title="candidates", show_header=True, header_style="bold")
        table.add_column("#")
        table.add_column("sku")
        table.add_column("name")
        table.add_column("score")
        table.add_column("evidence")
        for i, c in enumerate(result.candidates, 1):
            ev = "; ".join(
                f"{e['words']}→{e['slot']}={e['value']}"
                + ("" if e.get("agrees") is not False else " ✗")
                for e in c["evidence"]
            )
            table.add_row(str(i), c["sku"], c["name"], f"{c['score']:.1f}", ev)
        console.print(table)
