"""escalation-spark on a local[2] Spark: the same rows as escalation-score, row for row, each
in its language."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from model import cli
from tests.batch.conftest import article_rows, need_spark

pytestmark = pytest.mark.spark
ROWS = 300
BAD_CODE = "language must be an ISO 639-1 code (two lowercase letters), not 'EN'"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The rows as JSONL (plus one corrupt line) and as Parquet."""
    need_spark()
    import pandas as pd

    folder = tmp_path_factory.mktemp("spark-in")
    rows = article_rows(ROWS)
    lines = [json.dumps(r) for r in rows]
    (folder / "articles.jsonl").write_text("\n".join([*lines, "{corrupt"]) + "\n")
    pd.DataFrame(rows).to_parquet(folder / "articles.parquet")
    return folder


@pytest.fixture(scope="module")
def expected(inputs: Path, tiny_model_path: Path) -> dict[str, dict]:
    """What escalation-score writes for the same rows (the corrupt line left out), by id."""
    out = inputs / "expected.jsonl"
    clean = inputs / "clean.jsonl"
    clean.write_text("".join(inputs.joinpath("articles.jsonl").read_text().splitlines(True)[:-1]))
    assert cli.main(["--model", str(tiny_model_path), str(clean), "-o", str(out)]) == 1
    return {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}


@pytest.fixture(autouse=True)
def _worker_python(monkeypatch: pytest.MonkeyPatch) -> None:
    """Spark's Python workers run this interpreter (with pyarrow and this package)."""
    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)
    monkeypatch.setenv("PYSPARK_DRIVER_PYTHON", sys.executable)
    monkeypatch.setenv("SPARK_LOCAL_IP", "127.0.0.1")  # loopback only


def run_spark(args: list[str]) -> None:
    """escalation-spark on local[2], small shuffles, quiet UI."""
    from batch import spark

    os.environ["PYSPARK_SUBMIT_ARGS"] = (
        "--conf spark.ui.enabled=false --conf spark.ui.showConsoleProgress=false "
        "--conf spark.sql.shuffle.partitions=2 pyspark-shell"
    )
    assert spark.main(["--master", "local[2]", *args]) == 0


def read_partitioned(out: Path):
    """A dataset partitioned by `source` (a string, null for Spark's default partition)."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    partitioning = ds.partitioning(pa.schema([("source", pa.string())]), flavor="hive")
    table = ds.dataset(out, format="parquet", partitioning=partitioning).to_table()
    return table.to_pandas()


def assert_same(scored, expected: dict[str, dict]) -> None:
    """Every scored row equals escalation-score's row with its id (nested JSON parsed)."""
    good = scored[scored["error"].isna()]
    bad = scored[scored["error"].notna()]
    assert len(good) == sum("error" not in r for r in expected.values())
    for row in good.to_dict("records"):
        want = expected[row["id"]]
        score = None if row["score"] != row["score"] else row["score"]  # NaN: null
        assert score == want["score"] and row["level"] == want["level"]
        assert row["model_version"] == want["model_version"]
        assert row["language"] == want["language"]
        for column in ("phrases", "deescalating_phrases", "sentences", "warnings"):
            assert json.loads(row[column]) == want[column], (row["id"], column)
    for row in bad[bad["id"].notna()].to_dict("records"):
        assert row["error"] == expected[row["id"]]["error"] and row["score"] != row["score"]


def assert_languages(scored) -> None:
    """French rows unscored, malformed codes error rows, the rest read by the English model."""
    by_id = scored.set_index("id")
    for i in range(ROWS):
        row = by_id.loc[f"a{i}"]
        if i % 50 in (13, 29):  # blank or null text
            continue
        if i % 50 == 7:
            assert row["language"] == "fr" and row["level"] == "unscored"
            assert row["score"] != row["score"] and row["error"] is None
        elif i % 50 == 41:
            assert row["error"] == BAD_CODE and row["language"] is None
        else:
            assert row["language"] == "en" and 0 <= row["score"] <= 1


def test_jsonl_partitioned_by_source_equals_escalation_score(
    inputs: Path, expected: dict[str, dict], tiny_model_path: Path, tmp_path: Path
) -> None:

    out = tmp_path / "scores"
    args = ["--model", str(tiny_model_path), "--input", str(inputs / "articles.jsonl")]
    run_spark([*args, "--output", str(out), "--partition-by", "source"])
    assert sorted(p.name for p in out.glob("source=*")) == [
        "source=__HIVE_DEFAULT_PARTITION__",  # the corrupt line: no source, no id
        "source=blog",
        "source=gov",
        "source=wire",
    ]
    scored = read_partitioned(out)
    assert len(scored) == ROWS + 1 and scored["id"].nunique() == ROWS
    corrupt = scored[scored["id"].isna()]
    assert len(corrupt) == 1 and corrupt["error"].iloc[0] == "text is missing or blank"
    assert_same(scored, expected)
    assert_languages(scored)
    sources = dict(zip(scored["id"], scored["source"], strict=True))
    assert sources["a0"] == "wire" and sources["a1"] == "blog"


def test_parquet_input_equals_escalation_score(
    inputs: Path, expected: dict[str, dict], tiny_model_path: Path, tmp_path: Path
) -> None:
    import pandas as pd

    out = tmp_path / "scores"
    args = ["--model", str(tiny_model_path), "--input", str(inputs / "articles.parquet")]
    run_spark([*args, "--output", str(out)])
    scored = pd.read_parquet(out)
    assert len(scored) == ROWS and list(scored.columns)[:2] == ["id", "score"]
    assert_same(scored, expected)
    assert_languages(scored)
    assert (scored["error"] == "text is missing or blank").sum() == 12
    assert (scored["error"] == BAD_CODE).sum() == 6


def test_default_language_and_partition_by_the_output_language(
    inputs: Path, tiny_model_path: Path, tmp_path: Path
) -> None:
    """`--language` for the rows that name none; `--partition-by language` is the output's."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    out = tmp_path / "scores"
    args = ["--model", str(tiny_model_path), "--input", str(inputs / "articles.parquet")]
    run_spark([*args, "--output", str(out), "--language", "de", "--partition-by", "language"])
    assert sorted(p.name for p in out.glob("language=*")) == [
        "language=__HIVE_DEFAULT_PARTITION__",  # error rows
        "language=de",
        "language=en",
        "language=fr",
    ]
    partitioning = ds.partitioning(pa.schema([("language", pa.string())]), flavor="hive")
    scored = ds.dataset(out, format="parquet", partitioning=partitioning).to_table().to_pandas()
    counts = scored["language"].value_counts(dropna=False).to_dict()
    assert counts["en"] == 6 and counts["fr"] == 6  # named in their rows
    german = scored[scored["language"] == "de"]
    assert len(german) == ROWS - 6 - 6 - 6 - 12 and german["score"].isna().all()
    assert (german["level"] == "unscored").all() and german["error"].isna().all()


def test_a_malformed_language_option_exits_2(tiny_model_path: Path, capsys) -> None:
    from batch import spark

    argv = ["--model", str(tiny_model_path), "--input", "in", "--output", "out"]
    with pytest.raises(SystemExit) as exc:
        spark.main([*argv, "--language", "German"])
    assert exc.value.code == 2 and "--language: language must be" in capsys.readouterr().err
