"""`escalation-spark`: score a table of articles with Spark and write Parquet.

    escalation-spark --model artifacts/escalation-model.joblib --input articles.parquet \
        --output scores/ [--partition-by source] [--master local[2]]
    spark-submit --master yarn batch/spark.py --model ... --input ... --output ...
    python -m batch.spark --model ... --input ... --output ...

Input is Parquet, JSONL (`.jsonl`, `.json`, `.ndjson`) or CSV with a header, a file or a
directory (`--format` when the suffix does not tell). Each row is scored by its language's model
(`model.routing.Router`): the one its `language` column (`--language-col`) names (ISO 639-1),
else `--language`, else the one detected; a null or empty language is detected. Output: a
Parquet dataset with the id, the partition column (if any) and `model.frames.OUTPUT_COLUMNS`
(nested ones as JSON strings; `language` the model's, or the language no model reads),
partitioned by `--partition-by`. The artifact ships with the job (`SparkContext.addFile`); each
Python worker loads and verifies it once, then `mapInPandas` scores every batch with
`model.frames.score_frame`. A row whose text is null, blank or not scorable, or whose language
is not a two-letter code, becomes an error row (`error` set, `score` null); a row in a language
without a model gets a null `score` and level `unscored`: a job never fails on a row. The
executors need this package installed (the `spark` extra: pyspark, pandas, pyarrow), as a wheel
on the cluster.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from model import frames
from model.routing import Router
from model.scoring import DEFAULT_TOP_K

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import DataFrame, SparkSession

FORMATS = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "json",
    ".json": "json",
    ".ndjson": "json",
    ".csv": "csv",
}
APP_NAME = "escalation-spark"

# One router (every language's model) per Python worker process, by artifact file name (Spark
# reuses Python workers across tasks: spark.python.worker.reuse, on by default).
_routers: dict[str, Router] = {}


def worker_router(name: str) -> Router:
    """The artifact shipped with the job, loaded and verified once in this process."""
    if name not in _routers:
        from pyspark import SparkFiles

        _routers[name] = Router.load(Path(SparkFiles.get(name)))
    return _routers[name]


def score_partition(
    batches: Iterator[pd.DataFrame],
    artifact_name: str,
    text_col: str,
    id_col: str,
    keep: Sequence[str],
    top_k: int,
    language_col: str | None = frames.LANGUAGE_COLUMN,
    language: str | None = None,
) -> Iterator[pd.DataFrame]:
    """mapInPandas body: score each batch (rows in the language of `language_col` when the
    batch has it, else `language`, else detected), carrying the `keep` columns through."""
    router = worker_router(artifact_name)
    for batch in batches:
        out = frames.score_frame(
            router,
            batch,
            text_col=text_col,
            id_col=id_col,
            top_k=top_k,
            language_col=language_col,
            language=language,
        )
        for column in keep:
            out[column] = batch[column].to_numpy()
        yield out


def output_schema(df: DataFrame, keep: Sequence[str]) -> Any:
    """OUTPUT_COLUMNS (strings, score a double; all nullable: `score` is null on error rows and
    on rows of a language without a model) followed by the carried columns' own types."""
    from pyspark.sql.types import DoubleType, StringType, StructField, StructType

    fields = [
        StructField(c, DoubleType() if c == "score" else StringType(), True)
        for c in frames.OUTPUT_COLUMNS
    ]
    fields += [df.schema[c] for c in keep]
    return StructType(fields)


def read_input(spark: SparkSession, path: str, fmt: str | None) -> DataFrame:
    """Read Parquet, JSONL or CSV (header row; every column a string)."""
    fmt = fmt or FORMATS.get(Path(path.rstrip("/")).suffix.lower(), "parquet")
    if fmt == "json":
        return spark.read.json(path, mode="PERMISSIVE")
    if fmt == "csv":
        return spark.read.csv(path, header=True, multiLine=True, escape='"')
    return spark.read.format(fmt).load(path)


