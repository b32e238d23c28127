"""`escalation-score`: offline scoring of text, JSONL or CSV files (or stdin) to JSONL.

    escalation-score article.txt                 # one plain-text document per file
    escalation-score articles.jsonl > out.jsonl  # {"id", "text"} per line
    escalation-score articles.csv                # `id` and `text` columns, one row a document
    escalation-score --text-column body --id-column key export.csv
    escalation-score --language es articles.jsonl  # rows without a `language` of their own
    cat articles.jsonl | escalation-score
    escalation-score --format csv < articles.csv
    escalation-score --workers 2 articles.parquet --output scores.parquet

How a file is read (`--format auto`): .jsonl/.ndjson/.json JSON lines, .csv CSV (a header line
naming the columns; quoted fields may span lines; UTF-8, with or without a BOM), .parquet/.pq
Parquet, .txt or any other suffix one plain-text document, except the suffixes of structured
files this tool does not read (.tsv, .xlsx, .xml, .html and the like, `UNREAD_SUFFIXES`): those
are refused rather than scored as one document (`--format text` reads them as one document).
`--format` overrides the suffix; stdin is JSON lines when it starts with `{`, else one plain-text
document, and CSV with `--format csv`. No text is too long: there is no per-text limit here.

Languages: each text goes to its language's model (`model.routing.Router`): the language a row
names (JSONL key `language`, CSV column `language` or the one `--language-column` names, Parquet
column `language`; ISO 639-1, two lowercase letters), else `--language CODE`, else the one
detected; null or empty is detected. A language without a model gives a row with a null score,
level `unscored` and an `unsupported_language` warning; a malformed code is an error row. Every
scored row says its `language`.

Parquet in or out (columns `id`, `text` and an optional `language` in;
`model.frames.OUTPUT_COLUMNS` out, nested ones as JSON strings) needs the `frames` extra
(pyarrow). `--workers N` scores in N processes on this machine, each loading the artifact once;
the output keeps the input order.

On a terminal, stderr shows a bar of the rows scored (not when stderr is piped or redirected,
when the output is drawn on the same terminal, with `CI` set, or with ESCALATION_PROGRESS=0);
otherwise, past the first batch of 256 rows, a line a batch says how many rows are done.

Every output line carries the `id` of its input (default `FILE:LINE`, or the file name for
plain text). A bad input line (or CSV record) becomes an `{"id", "source", "line", "error"}` row
and is reported on stderr; the rest is still scored. Exit status: 0 all scored, 1 some rows
failed, 2 unusable model, arguments or inputs (a suffix this tool does not read, a CSV header
without the text column), reported before anything is scored (a named pipe is read only once:
a bad CSV header there is an error row).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from model import frames, progress
from model.artifact import ArtifactError, default_model_path
from model.parallel import map_ordered
from model.routing import Router
from model.scoring import DEFAULT_TOP_K

if TYPE_CHECKING:
    from _csv import Reader as CsvReader  # the stubs' name of the reader type

BATCH_SIZE = 256
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")  # a .json file is read as JSON lines too
CSV_SUFFIXES = (".csv",)
FORMATS = ("auto", "jsonl", "csv", "text", "parquet")
PARQUET_SUFFIXES = (".parquet", ".pq")
# Structured files this tool does not read: refused in auto mode, never one plain-text document.
UNREAD_SUFFIXES = frozenset(
    {
        *(".tsv", ".tab", ".xlsx", ".xlsm", ".xls", ".ods", ".numbers"),  # other tables
        *(".feather", ".arrow", ".orc", ".avro"),  # other columnar files
        *(".xml", ".html", ".htm", ".xhtml", ".yaml", ".yml", ".toml"),  # markup and data
        *(".pdf", ".docx", ".doc", ".odt", ".rtf", ".epub"),  # office documents
    }
)
READ_FORMATS = (
    "JSON lines (.jsonl, .ndjson, .json), CSV (.csv), Parquet (.parquet, .pq), "
    "plain text (.txt and any other suffix)"
)
NEEDS_FRAMES = "Parquet needs the frames extra: pip install 'escalation-risk[frames]'"


class InputError(Exception):
    """An input this tool refuses before scoring anything (exit status 2): where, and why."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.problem = problem


