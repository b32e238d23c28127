"""Tests of the Arabic and Spanish corpora: UN QuadClass in Arabic and Spanish, the Arabic event
GSR, the ANT articles, the Spanish news spreadsheets, and the per-language training sets."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import os
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from training.data import registry
from training.data.adapters import (
    ARABIC_GSR_ASSAULT,
    ARABIC_GSR_PROTEST,
    UNQUAD_AR,
    UNQUAD_ES,
    UNQUAD_IDS,
    arabic_gsr_examples,
    collapse,
    unquad_examples,
)
from training.data.ant import ant_articles, ant_examples
from training.data.fakenews import (
    FAKENEWS_DEVELOPMENT,
    FAKENEWS_TRAIN,
    article_text,
    fakenews_examples,
)
from training.data.fetch import corpus_files
from training.data.registry import (
    ANT_MANIFEST,
    DEFAULT_TRAINING,
    LANGUAGE_TRAINING,
    REGISTRY,
    ant_whole_articles,
    load_corpus,
    load_sources,
)
from training.data.sources import DataError, Example, SourceFile
from training.data.wikicurrent import is_heldout

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "data"
NOT_ENGLISH = (
    *("unquad-ar", "unquad-es", "arabic-gsr", "ant", "ant-heldout", "ant-heldout-titles"),
    *("ant-mixed", "fakenews-es", "fakenews-es-heldout", "fakenews-es-mixed"),
    *("pairs-ar", "pairs-es"),
)


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fixture_paths(name: str) -> dict[str, Path]:
    """The adapter input for a registered corpus with listed files, at the fixture files."""
    return {f.path: FIXTURES / f.path for f in REGISTRY[name].files}


def project_half(text: str) -> bool:
    """The reservation rule, restated here: sha256 of the stripped text ends in an even digit."""
    return int(hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[-1], 16) % 2 == 0


def copy_fixture(tmp_path: Path, key: str, edit=None) -> Path:
    """A copy of one fixture file in tmp_path, its lines edited by `edit` when given."""
    lines = (FIXTURES / key).read_text(encoding="utf-8").splitlines(keepends=True)
    target = tmp_path / key
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(edit(lines) if edit else lines), encoding="utf-8")
    return target


# --- registry -----------------------------------------------------------------------------


def test_language_training_sets():
    assert LANGUAGE_TRAINING == {
        "en": DEFAULT_TRAINING,
        "ar": ("unquad-ar", "arabic-gsr", "ant", "pairs-ar"),
        "es": ("unquad-es", "fakenews-es", "pairs-es"),
    }
    for language, names in LANGUAGE_TRAINING.items():
        assert all(REGISTRY[n].for_training and REGISTRY[n].language == language for n in names)
    assert {n: REGISTRY[n].language for n in NOT_ENGLISH} == {
        n: "es" if n.endswith("-es") or "fakenews" in n else "ar" for n in NOT_ENGLISH
    }
    assert {c.language for n, c in REGISTRY.items() if n not in NOT_ENGLISH} == {"en"}
    assert [n for n in NOT_ENGLISH if not REGISTRY[n].clean_licence] == ["arabic-gsr"]


def test_ant_package_manifest_is_pinned_and_shipped():
    assert ANT_MANIFEST.path.parent.name == "manifests"
    assert (
        sha256(ANT_MANIFEST.path)
        == ANT_MANIFEST.sha256
        == ("ee21dea475e4157b82d7fc9a67c4827d2df5f4c54dac9b3168c2fd18f3bbf1e8")
    )
    files = corpus_files(REGISTRY["ant"])
    assert len(files) == 10161 and len({f.path for f in files}) == 10161
    assert files[0].path == "ant/culture/JA-culture-1-20170120.txt"
    assert files[0].url == (
        "https://raw.githubusercontent.com/antcorpus/antcorpus.data/"
        "06f6a10e80c7a0e7aee0bba2f0a6372c35c45c83/culture/JA-culture-1-20170120.txt"
    )
    ant = ("ant", "ant-heldout", "ant-heldout-titles", "ant-mixed")
    assert {REGISTRY[n].manifest for n in ant} == {ANT_MANIFEST}
    assert REGISTRY["ant"].provenance() == (SourceFile("ant/MANIFEST.sha256", ANT_MANIFEST.sha256),)


# --- UN QuadClass in Arabic and Spanish ---------------------------------------------------


@pytest.mark.parametrize(
    ("name", "first", "fourth"),
    [
        (
            "unquad-es",
            "Grupos armados bombardearon las aldeas del norte y mataron a 12 civiles.",
            "El Consejo acoge con beneplácito el acuerdo firmado en Ginebra.",
        ),
        (
            "unquad-ar",
            "قصفت جماعات مسلحة القرى الشمالية وقتلت 12 مدنيا.",
            "يرحب المجلس بالاتفاق الموقع في جنيف.",
        ),
    ],
)
def test_unquad_languages_join_the_ids_row_for_row(name, first, fourth):
    rows = list(REGISTRY[name].adapter(fixture_paths(name)))
    english = list(REGISTRY["unquad"].adapter({**fixture_paths("unquad")}))
    # the same rows, groups and labels as English: documents up to 2010 only
    assert [(r.group, r.label) for r in rows] == [(r.group, r.label) for r in english]
    assert [r.group for r in rows] == [
        *("2005/s/2005/101", "2005/s/2005/101", "2005/s/2005/102"),
        *("2009/s/prst/2009/9", "2009/s/prst/2009/9"),
    ]
    assert rows[0].text == first and rows[3].text == fourth  # whitespace collapsed
    assert {r.source for r in rows} == {name}
    assert REGISTRY[name].files[1].path == UNQUAD_IDS


@pytest.fixture
def garbage_reserved(tmp_path):
    """unquad-es inputs whose reserved 2014 row has a garbage label (in both files) and a blank
    text."""
    return {
        UNQUAD_ES: copy_fixture(tmp_path, UNQUAD_ES, lambda ls: [*ls[:-1], "   \tX?\n"]),
        UNQUAD_IDS: copy_fixture(
            tmp_path, UNQUAD_IDS, lambda ls: [*ls[:-1], ls[-1].replace("\t4\n", "\tX?\n")]
        ),
    }


def test_unquad_reserved_row_label_is_not_even_compared(tmp_path):
    """The join check reads the labels of the rows the project may read only: a reserved (2011)
    row whose label differs between the two files goes unnoticed."""
    paths = {
        UNQUAD_ES: copy_fixture(
            tmp_path, UNQUAD_ES, lambda ls: [*ls[:-2], ls[-2].replace("\t1\n", "\t3\n"), ls[-1]]
        ),
        UNQUAD_IDS: FIXTURES / UNQUAD_IDS,
    }
    got = list(unquad_examples(paths, language="es"))
    assert got == list(REGISTRY["unquad-es"].adapter(fixture_paths("unquad-es")))


def test_unquad_reserved_row_label_and_text_are_never_used(garbage_reserved):
    got = list(unquad_examples(garbage_reserved, language="es"))
    assert got == list(REGISTRY["unquad-es"].adapter(fixture_paths("unquad-es")))
    assert not any("conversaciones" in r.text or "convoy" in r.text for r in got)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda ls: ls[:-1], r"cannot join: 6 rows vs 7 rows"),
        (
            lambda ls: [ls[0], ls[1].replace("\t1\n", "\t2\n"), *ls[2:]],
            r"es_annotations_quad_multiclass\.tsv \+ .*: data row 1: QuadClass differs",
        ),
        (
            lambda ls: ["texto\tQuadClass\n", *ls[1:]],
            r"es_annotations_quad_multiclass\.tsv:1: missing column 'es'",
        ),
        (
            lambda ls: [ls[0], "\t1\n", *ls[2:]],
            r"es_annotations_quad_multiclass\.tsv:2: blank text",
        ),
    ],
)
def test_unquad_language_bad_input_names_the_file(tmp_path, edit, message):
    paths = {UNQUAD_ES: copy_fixture(tmp_path, UNQUAD_ES, edit), UNQUAD_IDS: FIXTURES / UNQUAD_IDS}
    rows = unquad_examples(paths, language="es")
    with pytest.raises(DataError, match=message):
        next(rows)  # the whole join is checked before anything is yielded


def test_unquad_language_bad_label_of_a_project_row(tmp_path):
    def edit(lines):
        return [*lines[:3], lines[3].replace("\t2\n", "\tX\n"), *lines[4:]]

    paths = {key: copy_fixture(tmp_path, key, edit) for key in (UNQUAD_ES, UNQUAD_IDS)}
    with pytest.raises(DataError, match=r"es_annotations_quad_multiclass\.tsv:4: bad QuadClass"):
        list(unquad_examples(paths, language="es"))


def test_unquad_unknown_language():
    with pytest.raises(ValueError, match="language"):
        list(unquad_examples(fixture_paths("unquad-es"), language="fr"))


# --- Arabic event GSR ---------------------------------------------------------------------


def read_gsr(key: str, root: Path = FIXTURES) -> list[dict[str, str]]:
    """The rows of one GSR file, read directly."""
    with (root / key).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_arabic_gsr_labels_groups_and_topics():
    got = list(REGISTRY["arabic-gsr"].adapter(fixture_paths("arabic-gsr")))
    assert [(r.label, r.group, r.topic) for r in got] == [
        (1, "AAW_ARB_20990101.0001", "ASSAULT"),
        (0, "AAW_ARB_20990101.0001", "ASSAULT"),
        (0, "AAW_ARB_20990102.0003", "ASSAULT"),
        (1, "e6874d82b9c4d010635600000000000000000000aa", "PROTEST"),
        # two documents sharing a sentence are one group
        (0, "AAW_ARB_20990103.0002", "PROTEST"),
        (0, "AAW_ARB_20990103.0002", "PROTEST"),
        # the assault file's document, shared by the protest file
        (0, "AAW_ARB_20990102.0003", "PROTEST"),
    ]
    assert {r.source for r in got} == {"arabic-gsr"} and all(r.evaluate for r in got)
    assert got[0].text == "قصفت مدفعية روريتانيا قرية حدودية في سيلفانيا وقتلت 4 مدنيين."


def test_arabic_gsr_never_yields_a_reserved_row():
    rows = [r for key in (ARABIC_GSR_ASSAULT, ARABIC_GSR_PROTEST) for r in read_gsr(key)]
    reserved = {collapse(r["text"]) for r in rows if not project_half(r["text"])}
    mine = [r for r in rows if project_half(r["text"])]
    assert len(reserved) == 3 and len(mine) == 9  # the fixture has both halves
    got = list(REGISTRY["arabic-gsr"].adapter(fixture_paths("arabic-gsr")))
    assert not {r.text for r in got} & reserved
    assert [r.text for r in got] == [
        collapse(r["text"]) for r in mine if r["label"] in ("yes", "easy no")
    ]
    # a reserved row's garbage label is never even read
    assert any(r["label"] == "garbage!!" and not project_half(r["text"]) for r in rows)


def test_arabic_gsr_unclear_answers_per_the_registry_constant(monkeypatch):
    assert registry.ARABIC_GSR_UNCLEAR == "drop"
    dropped = list(REGISTRY["arabic-gsr"].adapter(fixture_paths("arabic-gsr")))
    monkeypatch.setattr(registry, "ARABIC_GSR_UNCLEAR", "negative")
    kept = list(REGISTRY["arabic-gsr"].adapter(fixture_paths("arabic-gsr")))
    assert len(kept) == len(dropped) + 2  # difficult no, ambiguous
    assert {r.label for r in kept if r not in dropped} == {0}
    with pytest.raises(ValueError, match="unclear"):
        list(arabic_gsr_examples(fixture_paths("arabic-gsr"), unclear="maybe"))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace(",yes,", ",YES!,", 1), r"assault_gsr\.csv:2: bad label 'YES!'"),
        (
            lambda t: t.replace(
                "ASSAULT,AAW_ARB_20990101.0001-2", "PROTEST,AAW_ARB_20990101.0001-2"
            ),
            r"assault_gsr\.csv:3: event_type 'PROTEST', expected 'ASSAULT'",
        ),
        (
            lambda t: t.replace("AAW_ARB_20990102.0003-4", "AAW_ARB_20990102"),
            r"assault_gsr\.csv:7: bad id 'AAW_ARB_20990102' or blank text",
        ),
        (lambda t: t.replace(",text,", ",sentence,"), r"assault_gsr\.csv:1: missing column 'text'"),
        (lambda t: t + '7,1,ASSAULT,"AAW-1,yes\n', r"assault_gsr\.csv:\d+: malformed CSV"),
    ],
)
def test_arabic_gsr_bad_input_names_the_line(tmp_path, edit, message):
    paths = fixture_paths("arabic-gsr")
    bad = tmp_path / ARABIC_GSR_ASSAULT
    bad.parent.mkdir(parents=True)
    bad.write_text(edit((FIXTURES / ARABIC_GSR_ASSAULT).read_text(encoding="utf-8")))
    with pytest.raises(DataError, match=message):
        list(REGISTRY["arabic-gsr"].adapter({**paths, ARABIC_GSR_ASSAULT: bad}))


# --- ANT ----------------------------------------------------------------------------------

ANT_FIXTURES = {str(p.relative_to(FIXTURES)): p for p in sorted(FIXTURES.glob("ant/*/*.txt"))}


def ant_fixture_corpus(name: str, root: Path = FIXTURES):
    """A registered ANT corpus pinned by the fixture manifest under `root`."""
    path = root / "ant" / "MANIFEST.sha256"
    manifest = dataclasses.replace(ANT_MANIFEST, path=path, sha256=sha256(path))
    return dataclasses.replace(REGISTRY[name], manifest=manifest)


def test_ant_parts_split_by_docno_and_keep_copies_together(tmp_path):
    loaded = {
        n: load_corpus(ant_fixture_corpus(n), data_dir=FIXTURES, cache_dir=tmp_path)
        for n in ("ant", "ant-heldout", "ant-heldout-titles", "ant-mixed")
    }
    rows = {n: src.examples for n, src in loaded.items()}
    # a training article is its title and sentences, each a row in the article's group
    assert [(e.group, e.topic) for e in rows["ant"]] == [
        ("JA-economy-1-20990101", "economy"),
        *[("JA-sport-1-20990101", "sport")] * 3,
    ]
    # sport-3 repeats culture-1's body: it takes culture-1's group, and its part
    held = [
        ("JA-culture-1-20990101", "culture"),
        ("JA-sport-2-20990101", "sport"),
        ("JA-culture-1-20990101", "sport"),
    ]
    assert [(e.group, e.topic) for e in rows["ant-heldout"]] == held
    assert [(e.group, e.topic) for e in rows["ant-heldout-titles"]] == held
    assert [e.text for e in rows["ant-heldout-titles"]] == [
        e.text.split("\n\n")[0] for e in rows["ant-heldout"]
    ]
    assert all(is_heldout(e.group) for n in ("ant-heldout", "ant-heldout-titles") for e in rows[n])
    assert not any(is_heldout(e.group) for e in rows["ant"])
    # the mixed categories: unlabelled, never scored; the DOCNO is the file's name even where
    # the <DOCNO> tag is cut short ("92"), <CAT> and <SRC> may be missing
    assert [(e.group, e.topic, e.evaluate) for e in rows["ant-mixed"]] == [
        ("JA-localNews-608-11012099", "localNews", False),
        ("JA-politic-92-20990201", "politic", False),
    ]
    assert all(e.label == 0 for src in rows.values() for e in src)
    assert all(e.source == n for n, src in rows.items() for e in src)
    assert all(r.evaluate for n in ("ant", "ant-heldout", "ant-heldout-titles") for r in rows[n])
    assert loaded["ant"].files == (
        SourceFile("ant/MANIFEST.sha256", sha256(FIXTURES / "ant" / "MANIFEST.sha256")),
    )
    assert list(tmp_path.iterdir()) == []


def test_ant_text_is_title_blank_line_body_and_trains_as_title_and_sentences():
    sport, economy = (
        next(a for a in ant_articles(ANT_FIXTURES) if a.category == t) for t in ("sport", "economy")
    )
    # whitespace collapsed within lines (no-break space too), blank lines dropped, line breaks
    # kept; "&" and "<" are text (the files are not XML)
    assert sport.text == (
        "فوز الترجي على النادي الصفاقسي\n\n"
        "فاز الفريق الأول على منافسه بنتيجة 3 - 1 مساء أمس.\n"
        "وقال المدرب إن الفوز مستحق & إن اللاعبين < كانوا في أفضل حالاتهم."
    )
    assert economy.text == "ارتفاع صادرات التمور بنسبة 24 بالمائة"  # no body: the title alone
    # trained as its title and sentences; the same articles whole as the part "articles"
    rows = list(ant_examples(ANT_FIXTURES, part="train", source="ant"))
    assert [e.text for e in rows] == [
        economy.text,
        "فوز الترجي على النادي الصفاقسي",
        "فاز الفريق الأول على منافسه بنتيجة 3 - 1 مساء أمس.",
        "وقال المدرب إن الفوز مستحق & إن اللاعبين < كانوا في أفضل حالاتهم.",
    ]
    whole = list(ant_examples(ANT_FIXTURES, part="articles", source="ant"))
    assert [e.text for e in whole] == [economy.text, sport.text]
    assert [e.group for e in whole] == ["JA-economy-1-20990101", "JA-sport-1-20990101"]


def test_ant_tampered_article_is_refused(tmp_path):
    shutil.copytree(FIXTURES / "ant", tmp_path / "mirror" / "ant")
    article = tmp_path / "mirror" / "ant" / "sport" / "JA-sport-2-20990101.txt"
    article.write_text(article.read_text(encoding="utf-8").replace("32", "33"), encoding="utf-8")
    with pytest.raises(DataError, match=r"JA-sport-2-20990101\.txt: checksum mismatch"):
        load_corpus(ant_fixture_corpus("ant"), data_dir=tmp_path / "mirror", cache_dir=tmp_path)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("</TEXT>", ""), r"JA-sport-2-20990101\.txt:12: <TEXT> not closed"),
        (lambda t: t.replace("<TITLE>", "<HEAD>"), r"JA-sport-2-20990101\.txt:1: <TITLE> missing"),
        (
            lambda t: t + "\n<DOC>\n<TITLE>x</TITLE>\n</DOC>",
            r"JA-sport-2-20990101\.txt:16: a second <DOC>",
        ),
        (
            lambda t: t.replace("<CAT>sport", "<CAT>politic"),
            r"JA-sport-2-20990101\.txt:5: <CAT> 'politic' in folder 'sport'",
        ),
        (
            lambda t: re.sub(r"<TITLE>.*</TITLE>", "<TITLE> </TITLE>", t).replace(
                re.search(r"<TEXT>(.*)</TEXT>", t, re.S).group(1), "\n"
            ),
            r"JA-sport-2-20990101\.txt:6: neither a title nor a text",
        ),
    ],
)
def test_ant_malformed_article_names_the_line(tmp_path, edit, message):
    key = "ant/sport/JA-sport-2-20990101.txt"
    bad = tmp_path / "JA-sport-2-20990101.txt"
    bad.write_text(edit((FIXTURES / key).read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(DataError, match=message):
        list(ant_examples({**ANT_FIXTURES, key: bad}, part="heldout", source="ant-heldout"))


def test_ant_foreign_file_and_encoding_are_refused(tmp_path):
    bad = tmp_path / "x.txt"
    bad.write_bytes(b"<DOC>\xff</DOC>")
    with pytest.raises(DataError, match=r"x\.txt: cannot read as utf-8"):
        list(ant_examples({"ant/sport/JA-sport-9-1.txt": bad}, part="train", source="ant"))
    with pytest.raises(DataError, match=r"not an article of a known category \(ant/weather/"):
        list(ant_examples({"ant/weather/JA-w-1-1.txt": bad}, part="train", source="ant"))
    with pytest.raises(ValueError, match="part"):
        list(ant_examples(ANT_FIXTURES, part="all", source="ant"))  # type: ignore[arg-type]


# --- Spanish news -------------------------------------------------------------------------

HEADER = ("Id", "Category", "Topic", "Source", "Headline", "Text", "Link")


def article(n: int, topic: str, headline: str, text: str) -> tuple[object, ...]:
    """A spreadsheet row (Id, Category, Topic, Source, Headline, Text, Link)."""
    return (n, "True", topic, "El Diario", headline, text, f"https://diario.invalid/{n}")


HOSPITAL = "Un hospital con *NUMBER* camas abrió sus puertas."
SHEETS = {
    FAKENEWS_TRAIN: [
        article(
            1, "Sport", "Gana el equipo local", "Gana el equipo local\nEl  equipo ganó.\n\nFiesta."
        ),
        article(2, "Science", "Hallan agua en la Luna", "Hallan agua en la Luna Lo dice la NASA."),
        article(3, "Politics", "Aprueban el presupuesto", "Aprueban el presupuesto\nDe madrugada."),
        article(4, "Health", "Abre un nuevo hospital", HOSPITAL),
        article(5, "Education", "Vuelven las clases", "Vuelven las clases\nEl lunes."),
    ],
    FAKENEWS_DEVELOPMENT: [
        article(1, "Security", "Detienen a dos", "Detienen a dos\nTras un robo."),  # Id again
        article(2, "Society", "Un hospital para todos", HOSPITAL),  # train.xlsx's 4th text
        article(3, "Entertainment", "Estrena su película", "Estrena su película el viernes."),
        article(4, "Economy", "Sube el peso", "Sube el peso\nFrente al dólar."),
    ],
}


def write_sheet(path: Path, rows, header=HEADER) -> Path:
    """A spreadsheet like the corpus's: one sheet, a header row, then the rows."""
    import openpyxl

    path.parent.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Hoja de datos"
    for row in (header, *rows):
        sheet.append(list(row))
    book.save(path)
    return path


