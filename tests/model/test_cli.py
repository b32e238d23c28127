"""Offline scoring CLI: JSONL and CSV in, JSONL out, ids kept, bad lines reported."""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from model import cli, progress
from model.routing import Router

ESCALATORY = "Troops mobilised for a strike and threatened war."
NEEDS_FRAMES = "Parquet needs the frames extra, pandas and pyarrow (make test-engines installs it)"


def run(argv: list[str], stdin: str = "", monkeypatch=None) -> tuple[int, list[dict], str]:
    """Run the CLI, returning exit code, parsed stdout rows and stderr."""
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    monkeypatch.setattr("sys.stdout", out)
    monkeypatch.setattr("sys.stderr", err)
    code = cli.main(argv)
    return code, [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def test_jsonl_rows_keep_ids_and_bad_lines_are_reported(
    tmp_path: Path, tiny_model_path: Path, monkeypatch
) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "text": "Troops mobilised for a strike."}),
                "{not json",
                json.dumps({"id": "c", "text": "   "}),
                json.dumps(["list"]),
                json.dumps({"id": 7, "text": "A trade agreement was signed."}),
                json.dumps({"text": "no id here"}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    code, rows, err = run(["--model", str(tiny_model_path), str(src)], monkeypatch=monkeypatch)
    assert code == 1
    assert [r["id"] for r in rows] == ["a", f"{src}:2", "c", f"{src}:4", "7", f"{src}:6"]
    assert [("error" in r) for r in rows] == [False, True, True, True, False, False]
    assert rows[1]["line"] == 2 and "invalid JSON" in rows[1]["error"]
    assert rows[0]["score"] > rows[4]["score"]
    assert f"{src}:2: invalid JSON: " in err and "3 scored, 3 failed" in err
    # A row with an id of its own still names the file and line, on stderr and in the row.
    assert f"{src}:3: text is missing or blank (id c)" in err
    assert (rows[2]["id"], rows[2]["source"], rows[2]["line"]) == ("c", str(src), 3)


def test_plain_text_file_and_stdin(tmp_path: Path, tiny_model_path: Path, monkeypatch) -> None:
    article = tmp_path / "article.txt"
    article.write_text("The army threatened war.", encoding="utf-8")
    code, rows, _ = run(["--model", str(tiny_model_path), str(article)], monkeypatch=monkeypatch)
    assert code == 0 and rows[0]["id"] == str(article) and 0 <= rows[0]["score"] <= 1
    code, rows, _ = run(
        ["--model", str(tiny_model_path)],
        stdin='{"id": "s", "text": "aid"}\n',
        monkeypatch=monkeypatch,
    )
    assert code == 0 and rows[0]["id"] == "s"
    code, rows, _ = run(
        ["--model", str(tiny_model_path), "-"],
        stdin="plain words of peace",
        monkeypatch=monkeypatch,
    )
    assert code == 0 and rows[0]["id"] == "-" and rows[0]["sentences"]


def test_unusable_model_exits_2(tmp_path: Path, monkeypatch) -> None:
    code, rows, err = run(["--model", str(tmp_path / "none.joblib")], monkeypatch=monkeypatch)
    assert code == 2 and rows == [] and "no model artifact" in err


def test_top_k_must_be_positive(tiny_model_path: Path, monkeypatch, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["--model", str(tiny_model_path), "--top-k", "0"])
    assert exc.value.code == 2
    assert "--top-k must be at least 1" in capsys.readouterr().err


def test_lines_json_cannot_hold_become_error_rows(
    tmp_path: Path, tiny_model_path: Path, monkeypatch
) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        "\n".join(
            [
                '{"id": "big", "text": "war", "n": ' + "9" * 5000 + "}",
                '{"id": "\\ud800", "text": "Troops mobilised."}',
                json.dumps({"id": "ok", "text": "Aid was delivered."}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    code, rows, err = run(["--model", str(tiny_model_path), str(src)], monkeypatch=monkeypatch)
    assert code == 1 and len(rows) == 3
    assert "error" in rows[0] and rows[1]["id"] == "\ud800" and rows[2]["id"] == "ok"
    assert "2 scored, 1 failed" in err


def test_parquet_in_and_out_with_workers_keeps_order(
    tmp_path: Path, tiny_model_path: Path, monkeypatch
) -> None:
    pd = pytest.importorskip("pandas", reason=NEEDS_FRAMES)
    pytest.importorskip("pyarrow", reason=NEEDS_FRAMES)
    texts = [f"Troops threatened strike number {i}." if i % 3 else "Aid." for i in range(600)]
    texts[7] = "  "
    src = tmp_path / "in.parquet"
    pd.DataFrame({"id": [f"r{i}" for i in range(600)], "text": texts}).to_parquet(src)
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text(
        "".join(json.dumps({"id": f"r{i}", "text": t}) + "\n" for i, t in enumerate(texts))
    )
    code, serial, _ = run(["--model", str(tiny_model_path), str(jsonl)], monkeypatch=monkeypatch)
    assert code == 1 and len(serial) == 600
    out = tmp_path / "out.parquet"
    argv = ["--model", str(tiny_model_path), "--workers", "2", str(src), "-o", str(out)]
    code, _, err = run(argv, monkeypatch=monkeypatch)
    assert code == 1 and "599 scored, 1 failed" in err and "rows done" in err
    table = pd.read_parquet(out)
    assert list(table["id"]) == [f"r{i}" for i in range(600)]
    assert table.loc[7, "error"] == "text is missing or blank" and pd.isna(table.loc[7, "score"])
    for i in (0, 1, 599):
        assert table.loc[i, "score"] == serial[i]["score"]
        assert json.loads(table.loc[i, "phrases"]) == serial[i]["phrases"]


def test_parquet_without_text_column_is_an_error_row(
    tmp_path: Path, tiny_model_path: Path, monkeypatch
) -> None:
    pd = pytest.importorskip("pandas", reason=NEEDS_FRAMES)
    pytest.importorskip("pyarrow", reason=NEEDS_FRAMES)
    src = tmp_path / "bad.parquet"
    pd.DataFrame({"body": ["war"]}).to_parquet(src)
    code, rows, err = run(["--model", str(tiny_model_path), str(src)], monkeypatch=monkeypatch)
    assert code == 1 and rows[0]["error"] == "no 'text' column" and "0 scored, 1 failed" in err


def test_a_json_file_of_json_lines_is_scored_line_by_line(
    tmp_path: Path, tiny_model_path: Path, monkeypatch
) -> None:
    """`.json` is read as JSON lines (it was read as one plain-text document, exit 0); a single
    JSON document over several lines is then errors that name each line, not a score."""
    lines = tmp_path / "articles.json"
    lines.write_text(
        json.dumps({"id": "a", "text": "Troops shelled the town."})
        + "\n"
        + json.dumps({"id": "b", "text": "The ministers signed a trade agreement."})
        + "\n",
        encoding="utf-8",
    )
    code, rows, _ = run(["--model", str(tiny_model_path), str(lines)], monkeypatch=monkeypatch)
    assert code == 0 and [r["id"] for r in rows] == ["a", "b"]
    document = tmp_path / "document.json"
    document.write_text('{\n  "id": "a",\n  "text": "Troops shelled the town."\n}\n')
    code, rows, err = run(["--model", str(tiny_model_path), str(document)], monkeypatch=monkeypatch)
    assert code == 1 and all(r["error"].startswith("invalid JSON") for r in rows)
    assert f"{document}:1: invalid JSON" in err and "0 scored, 4 failed" in err


def test_format_overrides_the_suffix(tmp_path: Path, tiny_model_path: Path, monkeypatch) -> None:
    src = tmp_path / "notes.jsonl"
    src.write_text('{"text": "not read as JSON"}\n', encoding="utf-8")
    code, rows, _ = run(
        ["--model", str(tiny_model_path), "--format", "text", str(src)], monkeypatch=monkeypatch
    )
    assert code == 0 and len(rows) == 1 and rows[0]["id"] == str(src)


def test_a_bad_line_reads_the_same_from_a_file_and_from_stdin(
    tmp_path: Path, tiny_model_path: Path, monkeypatch
) -> None:
    """The whole JSON message (not cut at "Invalid control character at"), the same both ways."""
    bad = '{"id": "x", "text": "tab\there"}\n{"text": "Troops shelled the town."}\n'
    src = tmp_path / "in.jsonl"
    src.write_text(bad, encoding="utf-8")
    _, from_file, _ = run(["--model", str(tiny_model_path), str(src)], monkeypatch=monkeypatch)
    _, from_stdin, _ = run(["--model", str(tiny_model_path)], stdin=bad, monkeypatch=monkeypatch)
    problem = "invalid JSON: Invalid control character at (column 25)"
    assert from_file[0]["error"] == from_stdin[0]["error"] == problem
    assert (from_file[0]["source"], from_stdin[0]["source"]) == (str(src), "-")


def test_csv_rows_are_scored_each_like_the_same_text_alone(
    tmp_path: Path, tiny_model_path: Path, monkeypatch
) -> None:
    """Each CSV record is a row (not the whole file one document): a quoted field may span lines
    (the row's line is where its record starts), a blank text is an error row with its line."""
    multi = 'The ministers met.\nThey signed a trade agreement and "welcomed" the talks.'
    src = tmp_path / "rows.csv"
    with src.open("w", encoding="utf-8-sig", newline="") as fh:  # BOM and CRLF, as Excel writes
        csv.writer(fh).writerows(
            [
                ["id", "text", "lang"],
                ["a", ESCALATORY, "en"],
                ["", multi, "en"],  # lines 3-4
                ["c", "   ", "en"],
                ["", "Aid was delivered.", "en"],
            ]
        )
    code, rows, err = run(["--model", str(tiny_model_path), str(src)], monkeypatch=monkeypatch)
    assert code == 1 and "3 scored, 1 failed" in err
    assert [r["id"] for r in rows] == ["a", f"{src}:3", "c", f"{src}:6"]  # no id: FILE:LINE
    assert (rows[2]["source"], rows[2]["line"]) == (str(src), 5)
    assert rows[2]["error"] == "text is missing or blank"
    assert f"{src}:5: text is missing or blank (id c)" in err
    scorer = Router.load(tiny_model_path)
    for row, text in [(rows[0], ESCALATORY), (rows[1], multi)]:
        alone = scorer.score(text).to_dict()
        assert (row["score"], row["phrases"], row["sentences"]) == (
            alone["score"],
            alone["phrases"],
            alone["sentences"],
        )
    # The same text in a plain-text file scores the same as its CSV row.
    article = tmp_path / "a.txt"
    article.write_text(ESCALATORY, encoding="utf-8")
    _, [single], _ = run(["--model", str(tiny_model_path), str(article)], monkeypatch=monkeypatch)
    assert single["score"] == rows[0]["score"] and single["level"] == rows[0]["level"]


BAD_CODE = "language must be an ISO 639-1 code (two lowercase letters), not "
RUSSIAN = "Войска готовятся к удару по городу, и правительство угрожает войной соседям."


def language_rows(path: Path) -> Path:
    """JSONL rows naming a language (one without a model, a malformed one), none or an empty
    one, or a text in a language without a model."""
    rows = [
        {"id": "fr", "text": ESCALATORY, "language": "fr"},
        {"id": "none", "text": ESCALATORY},
        {"id": "null", "text": ESCALATORY, "language": None},
        {"id": "empty", "text": ESCALATORY, "language": ""},
        {"id": "en", "text": ESCALATORY, "language": "en"},
        {"id": "upper", "text": ESCALATORY, "language": "EN"},
        {"id": "number", "text": ESCALATORY, "language": 7},
        {"id": "ru", "text": RUSSIAN},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_jsonl_rows_go_to_the_model_of_their_language(
    tmp_path: Path, tiny_model_path: Path, monkeypatch
) -> None:
    src = language_rows(tmp_path / "in.jsonl")
    code, rows, err = run(["--model", str(tiny_model_path), str(src)], monkeypatch=monkeypatch)
    assert code == 1 and "6 scored, 2 failed" in err  # unscored is not failed
    by_id = {r["id"]: r for r in rows}
    french = by_id["fr"]
    assert (french["score"], french["level"], french["language"]) == (None, "unscored", "fr")
    assert [w["code"] for w in french["warnings"]] == ["unsupported_language", "not_english"]
    assert french["phrases"] == [] and "error" not in french
    alone = Router.load(tiny_model_path).score(ESCALATORY).to_dict()
    for name in ("none", "null", "empty", "en"):  # detected (the first model) or asked for
        assert by_id[name]["language"] == "en" and by_id[name]["score"] == alone["score"]
    assert by_id["upper"]["error"] == BAD_CODE + "'EN'" and by_id["upper"]["line"] == 6
    assert by_id["number"]["error"] == BAD_CODE + "7"
    assert f"{src}:6: {BAD_CODE}'EN' (id upper)" in err
    russian = by_id["ru"]  # detected: no model reads it
    assert (russian["score"], russian["level"], russian["language"]) == (None, "unscored", "ru")


def test_language_option_is_for_rows_that_name_none(
    tmp_path: Path, tiny_model_path: Path, monkeypatch
) -> None:
    src = language_rows(tmp_path / "in.jsonl")
    model = ["--model", str(tiny_model_path)]
    code, rows, _ = run([*model, "--language", "fr", str(src)], monkeypatch=monkeypatch)
    assert code == 1
    languages = {r["id"]: r.get("language") for r in rows}
    assert languages == {
        "fr": "fr",
        "none": "fr",
        "null": "fr",
        "empty": "fr",
        "en": "en",
        "upper": None,
        "number": None,
        "ru": "fr",
    }
    assert [r["level"] for r in rows if r.get("language") == "fr"] == ["unscored"] * 5
    article = tmp_path / "article.txt"
    article.write_text(ESCALATORY, encoding="utf-8")
    code, [row], err = run([*model, "--language", "fr", str(article)], monkeypatch=monkeypatch)
    assert code == 0 and row["score"] is None and row["language"] == "fr"
    assert "1 scored, 0 failed" in err
    code, [row], _ = run([*model, "--language", "en", str(article)], monkeypatch=monkeypatch)
    assert code == 0 and row["language"] == "en" and row["score"] > 0.5


@pytest.mark.parametrize("code", ["EN", "fra", "e1"])
def test_a_malformed_language_option_exits_2(
    tiny_model_path: Path, monkeypatch, capsys, code: str
) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["--model", str(tiny_model_path), "--language", code])
    assert exc.value.code == 2
    assert f"--language: {BAD_CODE}{code!r}" in capsys.readouterr().err


def test_workers_route_each_row_as_one_process_does(
    tmp_path: Path, tiny_model_path: Path, monkeypatch
) -> None:
    src = language_rows(tmp_path / "in.jsonl")
    model = ["--model", str(tiny_model_path), "--language", "de"]
    _, serial, _ = run([*model, str(src)], monkeypatch=monkeypatch)
    _, parallel, _ = run([*model, "--workers", "2", str(src)], monkeypatch=monkeypatch)
    assert parallel == serial and serial[1]["language"] == "de"


def test_csv_language_column(tmp_path: Path, tiny_model_path: Path, monkeypatch) -> None:
    """A `language` column is read when present (an empty cell: detected); `--language-column`
    names another, which must then exist."""
    src = tmp_path / "rows.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(
            [
                ["id", "text", "language", "lang"],
                ["a", ESCALATORY, "fr", "en"],
                ["b", ESCALATORY, "", "fr"],
                ["c", ESCALATORY, "French", ""],
            ]
        )
    model = ["--model", str(tiny_model_path)]
    code, rows, err = run([*model, str(src)], monkeypatch=monkeypatch)
    assert code == 1 and "2 scored, 1 failed" in err
    assert [r.get("language") for r in rows] == ["fr", "en", None]
    assert rows[0]["level"] == "unscored" and rows[0]["score"] is None
    assert rows[2]["error"] == BAD_CODE + "'French'" and rows[2]["line"] == 4
    code, rows, _ = run([*model, "--language-column", "lang", str(src)], monkeypatch=monkeypatch)
    assert code == 0 and [r["language"] for r in rows] == ["en", "fr", "en"]
    argv = [*model, "--language-column", "tongue", str(src)]
    code, rows, err = run(argv, monkeypatch=monkeypatch)
    assert code == 2 and rows == [] and "no 'tongue' column" in err
    assert "--language-column NAME" in err


def test_parquet_language_column_and_null_scores(
    tmp_path: Path, tiny_model_path: Path, monkeypatch
) -> None:
    pd = pytest.importorskip("pandas", reason=NEEDS_FRAMES)
    pytest.importorskip("pyarrow", reason=NEEDS_FRAMES)
    src = tmp_path / "in.parquet"
    pd.DataFrame(
        {"id": ["a", "b", "c"], "text": [ESCALATORY] * 3, "language": ["fr", None, "xx1"]}
    ).to_parquet(src)
    out = tmp_path / "out.parquet"
    code, _, err = run(
        ["--model", str(tiny_model_path), str(src), "-o", str(out)], monkeypatch=monkeypatch
    )
    assert code == 1 and "2 scored, 1 failed" in err
    table = pd.read_parquet(out)
    assert list(table.columns) == list(cli.frames.OUTPUT_COLUMNS)
    assert table["language"].tolist()[:2] == ["fr", "en"] and pd.isna(table["language"][2])
    assert pd.isna(table.loc[0, "score"]) and table.loc[0, "level"] == "unscored"
    assert table.loc[1, "score"] > 0.5 and table.loc[2, "error"] == BAD_CODE + "'xx1'"


def test_csv_without_its_text_column_is_refused(
    tmp_path: Path, tiny_model_path: Path, monkeypatch
) -> None:
    src = tmp_path / "rows.csv"
    src.write_text(f"key,body\nk1,{ESCALATORY}\n", encoding="utf-8")
    code, rows, err = run(["--model", str(tiny_model_path), str(src)], monkeypatch=monkeypatch)
    assert code == 2 and rows == []
    assert f"{src}:1: no 'text' column in the header line: key,body" in err
    assert "--text-column" in err
    argv = ["--model", str(tiny_model_path), "--text-column", "body", "--id-column", "key"]
    code, rows, _ = run([*argv, str(src)], monkeypatch=monkeypatch)
    assert code == 0 and [r["id"] for r in rows] == ["k1"]
    # A named id column must exist too; the column options are refused where no CSV is read.
    code, _, err = run([*argv[:4], "--id-column", "ref", str(src)], monkeypatch=monkeypatch)
    assert code == 2 and f"{src}:1: no 'ref' column in the header line: key,body" in err
    jsonl = tmp_path / "rows.jsonl"
    jsonl.write_text(json.dumps({"text": ESCALATORY}) + "\n", encoding="utf-8")
    code, rows, err = run([*argv[:4], str(jsonl)], monkeypatch=monkeypatch)
    assert code == 2 and rows == [] and "--format csv" in err


def test_csv_by_suffix_by_format_and_on_stdin(
    tmp_path: Path, tiny_model_path: Path, monkeypatch
) -> None:
    data = f"text,id\n{ESCALATORY},x\n\n{ESCALATORY},\n"
    upper = tmp_path / "ROWS.CSV"
    upper.write_text(data, encoding="utf-8")
    notes = tmp_path / "rows.txt"
    notes.write_text(data, encoding="utf-8")
    model = ["--model", str(tiny_model_path)]
    _, by_suffix, _ = run([*model, str(upper)], monkeypatch=monkeypatch)
    _, as_text, _ = run([*model, str(notes)], monkeypatch=monkeypatch)
    _, by_format, _ = run([*model, "--format", "csv", str(notes)], monkeypatch=monkeypatch)
    code, from_stdin, _ = run([*model, "--format", "csv"], stdin=data, monkeypatch=monkeypatch)
    assert code == 0 and [r["id"] for r in by_suffix] == ["x", f"{upper}:4"]
    assert [r["id"] for r in by_format] == ["x", f"{notes}:4"]
    assert [r["id"] for r in from_stdin] == ["x", "-:4"]
    assert by_suffix[0]["score"] == by_format[0]["score"] == from_stdin[0]["score"]
    assert [r["id"] for r in as_text] == [str(notes)]  # .txt stays one plain-text document


def test_malformed_and_ragged_csv_records_are_error_rows(
    tmp_path: Path, tiny_model_path: Path, monkeypatch
) -> None:
    src = tmp_path / "rows.csv"
    src.write_text(
        f'id,text\na,{ESCALATORY}\nb,war,extra\nc,"peace\n\nd,"never closed\n', encoding="utf-8"
    )
    code, rows, err = run(["--model", str(tiny_model_path), str(src)], monkeypatch=monkeypatch)
    assert code == 1 and [r["id"] for r in rows] == ["a", f"{src}:3", f"{src}:4"]
    assert rows[1]["error"] == "expected 2 fields, found 3" and rows[1]["line"] == 3
    assert rows[2]["line"] == 4 and rows[2]["error"].startswith("malformed CSV: ")
    assert f"{src}:3: expected 2 fields, found 3" in err and "1 scored, 2 failed" in err


@pytest.mark.parametrize("name", ["rows.tsv", "book.xlsx", "page.html", "feed.xml"])
def test_structured_files_the_cli_does_not_read_are_refused(
    tmp_path: Path, tiny_model_path: Path, monkeypatch, name: str
) -> None:
    """Never one plain-text document by default: refused, naming the formats that are read;
    `--format text` still reads the file as one document when that is what is meant."""
    src = tmp_path / name
    src.write_text(f"id\ttext\nx\t{ESCALATORY}\n", encoding="utf-8")
    code, rows, err = run(["--model", str(tiny_model_path), str(src)], monkeypatch=monkeypatch)
    assert code == 2 and rows == []
    assert f"{src}: " in err and "CSV" in err and "JSON lines" in err and "--format text" in err
    argv = ["--model", str(tiny_model_path), "--format", "text", str(src)]
    code, rows, _ = run(argv, monkeypatch=monkeypatch)
    assert code == 0 and [r["id"] for r in rows] == [str(src)]


def test_a_file_without_suffix_is_one_plain_text_document(
    tmp_path: Path, tiny_model_path: Path, monkeypatch
) -> None:
    src = tmp_path / "README"
    src.write_text(f"id,text\nx,{ESCALATORY}\n", encoding="utf-8")
    code, rows, _ = run(["--model", str(tiny_model_path), str(src)], monkeypatch=monkeypatch)
    assert code == 0 and [r["id"] for r in rows] == [str(src)]


def test_parquet_is_not_read_from_stdin(tiny_model_path: Path, monkeypatch) -> None:
    argv = ["--model", str(tiny_model_path), "--format", "parquet"]
    code, rows, err = run(argv, stdin="PAR1 bytes", monkeypatch=monkeypatch)
    assert code == 2 and rows == [] and "Parquet" in err


def test_a_csv_pipe_is_read_once(tiny_model_path: Path, monkeypatch) -> None:
    """A named pipe (`<(zcat rows.csv.gz)`) cannot be read twice: its header is checked as it is
    read, and a bad one is an error row instead of a refusal."""
    argv = ["--model", str(tiny_model_path), "--format", "csv"]
    for data, expected in [(f"id,text\nx,{ESCALATORY}\n", ["x"]), ("id,body\nx,war\n", None)]:
        read_end, write_end = os.pipe()
        os.write(write_end, data.encode())
        os.close(write_end)
        try:
            code, rows, err = run([*argv, f"/dev/fd/{read_end}"], monkeypatch=monkeypatch)
        finally:
            os.close(read_end)
        if expected is not None:
            assert code == 0 and [r["id"] for r in rows] == expected
        else:
            assert code == 1 and rows[0]["error"].startswith("no 'text' column in the header")
            assert f"/dev/fd/{read_end}:1: no 'text' column" in err


def many_rows(path: Path, n: int = 700) -> Path:
    """A JSONL file of `n` rows (more than two batches) with one blank text."""
    texts = [ESCALATORY if i % 3 else f"Aid convoy number {i} arrived." for i in range(n)]
    texts[5] = " "
    path.write_text(
        "".join(json.dumps({"id": f"r{i}", "text": t}) + "\n" for i, t in enumerate(texts)),
        encoding="utf-8",
    )
    return path


def score_command(model: Path, *args: str) -> list[str]:
    """escalation-score as a process."""
    return [sys.executable, "-m", "model.cli", "--model", str(model), *args]


def environment(**changes: str) -> dict[str, str]:
    """This environment without `CI` (it would turn bars off whatever the stream) or the
    progress switch, plus `changes`."""
    env = {k: v for k, v in os.environ.items() if k not in ("CI", progress.ENV)}
    return {**env, **changes}


def run_on_terminal(argv: list[str], env: dict[str, str], stdout: Path) -> tuple[int, bytes]:
    """Run `argv` with stderr on a pseudo-terminal and stdout into a file: exit code and
    everything written to the terminal."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # rows, columns
    with stdout.open("wb") as out:
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=out, stderr=terminal, env=env
        )
    os.close(terminal)
    seen = []
    try:
        while chunk := os.read(controller, 65536):
            seen.append(chunk)
    except OSError:  # EIO: every writer has closed the terminal
        pass
    finally:
        os.close(controller)
    return proc.wait(timeout=120), b"".join(seen)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_piped_stderr_has_no_bar_and_stdout_is_unchanged(
    tmp_path: Path, tiny_model_path: Path, monkeypatch, workers: str
) -> None:
    src = many_rows(tmp_path / "in.jsonl")
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert cli.main(["--model", str(tiny_model_path), str(src)]) == 1
    argv = score_command(tiny_model_path, "--workers", workers, str(src))
    piped = subprocess.run(argv, capture_output=True, env=environment(), timeout=120, check=False)
    assert piped.returncode == 1 and piped.stdout == out.getvalue().encode("utf-8")
    err = piped.stderr.decode("utf-8")
    assert "\r" not in err and " rows/s" not in err and "\x1b" not in err
    assert err.splitlines() == [
        f"escalation-score: {src}:6: text is missing or blank (id r5)",
        "escalation-score: 512 rows done",
        "escalation-score: 700 rows done",
        "escalation-score: 699 scored, 1 failed",
    ]


def test_a_terminal_shows_a_bar_of_rows_and_stdout_is_unchanged(
    tmp_path: Path, tiny_model_path: Path, monkeypatch
) -> None:
    src = many_rows(tmp_path / "in.jsonl")
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert cli.main(["--model", str(tiny_model_path), str(src)]) == 1
    argv = score_command(tiny_model_path, "--workers", "2", str(src))
    code, shown = run_on_terminal(argv, environment(), tmp_path / "bar.jsonl")
    assert code == 1 and (tmp_path / "bar.jsonl").read_text(encoding="utf-8") == out.getvalue()
    text = shown.decode("utf-8")
    assert "escalation-score: " in text and " rows/s" in text  # the bar ...
    assert "rows done" not in text  # ... instead of the lines
    assert "text is missing or blank (id r5)\r\n" in text and "699 scored, 1 failed" in text
    argv = score_command(tiny_model_path, str(src))
    code, shown = run_on_terminal(argv, environment(CI="true"), tmp_path / "ci.jsonl")
    assert code == 1 and " rows/s" not in shown.decode("utf-8") and b"rows done" in shown