@dataclass(frozen=True)
class CsvColumns:
    """The CSV columns read: `text` must exist; `id` and `language` may be absent unless named
    explicitly."""

    text: str = frames.TEXT_COLUMN
    id: str = frames.ID_COLUMN
    id_required: bool = False
    language: str = frames.LANGUAGE_COLUMN
    language_required: bool = False


@dataclass(frozen=True)
class InputRow:
    """One document to score, or the reason its line could not be read."""

    id: str
    source: str  # the file it came from (`-`: stdin)
    line: int
    text: str | None = None
    error: str | None = None
    language: str | None = None  # requested (ISO 639-1); None: `--language`, else detected


def _row(row_id: str, name: str, number: int, text: str, language: object) -> InputRow:
    """A row to score in the language it names (`frames.language_code`), or an error row when
    that is not a language code."""
    try:
        code = frames.language_code(language)
    except ValueError as exc:
        return InputRow(row_id, name, number, error=str(exc))
    return InputRow(row_id, name, number, text=text, language=code)


def parse_jsonl(lines: Iterable[str], name: str) -> Iterator[InputRow]:
    """Rows of a JSONL stream: objects with a non-blank `text`, an optional `id` and an optional
    `language` (null or empty: not named; anything but a two-letter code: an error row). Every
    row keeps its file and line, whatever its id; the same line gives the same error from a file
    or from stdin (named `-`)."""
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        fallback = f"{name}:{number}"
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            problem = f"invalid JSON: {exc.msg} (column {exc.colno})"
            yield InputRow(fallback, name, number, error=problem)
            continue
        except (ValueError, RecursionError):  # over-long integers, absurd nesting
            yield InputRow(fallback, name, number, error="JSON this tool does not accept")
            continue
        if not isinstance(obj, dict):
            yield InputRow(fallback, name, number, error="line is not a JSON object")
            continue
        row_id = obj.get("id", fallback)
        text = obj.get("text")
        if not isinstance(row_id, str | int) or isinstance(row_id, bool):
            yield InputRow(fallback, name, number, error="id must be a string or integer")
        elif not isinstance(text, str) or not text.strip():
            yield InputRow(str(row_id), name, number, error=frames.BLANK_TEXT)
        else:
            yield _row(str(row_id), name, number, text, obj.get(frames.LANGUAGE_COLUMN))


def _csv_header(
    reader: CsvReader, name: str, columns: CsvColumns
) -> tuple[int, int, int | None, int | None]:
    """(fields, text index, id index or None, language index or None) from a CSV's header line;
    InputError when the header lacks the text column (or a named id or language column), is
    missing or is malformed."""
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise InputError(f"{name}:1", f"malformed CSV header line: {exc}") from exc
    if not header:
        raise InputError(f"{name}:1", f"no CSV header line (a {columns.text!r} column is needed)")
    wanted = [
        (columns.text, "--text-column"),
        *([(columns.id, "--id-column")] if columns.id_required else []),
        *([(columns.language, "--language-column")] if columns.language_required else []),
    ]
    for column, option in wanted:
        if column not in header:
            shown = ",".join(header)
            shown = shown if len(shown) <= 200 else shown[:199] + "\u2026"
            raise InputError(
                f"{name}:1",
                f"no {column!r} column in the header line: {shown} "
                f"({option} NAME reads another column)",
            )
    id_at = header.index(columns.id) if columns.id in header else None
    language_at = header.index(columns.language) if columns.language in header else None
    return len(header), header.index(columns.text), id_at, language_at


def _csv_reader(lines: Iterable[str]) -> CsvReader:
    """The csv module's reader as training reads user CSV: comma, strict quoting."""
    return csv.reader(lines, strict=True)


