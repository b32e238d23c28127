"""`escalation-score`: offline scoring of text or JSONL files (or stdin) to JSONL.

    escalation-score article.txt                 # one plain-text document per file
    escalation-score articles.jsonl > out.jsonl  # {"id", "text"} per line
    cat articles.jsonl | escalation-score

Every output line carries the `id` of its input (default `FILE:LINE`, or the file name for
plain text). A bad input line becomes an `{"id", "line", "error"}` row and is reported on
stderr; the rest is still scored. Exit status: 0 all scored, 1 some rows failed, 2 unusable
model or arguments.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from model.artifact import ArtifactError, default_model_path
from model.scoring import DEFAULT_TOP_K, Scorer

BATCH_SIZE = 256
JSONL_SUFFIXES = (".jsonl", ".ndjson")


@dataclass(frozen=True)
class InputRow:
    """One document to score, or the reason its line could not be read."""

    id: str
    line: int
    text: str | None = None
    error: str | None = None


def parse_jsonl(lines: Iterable[str], name: str) -> Iterator[InputRow]:
    """Rows of a JSONL stream: objects with a non-blank `text` and an optional `id`."""
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        fallback = f"{name}:{number}"
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield InputRow(fallback, number, error=f"invalid JSON: {exc.msg}")
            continue
        except (ValueError, RecursionError):  # over-long integers, absurd nesting
            yield InputRow(fallback, number, error="JSON this tool does not accept")
            continue
        if not isinstance(obj, dict):
            yield InputRow(fallback, number, error="line is not a JSON object")
            continue
        row_id = obj.get("id", fallback)
        text = obj.get("text")
        if not isinstance(row_id, str | int) or isinstance(row_id, bool):
            yield InputRow(fallback, number, error="id must be a string or integer")
        elif not isinstance(text, str) or not text.strip():
            yield InputRow(str(row_id), number, error="text is missing or blank")
        else:
            yield InputRow(str(row_id), number, text=text)


def read_inputs(paths: Sequence[str], stdin: IO[str]) -> Iterator[InputRow]:
    """Rows from each path (JSONL by suffix, else one plain-text document) or from stdin."""
    if not paths or list(paths) == ["-"]:
        head = stdin.read()
        if head.lstrip().startswith("{"):
            yield from parse_jsonl(head.splitlines(), "-")
        elif head.strip():
            yield InputRow("-", 1, text=head)
        return
    for name in paths:
        path = Path(name)
        try:
            if path.suffix.lower() in JSONL_SUFFIXES:
                with path.open(encoding="utf-8") as fh:
                    yield from parse_jsonl(fh, name)
            else:
                text = path.read_text(encoding="utf-8")
                yield (
                    InputRow(name, 1, text=text)
                    if text.strip()
                    else InputRow(name, 1, error="file is blank")
                )
        except (OSError, UnicodeDecodeError) as exc:
            yield InputRow(name, 0, error=f"cannot read: {exc}")


def _batches(rows: Iterable[InputRow], size: int) -> Iterator[list[InputRow]]:
    """Consecutive slices of at most `size` rows."""
    batch: list[InputRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def score_rows(
    scorer: Scorer, rows: Iterable[InputRow], top_k: int, out: IO[str], err: IO[str]
) -> tuple[int, int]:
    """Score rows in batches, writing one JSON line each; return (scored, failed)."""
    scored = failed = 0
    for batch in _batches(rows, BATCH_SIZE):
        good = [r for r in batch if r.text is not None]
        results = iter(scorer.score_many([r.text for r in good if r.text], top_k=top_k))
        for row in batch:
            record: dict[str, Any]
            if row.error is not None:
                failed += 1
                print(f"escalation-score: {row.id} (line {row.line}): {row.error}", file=err)
                record = {"id": row.id, "line": row.line, "error": row.error}
            else:
                scored += 1
                record = {"id": row.id, **next(results).to_dict()}
            try:
                line = json.dumps(record, ensure_ascii=False) + "\n"
                line.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate (e.g. in an id) cannot be UTF-8
                line = json.dumps(record) + "\n"
            out.write(line)
        if scored + failed > BATCH_SIZE:
            print(f"escalation-score: {scored + failed} rows done", file=err)
    return scored, failed


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(
        prog="escalation-score",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("files", nargs="*", help="text or JSONL files; none or - reads stdin")
    parser.add_argument(
        "--model",
        type=Path,
        help="artifact (default: $ESCALATION_MODEL_PATH or artifacts/escalation-model.joblib)",
    )
    parser.add_argument("--top-k", type=int, default=DEFAULT_TOP_K)
    args = parser.parse_args(argv)
    if args.top_k < 1:
        parser.error("--top-k must be at least 1")
    try:
        scorer = Scorer.load(args.model or default_model_path())
    except ArtifactError as exc:
        print(f"escalation-score: error: {exc}", file=sys.stderr)
        return 2
    scored, failed = score_rows(
        scorer, read_inputs(args.files, sys.stdin), args.top_k, sys.stdout, sys.stderr
    )
    print(f"escalation-score: {scored} scored, {failed} failed", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
