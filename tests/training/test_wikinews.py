"""Tests of training.data.wikinews and training.data.annotation: articles, labels, the sample."""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from pathlib import Path

import pytest

from training.data.annotation import MIN_BODY, draw_sample, export, export_text, sample_tsv
from training.data.registry import REGISTRY, load_corpus
from training.data.sources import DataError
from training.data.wikinews import (
    LABELS_FILE,
    LABELS_HEADER,
    SOURCES,
    Article,
    labelled_examples,
    read_tosca,
    tosca_articles,
    wikinews_articles,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "data"
PATHS = {key: FIXTURES / key for key in SOURCES}
HEADER = "\t".join(LABELS_HEADER) + "\n"
THREAT = "vanatteveldt-2019:Examplia_recalls_its_ambassador,_threatens_sanctions"


def test_fixture_articles_ids_dates_and_cleaning():
    articles = {a.id: a for a in wikinews_articles(PATHS)}
    assert Counter(a.source for a in articles.values()) == {
        "tosca-politics": 3,
        "tosca-economy": 2,
        "vanatteveldt-2019": 2,
        "vanatteveldt-2020": 1,
    }
    dam = articles["tosca-politics:ID10"]
    assert dam.title == "Two neighbours trade threats over a river dam"
    assert dam.date == dt.date(2005, 1, 17)
    assert dam.body.startswith("The foreign minister of Examplia warned Sampleland on Monday that")
    assert "open, including force, if" in dam.body and "— in its words —" in dam.body
    assert "<text" not in dam.body and "''" not in dam.body and "&" not in dam.body
    assert "(a former banker)" in articles["tosca-economy:ID11"].body
    assert articles["tosca-politics:ID12"].date is None  # NA date
    threat = articles[THREAT]
    assert threat.body.startswith("Examplia recalled")  # dateline dropped
    assert threat.body.count("\n\n") == 1 and "\xa0" not in threat.body
    assert threat.text == f"{threat.title}\n\n{threat.body}"


def test_tosca_parser_on_an_in_memory_object():
    obj = {
        "meta": {"id": ["ID1"], "date": [0.0], "title": ["<title>A &amp; B</title>"]},
        "text": {"ID1": ["<text> First part , here . ==Reactions== Second ( part ) ."]},
    }
    [a] = tosca_articles(obj, "tosca-politics", "memory")
    body = "First part, here.\n\nReactions\n\nSecond (part)."
    assert a == Article("tosca-politics:ID1", "A & B", dt.date(1970, 1, 1), body)


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ({"text": {}}, "not a toscaData textmeta object"),
        ({"meta": {"id": ["X"], "date": [1.0], "title": ["t"]}, "text": {}}, "no text for id 'X'"),
    ],
)
def test_tosca_parser_errors(obj, message):
    with pytest.raises(DataError, match=message):
        list(tosca_articles(obj, "tosca-politics", "memory"))


def test_foreign_file_is_not_an_r_file(tmp_path):
    bad = tmp_path / "x.rda"
    bad.write_bytes(b"not R data")
    with pytest.raises(DataError, match="cannot read as an R data file"):
        read_tosca(bad, "tosca-politics")


def test_labels_agreed_only_with_the_documented_mapping():
    labels = HEADER + (
        "tosca-politics:ID10\tescalatory\tescalatory\tescalatory\n"
        "tosca-economy:ID20\tnot\tnot\tnot\n"
        f"{THREAT}\tmixed\tmixed\tmixed\n"
        "tosca-politics:ID11\t\tnot\tmixed\n"  # disagreement: not used
    )
    rows = list(labelled_examples(wikinews_articles(PATHS), labels, "labels.tsv"))
    assert [(e.group, e.label, e.topic, e.evaluate) for e in rows] == [
        ("tosca-politics:ID10", 1, "escalatory", True),
        ("tosca-economy:ID20", 0, "not", True),
        (THREAT, 1, "mixed", False),
    ]
    assert all(e.source == "wikinews" for e in rows)
    assert rows[0].text.startswith("Two neighbours trade threats over a river dam\n\nThe foreign")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("tosca-politics:ID99\tnot\tnot\tnot", "unknown article id"),
        ("tosca-politics:ID10\tnone\tnone\tnone", "label 'none' is not one of"),
        ("tosca-politics:ID10\tnot\tnot\tmixed", "do not both agree"),
        ("\tnot\tnot\tnot", "empty or repeated id"),
        ("tosca-politics:ID10\tnot\tnot", "expected 4 fields"),
    ],
)
def test_bad_labels_name_the_line(row, message):
    with pytest.raises(DataError, match=f"labels.tsv:2: .*{message}"):
        list(labelled_examples(wikinews_articles(PATHS), HEADER + row + "\n", "labels.tsv"))