def parse_csv(lines: Iterable[str], name: str, columns: CsvColumns) -> Iterator[InputRow]:
    """Rows of a CSV stream (opened with newline=""): a header line naming the columns, then one
    record a row, numbered by the line its record starts on (a quoted field may span lines).
    Blank lines are skipped; a record with the wrong number of fields or a blank text is an error
    row; malformed CSV (strict quoting) is an error row and ends the file, as its records cannot
    be told apart after it. A `language` column (`columns.language`), when there, names each
    row's language (empty: not named; not a two-letter code: an error row). Raises InputError
    when the header lacks the columns."""
    reader = _csv_reader(lines)
    fields, text_at, id_at, language_at = _csv_header(reader, name, columns)
    end = reader.line_num
    try:
        for record in reader:
            start, end = end + 1, reader.line_num
            if not record:
                continue
            fallback = f"{name}:{start}"
            if len(record) != fields:
                problem = f"expected {fields} fields, found {len(record)}"
                yield InputRow(fallback, name, start, error=problem)
                continue
            row_id = record[id_at] if id_at is not None and record[id_at].strip() else fallback
            text = record[text_at]
            if text.strip():
                language = record[language_at] if language_at is not None else None
                yield _row(row_id, name, start, text, language)
            else:
                yield InputRow(row_id, name, start, error=frames.BLANK_TEXT)
    except csv.Error as exc:
        start = end + 1
        problem = f"malformed CSV: {exc} (the rest of the file is not read)"
        yield InputRow(f"{name}:{start}", name, start, error=problem)


def parse_parquet(path: Path, name: str) -> Iterator[InputRow]:
    """Rows of a Parquet file with a `text`, an optional `id` and an optional `language` column
    (row numbers from 1)."""
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path)
    names = parquet.schema_arrow.names
    if frames.TEXT_COLUMN not in names:
        yield InputRow(name, name, 0, error=f"no {frames.TEXT_COLUMN!r} column")
        return
    wanted = (frames.ID_COLUMN, frames.TEXT_COLUMN, frames.LANGUAGE_COLUMN)
    columns = [c for c in wanted if c in names]
    number = 0
    for batch in parquet.iter_batches(batch_size=BATCH_SIZE, columns=columns):
        data = batch.to_pydict()
        ids = data.get(frames.ID_COLUMN) or [None] * batch.num_rows
        languages = data.get(frames.LANGUAGE_COLUMN) or [None] * batch.num_rows
        for row_id, text, language in zip(ids, data[frames.TEXT_COLUMN], languages, strict=True):
            number += 1
            row_id = f"{name}:{number}" if row_id is None else str(row_id)
            if isinstance(text, str) and text.strip():
                yield _row(row_id, name, number, text, language)
            else:
                yield InputRow(row_id, name, number, error=frames.BLANK_TEXT)


def input_format(name: str, chosen: str = "auto", head: str = "") -> str:
    """How an input is read. `auto`: by suffix (.parquet/.pq Parquet; .jsonl/.ndjson/.json
    JSON lines; .csv CSV; anything else one plain-text document, but InputError for the suffixes
    of UNREAD_SUFFIXES); stdin (`-`) is JSON lines when its first non-blank character is `{`,
    else one plain-text document (InputError for Parquet, which stdin cannot carry)."""
    if name == "-":
        if chosen == "parquet":
            raise InputError("-", "Parquet is not read from stdin; name the file instead")
        if chosen != "auto":
            return chosen
        return "jsonl" if head.lstrip().startswith("{") else "text"
    if chosen != "auto":
        return chosen
    suffix = Path(name).suffix.lower()
    if suffix in UNREAD_SUFFIXES:
        raise InputError(
            name,
            f"{suffix} files are not read; the formats are {READ_FORMATS}. Convert it, "
            "or pass --format text to score the whole file as one plain-text document",
        )
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    return "jsonl" if suffix in JSONL_SUFFIXES else "csv" if suffix in CSV_SUFFIXES else "text"