@pytest.fixture
def sheets(tmp_path):
    """The adapter input: the two spreadsheets written into tmp_path."""
    return {key: write_sheet(tmp_path / key, rows) for key, rows in SHEETS.items()}


def test_fakenews_parts_topics_and_groups(sheets):
    parts = {
        p: list(fakenews_examples(sheets, part=p, source=f"s-{p}"))
        for p in ("train", "heldout", "mixed")
    }
    ordinary = [e for p in ("train", "heldout") for e in parts[p]]
    assert sorted(e.topic for e in ordinary) == sorted(
        ("Sport", "Science", "Health", "Education", "Society", "Entertainment", "Economy")
    )
    assert len(parts["heldout"]) == 1 and len(parts["train"]) == 6
    assert all(is_heldout(e.group) for e in parts["heldout"])
    assert not any(is_heldout(e.group) for e in parts["train"])
    assert [(e.topic, e.evaluate, e.label) for e in parts["mixed"]] == [
        ("Politics", False, 0),
        ("Security", False, 0),
    ]
    assert all(e.label == 0 and e.evaluate for e in ordinary)
    # Ids restart in each file: the group is the text's, so the repeated text shares one
    groups = Counter(e.group for p in parts.values() for e in p)
    assert sorted(groups.values()) == [1, 1, 1, 1, 1, 1, 1, 2]
    health, society = (next(e for e in ordinary if e.topic == t) for t in ("Health", "Society"))
    assert health.group == society.group and health.group.startswith("fakenews-es/")