def test_committed_labels_file_has_the_header():
    lines = LABELS_FILE.read_text(encoding="utf-8").splitlines()
    assert lines[0] == HEADER.rstrip("\n")
    sample = (LABELS_FILE.parent / "article-sample.tsv").read_text(encoding="utf-8").split()[1:]
    assert sorted(line.split("\t")[0] for line in lines[1:]) == sorted(sample)


def _article(source: str, n: int, length: int = MIN_BODY) -> Article:
    return Article(f"{source}:ID{n}", f"Title {n}", None, "x" * length)


def test_sample_rule_is_deterministic_deduplicated_and_mixed(monkeypatch):
    from training.data import annotation

    monkeypatch.setattr(annotation, "STRATA", ((("tosca-politics",), 3), (("tosca-economy",), 2)))
    articles = [_article("tosca-politics", n) for n in range(6)]
    articles += [_article("tosca-economy", n) for n in range(6)]
    articles += [_article("tosca-economy", 99, MIN_BODY - 1)]  # too short: never drawn
    sample = draw_sample(articles)
    assert draw_sample(list(reversed(articles))) == sample
    assert Counter(a.source for a in sample) == {"tosca-politics": 3, "tosca-economy": 2}
    meta_ids = [a.id.split(":")[1] for a in sample]
    assert len(set(meta_ids)) == 5 and "ID99" not in meta_ids  # one article never twice
    assert draw_sample(articles, seed="other") != sample
    assert sample_tsv(sample).splitlines() == ["id", *sorted(a.id for a in sample)]


def test_export_files_have_no_id_and_truncate(tmp_path):
    long = Article("tosca-politics:ID7", "A title", None, "word " * 2000)
    text = export_text(long, limit=100)
    assert text.startswith("A title\n\nword word") and "truncated here" in text
    assert "ID7" not in text and len(text) < 200
    export([long, _article("tosca-economy", 1)], tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["1.txt", "2.txt", "index.tsv"]
    assert (tmp_path / "index.tsv").read_text().splitlines()[1] == "1\ttosca-politics:ID7"


@pytest.mark.corpora
def test_real_articles_counts_and_the_committed_sample(tmp_path, monkeypatch):
    if not os.environ.get("ESCALATION_DATA_DIR"):
        pytest.skip("set ESCALATION_DATA_DIR to the corpus mirror to run the corpora tests")
    monkeypatch.setenv("ESCALATION_CACHE_DIR", str(tmp_path / "cache"))
    data = Path(os.environ["ESCALATION_DATA_DIR"])
    articles = wikinews_articles({f.path: data / f.path for f in REGISTRY["wikinews"].files})
    assert Counter(a.source for a in articles) == {
        "tosca-politics": 5000,
        "tosca-economy": 2327,
        "vanatteveldt-2019": 171,
        "vanatteveldt-2020": 124,
    }
    assert not any("<text" in a.body or " , " in a.body for a in articles)
    sample = draw_sample(articles)
    committed = (LABELS_FILE.parent / "article-sample.tsv").read_text(encoding="utf-8")
    assert sample_tsv(sample) == committed and len(sample) == 240
    src = load_corpus("wikinews")  # the committed labels, texts from the pinned files
    assert all(e.group in {a.id for a in sample} for e in src.examples)
    agreed = [r.split("\t")[1] for r in LABELS_FILE.read_text().splitlines()[1:]]
    assert len(src.examples) == sum(1 for label in agreed if label) == 225
    assert not (tmp_path / "cache").exists()