def read_inputs(
    paths: Sequence[str],
    stdin: IO[str],
    chosen: str = "auto",
    columns: CsvColumns | None = None,
) -> Iterator[InputRow]:
    """Rows from each path, or from stdin, read as `input_format` says; CSV with `columns` (by
    default `text` and an optional `id`). Every input is checked before the first row is read:
    InputError for a suffix this tool does not read, a CSV header without its columns, or
    columns named when no input is CSV."""
    named, columns = columns is not None, columns or CsvColumns()
    if not paths or list(paths) == ["-"]:
        head = stdin.read()
        kinds = [input_format("-", chosen, head)]
        if kinds == ["csv"]:
            head = head.removeprefix("\ufeff")
            _csv_header(_csv_reader(io.StringIO(head, newline="")), "-", columns)
    else:
        kinds = [input_format(name, chosen) for name in paths]
        for name, kind in zip(paths, kinds, strict=True):
            if kind == "csv" and Path(name).is_file():  # a pipe is read once, in _file_rows
                try:
                    with Path(name).open(encoding="utf-8-sig", newline="") as fh:
                        _csv_header(_csv_reader(fh), name, columns)
                except (OSError, UnicodeDecodeError):
                    pass  # an error row when the file is read
    if named and "csv" not in kinds:
        raise InputError(
            "--text-column, --id-column and --language-column",
            "they name CSV columns, and no input is read as CSV "
            "(pass --format csv to read stdin or another suffix as CSV)",
        )
    if not paths or list(paths) == ["-"]:
        return _stdin_rows(head, kinds[0], columns)
    return _file_rows(paths, kinds, columns)


def _stdin_rows(head: str, kind: str, columns: CsvColumns) -> Iterator[InputRow]:
    """Rows of stdin, already read into `head`."""
    if kind == "jsonl":
        yield from parse_jsonl(head.splitlines(), "-")
    elif kind == "csv":
        yield from parse_csv(io.StringIO(head, newline=""), "-", columns)
    elif head.strip():
        yield InputRow("-", "-", 1, text=head)


def _file_rows(
    paths: Sequence[str], kinds: Sequence[str], columns: CsvColumns
) -> Iterator[InputRow]:
    """Rows of each file, read as its kind; a file that cannot be read is one error row."""
    for name, kind in zip(paths, kinds, strict=True):
        path = Path(name)
        try:
            if kind == "parquet":
                yield from parse_parquet(path, name)
            elif kind == "jsonl":
                with path.open(encoding="utf-8") as fh:
                    yield from parse_jsonl(fh, name)
            elif kind == "csv":
                with path.open(encoding="utf-8-sig", newline="") as fh:
                    yield from parse_csv(fh, name, columns)
            else:
                text = path.read_text(encoding="utf-8")
                yield (
                    InputRow(name, name, 1, text=text)
                    if text.strip()
                    else InputRow(name, name, 1, error="file is blank")
                )
        except InputError as exc:  # the header of a pipe, which is not checked beforehand
            yield InputRow(name, name, 1, error=exc.problem)
        except (OSError, UnicodeDecodeError, ValueError) as exc:  # pyarrow: ArrowInvalid
            yield InputRow(name, name, 0, error=f"cannot read: {exc}")


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


def score_batch(
    router: Router, batch: list[InputRow], top_k: int, language: str | None = None
) -> list[dict[str, Any]]:
    """`model.frames.score_records` over a batch: one record per row, each in its own language,
    else `language`, else the one detected; unreadable rows included as error records (their
    `source` file and `line` added to every record)."""
    good = [r for r in batch if r.error is None]
    scored = iter(
        frames.score_records(
            router,
            [r.text for r in good],
            [r.id for r in good],
            top_k,
            languages=[r.language for r in good],
            language=language,
        )
    )
    out = []
    for row in batch:
        record = next(scored) if row.error is None else None
        if record is None:
            record = frames.error_record(row.id, router.version, str(row.error))
        record["id"] = row.id  # the row's own id, even one `str()` would spell the same
        out.append({**record, "source": row.source, "line": row.line})
    return out