def score_table(
    spark: SparkSession,
    df: DataFrame,
    model: Path,
    text_col: str = frames.TEXT_COLUMN,
    id_col: str = frames.ID_COLUMN,
    partition_by: str | None = None,
    top_k: int = DEFAULT_TOP_K,
    language_col: str = frames.LANGUAGE_COLUMN,
    language: str | None = None,
) -> DataFrame:
    """The scored table: ids as strings (null when absent), each row in the language of
    `language_col` when the table has that column and the row names one, else `language`, else
    detected; `partition_by` carried through (partitioning by `language` uses the output's)."""
    from pyspark.sql import functions as F

    language = frames.language_code(language)  # ValueError: a malformed default, not a row
    Router.load(model)  # verify on the driver first: a bad artifact fails before any task
    spark.sparkContext.addFile(str(model))
    if text_col not in df.columns:
        raise SystemExit(f"{APP_NAME}: error: no text column {text_col!r} in {df.columns}")
    id_expr = F.col(id_col).cast("string") if id_col in df.columns else F.lit(None).cast("string")
    keep = [partition_by] if partition_by and partition_by not in frames.OUTPUT_COLUMNS else []
    if partition_by and not (partition_by in df.columns or partition_by in frames.OUTPUT_COLUMNS):
        raise SystemExit(f"{APP_NAME}: error: no column {partition_by!r} to partition by")
    text_expr = F.col(text_col).cast("string")
    read_language = language_col if language_col in df.columns else None
    if language_col in (id_col, text_col):
        read_language = None
    languages = (
        [F.col(language_col).cast("string").alias(language_col)]
        if read_language and language_col not in keep  # a kept column is selected as it is
        else []
    )
    selected = df.select(id_expr.alias(id_col), text_expr.alias(text_col), *languages, *keep)
    name = model.name

    def score(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        return score_partition(
            batches, name, text_col, id_col, keep, top_k, read_language, language
        )

    return selected.mapInPandas(score, output_schema(selected, keep))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point (also what `spark-submit batch/spark.py` runs)."""
    parser = argparse.ArgumentParser(
        prog=APP_NAME, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, required=True, help="the model artifact")
    parser.add_argument("--input", required=True, help="Parquet, JSONL or CSV file or directory")
    parser.add_argument("--output", required=True, help="output directory (Parquet dataset)")
    parser.add_argument("--format", choices=sorted(set(FORMATS.values())), help="input format")
    parser.add_argument("--master", help="Spark master (default: spark-submit's, else local[*])")
    parser.add_argument(
        "--partition-by",
        help="column to partition the output by: an input column, or an output one (language)",
    )
    parser.add_argument("--text-col", default=frames.TEXT_COLUMN)
    parser.add_argument("--id-col", default=frames.ID_COLUMN)
    parser.add_argument(
        "--language-col",
        default=frames.LANGUAGE_COLUMN,
        help="column of the rows' languages (ISO 639-1), used when present; null or empty: "
        "--language, else detected",
    )
    parser.add_argument(
        "--language",
        metavar="CODE",
        help="the language of every row that names none (default: detected per text)",
    )
    parser.add_argument("--top-k", type=int, default=DEFAULT_TOP_K)
    parser.add_argument("--overwrite", action="store_true", help="replace an existing output")
    args = parser.parse_args(argv)
    if args.top_k < 1:
        parser.error("--top-k must be at least 1")
    try:
        frames.language_code(args.language)
    except ValueError as exc:
        parser.error(f"--language: {exc}")
    if not args.model.is_file():
        parser.error(f"no model artifact at {args.model}")
    from pyspark.sql import SparkSession

    # No --master: spark-submit's (or spark-defaults.conf's), else pyspark's own local[*].
    builder = SparkSession.builder.appName(APP_NAME)
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    try:
        df = read_input(spark, args.input, args.format)
        scored = score_table(
            spark,
            df,
            args.model,
            args.text_col,
            args.id_col,
            args.partition_by,
            args.top_k,
            args.language_col,
            args.language,
        )
        writer = scored.write.mode("overwrite" if args.overwrite else "errorifexists")
        if args.partition_by:
            writer = writer.partitionBy(args.partition_by)
        writer.parquet(args.output)
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    # Run as `spark-submit batch/spark.py`: call the importable module's main, so the functions
    # shipped to the workers are pickled by reference (one scorer per worker, not per task).
    from batch.spark import main as _main

    raise SystemExit(_main())