@pytest.mark.parametrize(
    ("headline", "text", "expected"),
    [
        # the text usually repeats the headline on its first line: said once
        (
            "Gana el  equipo",
            "Gana el equipo\nGanó  2-1.\n\nFiesta.",
            "Gana el equipo\n\nGanó 2-1.\nFiesta.",
        ),
        # a first line that runs on (the headline cut short, or no line break) is kept whole
        (
            "Hallan agua",
            "Hallan agua en la Luna\nLo dice la NASA.",
            "Hallan agua\n\nHallan agua en la Luna\nLo dice la NASA.",
        ),
        ("Abre un hospital", "Un hospital abrió.", "Abre un hospital\n\nUn hospital abrió."),
        ("Solo el titular", "Solo el titular", "Solo el titular"),
    ],
)
def test_fakenews_article_text(headline, text, expected):
    assert article_text(headline, text) == expected


def test_fakenews_bad_input_names_the_row(tmp_path, sheets):
    bad_topic = [(*SHEETS[FAKENEWS_TRAIN][0][:2], "Weather", *SHEETS[FAKENEWS_TRAIN][0][3:])]
    paths = {**sheets, FAKENEWS_TRAIN: write_sheet(tmp_path / "bad" / "t.xlsx", bad_topic)}
    with pytest.raises(DataError, match=r"t\.xlsx:2: unknown topic 'Weather'"):
        list(fakenews_examples(paths, part="train", source="fakenews-es"))
    blank = [(*SHEETS[FAKENEWS_TRAIN][1][:5], None, "x")]
    paths = {**sheets, FAKENEWS_DEVELOPMENT: write_sheet(tmp_path / "bad" / "d.xlsx", blank)}
    with pytest.raises(DataError, match=r"d\.xlsx:2: blank text \(Id '2'\)"):
        list(fakenews_examples(paths, part="train", source="fakenews-es"))
    no_text = write_sheet(tmp_path / "bad" / "n.xlsx", [], header=HEADER[:5])
    with pytest.raises(DataError, match=r"n\.xlsx:1: missing column 'Text'"):
        list(fakenews_examples({**sheets, FAKENEWS_TRAIN: no_text}, part="mixed", source="m"))
    not_xlsx = tmp_path / "bad" / "x.xlsx"
    not_xlsx.write_text("Id,Topic\n")
    with pytest.raises(DataError, match=r"x\.xlsx: cannot read as \.xlsx"):
        list(fakenews_examples({**sheets, FAKENEWS_TRAIN: not_xlsx}, part="train", source="f"))