class JsonlWriter:
    """Writes records as the JSONL this CLI has always emitted."""

    def __init__(self, out: IO[str], owned: bool = False) -> None:
        """Write to a text stream (closed at the end when `owned`)."""
        self.out = out
        self.owned = owned

    def write(self, records: list[dict[str, Any]]) -> None:
        """One line per record: `{"id", "source", "line", "error"}` or `{"id", score, ...}`."""
        for record in records:
            if record["error"] is not None:
                obj = {k: record[k] for k in ("id", "source", "line", "error")}
            else:
                obj = {k: record[k] for k in frames.OUTPUT_COLUMNS if k != "error"}
            try:
                line = json.dumps(obj, ensure_ascii=False) + "\n"
                line.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate (e.g. in an id) cannot be UTF-8
                line = json.dumps(obj) + "\n"
            self.out.write(line)

    def close(self) -> None:
        """Flush the stream, or close it when this writer opened it."""
        self.out.close() if self.owned else self.out.flush()


class ParquetWriter:
    """Writes records as Parquet row groups: OUTPUT_COLUMNS, nested ones as JSON strings."""

    def __init__(self, path: Path) -> None:
        """Open `path` for writing (the schema is fixed)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        fields = [(c, pa.float64() if c == "score" else pa.string()) for c in frames.OUTPUT_COLUMNS]
        self._pa = pa
        self.schema = pa.schema(fields)
        self.writer = pq.ParquetWriter(path, self.schema)

    def write(self, records: list[dict[str, Any]]) -> None:
        """One row group per batch; ids that are not valid UTF-8 are escaped."""
        rows = frames.to_json_columns(records)
        for row in rows:
            row.pop("line", None)
            row.pop("source", None)
            if row["id"] is not None:
                row["id"] = row["id"].encode("utf-8", "backslashreplace").decode("utf-8")
        self.writer.write_table(self._pa.Table.from_pylist(rows, schema=self.schema))

    def close(self) -> None:
        """Finish the file (footer)."""
        self.writer.close()


def score_rows(
    router_or_path: Router | Path,
    rows: Iterable[InputRow],
    top_k: int,
    writer: JsonlWriter | ParquetWriter,
    err: IO[str],
    workers: int = 1,
    bar: bool = True,
    language: str | None = None,
) -> tuple[int, int]:
    """Score rows in batches (in `workers` processes when given a path and workers > 1), a row
    without a language of its own in `language` (None: detected), writing them in input order;
    return (scored, failed). With `bar`, a terminal `err` shows a bar of rows (`model.progress`)
    instead of the "rows done" lines."""
    batches = _batches(rows, BATCH_SIZE)
    if isinstance(router_or_path, Router):
        results: Iterable[list[dict[str, Any]]] = (
            score_batch(router_or_path, b, top_k, language) for b in batches
        )
    else:
        results = map_ordered(
            router_or_path, score_batch, batches, top_k, language, workers=workers
        )
    scored = failed = 0
    with progress.bar(desc="escalation-score", unit=" rows", stream=err, show=bar) as rows_bar:
        for records in results:
            for record in records:
                if record["error"] is None:
                    scored += 1
                else:
                    failed += 1
                    where = f"{record['source']}:{record['line']}"
                    message = f"escalation-score: {where}: {record['error']} (id {record['id']})"
                    progress.write(message, err)
            writer.write(records)
            rows_bar.update(len(records))
            if scored + failed > BATCH_SIZE and rows_bar.disable:
                print(f"escalation-score: {scored + failed} rows done", file=err)
    writer.close()
    return scored, failed


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(
        prog="escalation-score",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "files", nargs="*", help="input files (see --format); none or - reads stdin"
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="auto",
        help="how inputs are read; auto (the default): .parquet/.pq Parquet, .jsonl/.ndjson/"
        '.json JSON lines ({"id", "text"} a line), .csv CSV (a header line, then a row a '
        "document), .tsv, .xlsx, .xml, .html and other structured files refused, any other "
        "file one plain-text document; stdin JSON lines when it starts with {, else one "
        "plain-text document",
    )
    parser.add_argument(
        "--text-column",
        metavar="NAME",
        help=f"CSV column of the texts (default {frames.TEXT_COLUMN})",
    )
    parser.add_argument(
        "--id-column",
        metavar="NAME",
        help=f"CSV column of the ids (default {frames.ID_COLUMN}, optional: FILE:LINE without it)",
    )
    parser.add_argument(
        "--language-column",
        metavar="NAME",
        help=f"CSV column of the rows' languages (default {frames.LANGUAGE_COLUMN}, optional: "
        "used when present; an empty cell is --language or detected)",
    )
    parser.add_argument(
        "--language",
        metavar="CODE",
        help="the language (ISO 639-1, e.g. en) of every row that names none of its own "
        "(default: detected per text); a language without a model gives unscored rows",
    )
    parser.add_argument(
        "--model",
        type=Path,
        help="artifact (default: $ESCALATION_MODEL_PATH or artifacts/escalation-model.joblib)",
    )
    parser.add_argument("--top-k", type=int, default=DEFAULT_TOP_K)
    parser.add_argument(
        "-o", "--output", type=Path, help="write here (.parquet: Parquet) instead of stdout"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="scoring processes on this machine (default 1)"
    )
    args = parser.parse_args(argv)
    if args.top_k < 1:
        parser.error("--top-k must be at least 1")
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    try:
        language = frames.language_code(args.language)
    except ValueError as exc:
        parser.error(f"--language: {exc}")
    columns = None
    if any(c is not None for c in (args.text_column, args.id_column, args.language_column)):
        columns = CsvColumns(
            text=args.text_column or frames.TEXT_COLUMN,
            id=args.id_column or frames.ID_COLUMN,
            id_required=args.id_column is not None,
            language=args.language_column or frames.LANGUAGE_COLUMN,
            language_required=args.language_column is not None,
        )
    try:
        rows = read_inputs(args.files, sys.stdin, args.format, columns)
    except InputError as exc:
        print(f"escalation-score: error: {exc}", file=sys.stderr)
        return 2
    path = args.model or default_model_path()
    try:
        # Loaded here even with workers, so a bad artifact is exit 2 before any process starts.
        router = Router.load(path)
    except ArtifactError as exc:
        print(f"escalation-score: error: {exc}", file=sys.stderr)
        return 2
    inputs = [f for f in args.files if input_format(f, args.format) == "parquet"]
    parquet = [
        *inputs,
        *([str(args.output)] if args.output and _is_parquet(str(args.output)) else []),
    ]
    if parquet and not _has_pyarrow():
        print(f"escalation-score: error: {NEEDS_FRAMES}", file=sys.stderr)
        return 2
    writer = (
        ParquetWriter(args.output)
        if args.output and _is_parquet(str(args.output))
        else JsonlWriter(args.output.open("w", encoding="utf-8"), owned=True)
        if args.output
        else JsonlWriter(sys.stdout)
    )
    target: Router | Path = router if args.workers == 1 else path
    if args.workers > 1:
        del router  # each worker loads its own
    # No bar between output lines drawn on the same terminal.
    bar = args.output is not None or not progress.is_terminal(sys.stdout)
    scored, failed = score_rows(
        target, rows, args.top_k, writer, sys.stderr, args.workers, bar, language
    )
    print(f"escalation-score: {scored} scored, {failed} failed", file=sys.stderr)
    return 1 if failed else 0


def _is_parquet(name: str) -> bool:
    """Whether a file name is Parquet by its suffix."""
    return Path(name).suffix.lower() in PARQUET_SUFFIXES


def _has_pyarrow() -> bool:
    """Whether the frames extra (pyarrow) is installed."""
    import importlib.util

    return importlib.util.find_spec("pyarrow") is not None


if __name__ == "__main__":
    raise SystemExit(main())