def test_fakenews_loads_from_a_mirror(tmp_path, sheets):
    pinned = tuple(
        dataclasses.replace(f, sha256=sha256(sheets[f.path])) for f in REGISTRY["fakenews-es"].files
    )
    corpus = dataclasses.replace(REGISTRY["fakenews-es-mixed"], files=pinned)
    src = load_corpus(corpus, data_dir=tmp_path, cache_dir=tmp_path / "cache")
    assert src.n_rows == 2 and src.files == tuple(SourceFile(f.path, f.sha256) for f in pinned)
    assert not (tmp_path / "cache").exists()


# --- the real corpora ---------------------------------------------------------------------


@pytest.mark.corpora
class TestRealCorpora:
    """Reads the real files from ESCALATION_DATA_DIR; checksums must verify."""

    @pytest.fixture(autouse=True)
    def _mirror(self, tmp_path, monkeypatch):
        if not os.environ.get("ESCALATION_DATA_DIR"):
            pytest.skip("set ESCALATION_DATA_DIR to the corpus mirror to run the corpora tests")
        monkeypatch.setenv("ESCALATION_CACHE_DIR", str(tmp_path / "cache"))
        self.cache = tmp_path / "cache"
        self.mirror = Path(os.environ["ESCALATION_DATA_DIR"])

    @pytest.mark.parametrize(
        ("name", "rows", "positives", "groups"),
        [
            ("unquad-ar", 3807, 1551, 499),
            ("unquad-es", 3807, 1551, 499),
            ("arabic-gsr", 2165, 216, 1821),
            ("ant", 12272, 0, 2653),
            ("ant-heldout", 865, 0, 851),
            ("ant-heldout-titles", 860, 0, 846),
            ("ant-mixed", 6606, 0, 6489),
            ("fakenews-es", 447, 0, 445),
            ("fakenews-es-heldout", 159, 0, 158),
            ("fakenews-es-mixed", 365, 0, 363),
        ],
    )
    def test_counts_and_language(self, name, rows, positives, groups):
        import py3langid

        src = load_corpus(name)
        examples = src.examples
        assert (src.n_rows, sum(e.label for e in examples)) == (rows, positives)
        assert len({e.group for e in examples}) == groups
        assert all(e.group and e.text and e.source == name for e in examples)
        assert all(e.evaluate != name.endswith("-mixed") for e in examples)
        assert src.files == REGISTRY[name].provenance()
        languages = Counter(py3langid.classify(e.text)[0] for e in examples[::10])
        assert languages.most_common(1)[0][0] == REGISTRY[name].language
        assert languages[REGISTRY[name].language] >= 0.97 * sum(languages.values())
        assert not self.cache.exists()  # served from the mirror, nothing downloaded

    @pytest.mark.parametrize("language", ["ar", "es"])
    def test_unquad_never_yields_reserved_years(self, language):
        rows = load_corpus(f"unquad-{language}").examples
        assert max(int(e.group.split("/", 1)[0]) for e in rows) <= 2010
        with (self.mirror / UNQUAD_IDS).open(encoding="utf-8", newline="") as fh:
            ids = [r["id"] for r in csv.DictReader(fh, delimiter="\t")]
        key = UNQUAD_AR if language == "ar" else UNQUAD_ES
        with (self.mirror / key).open(encoding="utf-8", newline="") as fh:
            texts = [collapse(r[language]) for r in csv.DictReader(fh, delimiter="\t")]
        reserved = {t for i, t in zip(ids, texts, strict=True) if int(i[:4]) >= 2011}
        assert len(reserved) == 2172
        assert not {e.text for e in rows} & reserved
        assert [e.text for e in rows] == [
            t for i, t in zip(ids, texts, strict=True) if int(i[:4]) < 2011
        ]

    def test_arabic_gsr_is_the_project_half_only(self):
        rows = load_corpus("arabic-gsr").examples
        raw = [
            r
            for key in (ARABIC_GSR_ASSAULT, ARABIC_GSR_PROTEST)
            for r in read_gsr(key, self.mirror)
        ]
        reserved = {collapse(r["text"]) for r in raw if not project_half(r["text"])}
        assert len(reserved) > 2800
        assert not {e.text for e in rows} & reserved
        assert Counter(e.topic for e in rows) == {"ASSAULT": 1274, "PROTEST": 891}
        texts = Counter(e.text for e in rows)
        by_text = {e.text: e.group for e in rows}
        assert all(by_text[e.text] == e.group for e in rows)  # copies share a group
        assert sum(n > 1 for n in texts.values()) == 17

    def test_ant_split_and_texts(self):
        train = load_corpus("ant").examples
        held = load_corpus("ant-heldout").examples
        mixed = load_corpus("ant-mixed").examples
        assert not {e.group for e in train} & {e.group for e in held}
        whole = load_corpus(ant_whole_articles()).examples
        assert {e.group for e in whole} == {e.group for e in train}
        assert 0.2 < len(held) / (len(whole) + len(held)) < 0.3
        assert Counter(e.topic for e in (*whole, *held)) == {
            "sport": 1460,
            "society": 1087,
            "diverse": 475,
            "economy": 326,
            "culture": 124,
            "technology": 83,
        }
        titles = load_corpus("ant-heldout-titles").examples
        assert {e.text for e in titles} <= {e.text.split("\n\n")[0] for e in held}
        assert not {e.text for e in titles} & {e.text for e in train}
        assert Counter(e.topic for e in mixed) == {
            "localNews": 4832,
            "internationalNews": 1260,
            "politic": 514,
        }
        with_body = [e for e in held if "\n\n" in e.text]
        assert len(with_body) > 0.99 * len(held)
        assert not any("\n" in e.text for e in train)  # a title or a sentence each
        assert not any("<" + tag in e.text for e in train for tag in ("TEXT", "TITLE", "DOC"))

    def test_load_sources_of_each_language(self):
        for language in ("ar", "es"):
            loaded = load_sources(LANGUAGE_TRAINING[language])
            assert [s.name for s in loaded] == list(LANGUAGE_TRAINING[language])
            assert all(isinstance(e, Example) for s in loaded for e in s.examples)
