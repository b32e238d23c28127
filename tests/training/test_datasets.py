"""Tests of training.data: corpus adapters, pinned-file resolution, user files, the registry."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import os
import re
import shutil
import time
from collections import Counter
from pathlib import Path

import pytest

from training.data import fetch, registry
from training.data.adapters import (
    CAMEO_CODES,
    MULTICOPED_TRAIN,
    NGEC_STORIES,
    UNQUAD_EN,
    UNQUAD_IDS,
    UNSCON_UNITS,
    title_and_sentences,
    unquad_examples,
)
from training.data.fetch import cache_dir_from_env, corpus_files, data_dir_from_env, resolve_file
from training.data.provenance import check_cut, pinned_files
from training.data.registry import (
    DEFAULT_TRAINING,
    REGISTRY,
    WIKICURRENT_MANIFEST,
    load_corpus,
    load_sources,
    scored_rows_only,
)
from training.data.sources import DataError, Example, LoadedSource, Manifest, RemoteFile, SourceFile
from training.data.userdata import load_user_file

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "data"


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fixture_paths(name: str) -> dict[str, Path]:
    """The adapter input for a registered corpus, pointing at the fixture files."""
    return {f.path: FIXTURES / f.path for f in REGISTRY[name].files}


def run(name: str) -> list[Example]:
    """Run a registered corpus' adapter over its fixtures."""
    return list(REGISTRY[name].adapter(fixture_paths(name)))


def copy_unquad(tmp_path: Path, en_edit=None, ids_edit=None) -> dict[str, Path]:
    """Copy the unquad fixtures into tmp_path, optionally editing each file's lines."""
    out = {}
    for key, edit in ((UNQUAD_EN, en_edit), (UNQUAD_IDS, ids_edit)):
        lines = (FIXTURES / key).read_text(encoding="utf-8").splitlines(keepends=True)
        target = tmp_path / key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("".join(edit(lines) if edit else lines), encoding="utf-8")
        out[key] = target
    return out


# --- registry -----------------------------------------------------------------------------


WIKI = ["wikicurrent", "wikiconflict", "wikicurrent-heldout", "wikiconflict-heldout"]
FIXTURE_MANIFEST = FIXTURES / "wikicurrent" / "MANIFEST.sha256"


def fixture_manifest(
    path: Path = FIXTURE_MANIFEST, manifest: Manifest = WIKICURRENT_MANIFEST
) -> Manifest:
    """A manifest (wikicurrent's unless given) pointed at fixture files (and their list's hash)."""
    return dataclasses.replace(manifest, path=path, sha256=sha256(path))


def test_registry_names_order_and_defaults():
    assert list(REGISTRY) == [
        *("unscon", "cameo", "ngec", "petrarch", "unquad", "multicoped", "pairs", *WIKI),
        "wikinews",
        *("unquad-ar", "unquad-es", "arabic-gsr", "ant", "ant-heldout", "ant-heldout-titles"),
        *("ant-mixed", "fakenews-es", "fakenews-es-heldout", "fakenews-es-mixed"),
        *("pairs-ar", "pairs-es"),
    ]
    assert DEFAULT_TRAINING == (
        *("unscon", "cameo", "ngec", "unquad", *WIKI[:2], "multicoped", "pairs"),
    )
    assert registry.public_corpora([*DEFAULT_TRAINING, "user.csv"]) == DEFAULT_TRAINING[:-1]
    assert [n for n, c in REGISTRY.items() if not c.for_training] == [
        *("petrarch", *WIKI[2:], "wikinews", "ant-heldout", "ant-heldout-titles", "ant-mixed"),
        *("fakenews-es-heldout", "fakenews-es-mixed"),
    ]
    assert REGISTRY["wikinews"].licence == "CC BY 2.5 (Wikinews); toscaData CC BY 4.0"
    assert REGISTRY["unscon"].licence == "CC BY-SA 4.0"
    assert {REGISTRY[n].licence for n in ("cameo", "ngec", "petrarch", "unquad")} == {"MIT"}
    assert REGISTRY["pairs"].licence == "MIT (the project's own)"
    assert REGISTRY["multicoped"].licence.startswith("unclear")
    assert all(REGISTRY[n].licence.startswith("CC BY-SA 4.0 (Wikipedia") for n in WIKI)


@pytest.mark.parametrize("name", list(REGISTRY))
def test_registry_clean_licence_flag(name):
    corpus = REGISTRY[name]
    assert corpus.clean_licence == corpus.licence.startswith(("MIT", "Apache-2.0", "CC "))


@pytest.mark.parametrize("name", list(REGISTRY))
def test_registry_files_are_pinned(name):
    corpus = REGISTRY[name]
    assert corpus.name == name and corpus.description and "\n" not in corpus.description
    raw = re.compile(r"https://raw\.githubusercontent\.com/[\w.-]+/[\w.-]+/[0-9a-f]{40}/\S+")
    files = corpus_files(corpus)
    assert files or corpus.project_files
    for f in corpus.project_files:  # the project's own: shipped in the package, pinned the same
        assert f.path.is_file() and f.path.as_posix().endswith(f.name)
        assert sha256(f.path) == f.sha256
    for f in files:
        assert raw.fullmatch(f.url), f.url
        assert re.fullmatch(r"[0-9a-f]{64}", f.sha256)
        if corpus.manifest:
            assert f.path.startswith(f"{corpus.manifest.directory}/")
        else:  # e.g. unquad-ar's files are in unquad/, fakenews-es-heldout's in fakenews-es/
            assert f.path.split("/", 1)[0] in (name, name.rsplit("-", 1)[0])
        # the mirror may prefix an upstream name ("tosca-" + "politics.rda")
        assert f.path.rsplit("/", 1)[1].endswith(f.url.rsplit("/", 1)[1])


def test_multicoped_test_split_is_not_registered():
    urls = [f.url for c in REGISTRY.values() for f in c.files]
    assert not any("test.tsv" in u for u in urls)
    assert [f.path for f in REGISTRY["multicoped"].files] == [MULTICOPED_TRAIN]


def test_wikicurrent_package_manifest_is_pinned_and_shipped():
    path = WIKICURRENT_MANIFEST.path
    assert path.parent.name == "manifests" and path.parent.parent.name == "data"
    assert (
        sha256(path)
        == WIKICURRENT_MANIFEST.sha256
        == ("d1eaf48e7adeb565b8a13bd4dcbcc1bff277348ee3fdbeed0615e3140251570d")
    )
    files = corpus_files(REGISTRY["wikicurrent"])
    assert len(files) == 4017 and len({f.path for f in files}) == 4017
    assert files[0].url == (
        "https://raw.githubusercontent.com/ianrastall/current-events-context/"
        "4ff6f7d243c81c1df4a919fb4280d9d7e9559bd8/2010/01/2010-01-01.yaml"
    )
    assert files[0].path == "wikicurrent/2010/01/2010-01-01.yaml"


# --- adapters -----------------------------------------------------------------------------


def test_unscon_labels_groups_and_detokenising():
    rows = [r for r in run("unscon") if r.evaluate]
    assert [(r.text, r.label, r.group) for r in rows] == [
        (
            "The delegation of Sylvania has, once again, ignored every warning.",
            1,
            "UNSC_2099_SPV.0001/spch001",
        ),
        (
            "We welcome the report of the Special Envoy (Ms. Rivera) on the harbour talks.",
            0,
            "UNSC_2099_SPV.0001/spch001",
        ),
        (
            'Is that really what our colleague calls " dialogue "?',
            1,
            "UNSC_2099_SPV.0001/spch002",
        ),  # B1 only
        (
            "That claim is simply not true; the record shows otherwise.",
            1,
            "UNSC_2099_SPV.0001/spch002",
        ),
        ("We thank the presidency for convening this meeting.", 0, "UNSC_2099_SPV.0001/spch002"),
    ]  # the blank sentence is skipped
    assert {r.source for r in rows} == {"unscon"}


def test_unscon_discourse_units_train_in_their_speech_but_are_not_scored():
    units = [r for r in run("unscon") if not r.evaluate]
    assert [(r.text, r.label, r.group) for r in units] == [
        ("The delegation of Sylvania has,", 1, "UNSC_2099_SPV.0001/spch001"),
        ("once again, ignored every warning.", 1, "UNSC_2099_SPV.0001/spch001"),
        ("We welcome the report of the Special Envoy", 0, "UNSC_2099_SPV.0001/spch001"),
        ("That claim is simply not true;", 1, "UNSC_2099_SPV.0001/spch002"),
    ]  # the blank unit is skipped


def test_unscon_unit_of_an_unknown_speech_is_an_error(tmp_path):
    paths = fixture_paths("unscon")
    units = tmp_path / "conflict_annotations.csv"
    text = paths[UNSCON_UNITS].read_text(encoding="utf-8")
    units.write_text(text.replace("spch002_Sylvania", "spch009_Ruritania"), encoding="utf-8")
    with pytest.raises(DataError, match=r"conflict_annotations.csv:5: unknown speech"):
        list(REGISTRY["unscon"].adapter({**paths, UNSCON_UNITS: units}))


def test_cameo_cleaning_labels_and_groups():
    rows = run("cameo")
    by_group = Counter(r.group for r in rows)
    # 010, 051, 138: example + definition; 1012: definition only (example NA); roots: no rows
    assert by_group == {"cameo/010": 2, "cameo/051": 2, "cameo/1012": 1, "cameo/138": 2}
    labels = {r.group: r.label for r in rows}
    assert labels == {"cameo/010": 0, "cameo/051": 0, "cameo/1012": 1, "cameo/138": 1}
    texts = [r.text for r in rows]
    assert 'Sylvania praised Freedonia\'s "constructive" role - a rare gesture - in the talks.' in (
        texts
    )
    assert "Demand economic aid. Demand economic aid from 'donor' states." in texts
    assert "Freedonia threatened to send gunboats to the disputed reef, costing £3m a day." in texts
    assert "Make statement. All public statements not otherwise specified." in texts
    assert not any("\x82" in t or "Ä" in t or "¬" in t or "Note" in t for t in texts)
    assert all(t == t.strip() and "  " not in t for t in texts)
    # Codebook definitions train the model but are never evaluation targets.
    definitions = {r.text for r in rows if not r.evaluate}
    assert "Make statement. All public statements not otherwise specified." in definitions
    assert all("." in t for t in definitions) and len(definitions) == 4


def test_ngec_labels_groups_and_disclaimer():
    rows = run("ngec")
    assert [r.label for r in rows] == [1, 1, 0, 0]
    assert [r.group for r in rows] == [
        "ngec/Ministers of {country_1} Walk Out of Harbour Talks",
    ] * 2 + ["ngec/{country_1} and {country_2} Sign Fisheries Accord"] * 2
    assert rows[2].text == (
        "Freedonia and Ruritania signed a fisheries accord on Friday, ending a decade of quarrels."
    )
    assert not any("SYNTHETIC" in r.text or "#" in r.text for r in rows)
    assert rows[3].text.startswith("Sylvania") and rows[3].text.endswith("deal.")


def test_ngec_unknown_label_names_the_line(tmp_path):
    import zipfile

    with zipfile.ZipFile(FIXTURES / NGEC_STORIES) as z:
        (member,) = z.namelist()
        csv_text = z.read(member).decode("utf-8")
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr(member, csv_text.replace(",COOPERATE,", ",DANCE,"))
    with pytest.raises(DataError, match=r"bad\.zip!.*\.csv:1[0-9]: unknown PLOVER label 'DANCE'"):
        list(REGISTRY["ngec"].adapter({NGEC_STORIES: bad}))


def test_petrarch_skips_noevents_and_comments():
    rows = run("petrarch")
    assert [(r.group, r.label) for r in rows] == [
        ("TEST_1", 1),
        ("OTHER_3", 0),
        ("OTHER_4", 1),
        ("OTHER_5", 1),
    ]
    assert rows[0].text == (
        "The Ruritanian envoy visited Sylvania, where officials accused him of spying."
    )
    assert rows[1].text == "Freedonia sent food & medicine to Sylvania."  # entity, comment ignored
    assert rows[3].text == "Ruritania seized the Freedonian-flagged trawler."  # empty <Text>


def test_unquad_join_year_cut_and_labels():
    rows = unquad_examples(fixture_paths("unquad"))
    assert [(r.group, r.label) for r in rows] == [
        ("2005/s/2005/101", 1),
        ("2005/s/2005/101", 1),
        ("2005/s/2005/102", 0),
        ("2009/s/prst/2009/9", 0),
        ("2009/s/prst/2009/9", 0),  # class 0 as a negative
    ]
    rows = list(unquad_examples(fixture_paths("unquad")))
    # English text, never the back-translation; whitespace collapsed
    assert rows[0].text == "Armed groups shelled the northern villages, killing 12 civilians."
    assert rows[1].text == 'The Council condemns the "so-called" referendum in the strongest terms.'
    assert rows[3].text == "The Council welcomes the agreement signed in Geneva."
    assert not any(r.group.startswith(("2011", "2014")) or "convoy" in r.text for r in rows)


def test_unquad_drop_irrelevant_and_registry_constant(monkeypatch):
    dropped = list(unquad_examples(fixture_paths("unquad"), irrelevant="drop"))
    assert [r.label for r in dropped] == [1, 1, 0, 0]
    assert "adjourned" not in " ".join(r.text for r in dropped)
    assert len(run("unquad")) == 5
    monkeypatch.setattr(registry, "UNQUAD_IRRELEVANT", "drop")
    assert len(run("unquad")) == 4
    with pytest.raises(ValueError, match="irrelevant"):
        list(unquad_examples(fixture_paths("unquad"), irrelevant="maybe"))  # type: ignore[arg-type]


def test_unquad_reserved_row_labels_are_not_compared(tmp_path):
    """A reserved (2014) row whose label differs between the files goes unnoticed: the join
    check reads the labels of the rows the project may read only."""
    paths = copy_unquad(tmp_path, lambda ls: [*ls[:-1], ls[-1].replace("\t4\n", "\t2\n")], None)
    assert list(unquad_examples(paths)) == list(unquad_examples(fixture_paths("unquad")))


@pytest.mark.parametrize(
    ("en_edit", "ids_edit", "message"),
    [
        (lambda ls: ls[:-1], None, r"cannot join: 6 rows vs 7 rows"),
        (None, lambda ls: [*ls, ls[-1]], r"cannot join: 7 rows vs 8 rows"),
        (
            None,
            lambda ls: [ls[0], ls[1], ls[2].replace("\t3\n", "\t1\n"), *ls[3:]],
            r"data row 2: QuadClass differs \('3' vs '1'\)",
        ),
        (
            None,
            lambda ls: [ls[0], "2005-s-101\t" + ls[1].split("\t", 1)[1], *ls[2:]],
            r"ES_EN_DEEPL_quadclass\.tsv:2: bad document id",
        ),
    ],
)
def test_unquad_bad_join_yields_nothing(tmp_path, en_edit, ids_edit, message):
    paths = copy_unquad(tmp_path, en_edit, ids_edit)
    rows = unquad_examples(paths)
    with pytest.raises(DataError, match=message):
        next(rows)  # the very first row already fails: nothing is yielded before validation


def project_half(text: str) -> bool:
    """The Multi-CoPED rule, restated here: sha256 of the stripped text ends in an even digit."""
    return int(hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[-1], 16) % 2 == 0


def test_multicoped_never_yields_a_reserved_row():
    with (FIXTURES / MULTICOPED_TRAIN).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    mine = [(t, lab) for t, lab in rows if project_half(t)]
    reserved = {t for t, _ in rows if not project_half(t)}
    assert len(mine) == 9 and len(reserved) == 7  # the fixture has both halves
    got = run("multicoped")
    assert [(r.text, r.label) for r in got] == [(t, int(lab in ("3", "4"))) for t, lab in mine]
    assert not {r.text for r in got} & reserved
    # a reserved row's bad label (9) is never even read; quoted text is unquoted
    assert 'Officials praised the "constructive" tone of the fisheries meeting.' in {
        r.text for r in got
    }
    assert len({r.group for r in got}) == 9 and {r.source for r in got} == {"multicoped"}


def test_multicoped_bad_label_in_the_project_half_names_the_line(tmp_path):
    text = (FIXTURES / MULTICOPED_TRAIN).read_text(encoding="utf-8")
    bad = tmp_path / "train.tsv"
    bad.write_text(text.replace("overnight.\t4", "overnight.\tX"), encoding="utf-8")
    with pytest.raises(DataError, match=r"train\.tsv:5: bad label 'X'"):
        list(REGISTRY["multicoped"].adapter({MULTICOPED_TRAIN: bad}))


def copy_wiki(tmp_path: Path) -> Path:
    """A writable copy of the fixture days and manifest; returns the mirror root."""
    shutil.copytree(FIXTURES / "wikicurrent", tmp_path / "mirror" / "wikicurrent")
    return tmp_path / "mirror"


def test_wiki_corpora_split_days_and_record_the_manifest(fixture_registry, tmp_path):
    loaded = {n: load_corpus(n, data_dir=FIXTURES, cache_dir=tmp_path) for n in WIKI}
    days = {n: {e.group for e in src.examples} for n, src in loaded.items()}
    assert days["wikicurrent"] == days["wikiconflict"] == {"2099-01-01", "2099-01-02"}
    assert days["wikicurrent-heldout"] == days["wikiconflict-heldout"] == {"2099-01-04"}
    assert {e.label for n in WIKI[0::2] for e in loaded[n].examples} == {0}
    assert {e.label for n in WIKI[1::2] for e in loaded[n].examples} == {1}
    assert [e.topic for e in loaded["wikicurrent"].examples] == ["sport", "business", "science"]
    assert all(e.source == n for n, src in loaded.items() for e in src.examples)
    assert loaded["wikicurrent"].files == (
        SourceFile("wikicurrent/MANIFEST.sha256", sha256(FIXTURE_MANIFEST)),
    )
    assert list(tmp_path.iterdir()) == []


def test_wiki_tampered_day_is_refused(fixture_registry, tmp_path):
    mirror = copy_wiki(tmp_path)
    day = mirror / "wikicurrent" / "2099" / "01" / "2099-01-04.yaml"
    day.write_text(day.read_text(encoding="utf-8").replace("three", "thirty"), encoding="utf-8")
    with pytest.raises(DataError, match=r"2099-01-04\.yaml: checksum mismatch"):
        load_corpus("wikicurrent", data_dir=mirror, cache_dir=tmp_path / "cache")


def test_wiki_manifest_mismatch_is_refused(fixture_registry, monkeypatch, tmp_path):
    mirror = copy_wiki(tmp_path)
    manifest = mirror / "wikicurrent" / "MANIFEST.sha256"
    pinned = fixture_manifest(manifest)
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("bd47", "0000"))
    wiki = dataclasses.replace(REGISTRY["wikicurrent"], manifest=pinned)
    with pytest.raises(DataError, match=r"MANIFEST\.sha256: manifest checksum mismatch"):
        load_corpus(wiki, data_dir=mirror, cache_dir=tmp_path / "cache")


def test_wiki_malformed_manifest_line_is_refused(tmp_path):
    path = tmp_path / "MANIFEST.sha256"
    path.write_text(f"{'a' * 64}  ../../etc/passwd\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"MANIFEST\.sha256:1: not a"):
        fetch.manifest_files(fixture_manifest(path))


# --- resolve_file -------------------------------------------------------------------------

CAMEO_FIXTURE = FIXTURES / CAMEO_CODES


def cameo_remote(sha: str | None = None) -> RemoteFile:
    """A RemoteFile for the CAMEO fixture, with its real hash unless `sha` is given."""
    return RemoteFile(
        CAMEO_CODES, "https://example.invalid/cameo-codes.csv", sha or sha256(CAMEO_FIXTURE)
    )


def no_download(url: str, output_file: str, pup: object) -> None:
    """A downloader (pooch's protocol) that must not be called."""
    raise AssertionError(f"unexpected download of {url}")


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    """pooch's pauses between download attempts, recorded instead of slept."""
    import pooch.core

    pauses: list[float] = []
    monkeypatch.setattr(pooch.core.time, "sleep", pauses.append)
    return pauses


def test_resolve_prefers_the_mirror(tmp_path):
    cache = tmp_path / "cache"
    (cache / "cameo").mkdir(parents=True)
    (cache / CAMEO_CODES).write_bytes(b"a corrupt cache copy")
    got = resolve_file(cameo_remote(), data_dir=FIXTURES, cache_dir=cache, downloader=no_download)
    assert got == FIXTURES / CAMEO_CODES


def test_resolve_bad_mirror_file_raises(tmp_path):
    f = cameo_remote("0" * 64)
    with pytest.raises(DataError) as err:
        resolve_file(f, data_dir=FIXTURES, cache_dir=tmp_path, downloader=no_download)
    assert str(FIXTURES / CAMEO_CODES) in str(err.value)
    assert "0" * 64 in str(err.value) and sha256(CAMEO_FIXTURE) in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_resolve_uses_cache_when_mirror_lacks_the_file(tmp_path):
    cache = tmp_path / "cache"
    (cache / "cameo").mkdir(parents=True)
    (cache / CAMEO_CODES).write_bytes(CAMEO_FIXTURE.read_bytes())
    got = resolve_file(
        cameo_remote(), data_dir=tmp_path / "empty-mirror", cache_dir=cache, downloader=no_download
    )
    assert got == cache / CAMEO_CODES
    (cache / CAMEO_CODES).write_bytes(b"tampered")
    with pytest.raises(DataError, match="checksum mismatch"):
        resolve_file(cameo_remote(), data_dir=None, cache_dir=cache, downloader=no_download)


def test_resolve_downloads_verifies_and_places(tmp_path):
    calls = []

    def fake(url: str, output_file: str, pup: object) -> None:
        calls.append(url)
        dest = Path(output_file)
        assert dest.parent == tmp_path / "cameo" and dest.name != "cameo-codes.csv"
        dest.write_bytes(CAMEO_FIXTURE.read_bytes())

    got = resolve_file(cameo_remote(), data_dir=None, cache_dir=tmp_path, downloader=fake)
    assert got == tmp_path / CAMEO_CODES and sha256(got) == sha256(CAMEO_FIXTURE)
    assert calls == ["https://example.invalid/cameo-codes.csv"]
    assert os.listdir(tmp_path / "cameo") == ["cameo-codes.csv"]  # no temp file left
    # second call: served from the cache
    assert resolve_file(cameo_remote(), data_dir=None, cache_dir=tmp_path, downloader=no_download)


def test_resolve_bad_download_is_retried_then_refused(tmp_path, waits):
    calls = []

    def fake(url: str, output_file: str, pup: object) -> None:
        calls.append(url)
        Path(output_file).write_bytes(b"<html>rate limited</html>")

    with pytest.raises(DataError, match=r"checksum mismatch for cameo/cameo-codes\.csv") as err:
        resolve_file(cameo_remote(), data_dir=None, cache_dir=tmp_path, downloader=fake)
    assert sha256(CAMEO_FIXTURE) in str(err.value)
    assert hashlib.sha256(b"<html>rate limited</html>").hexdigest() in str(err.value)
    assert len(calls) == fetch.RETRIES + 1 and waits == [1, 2, 3]
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_resolve_corrupt_copy_then_good_one_is_kept(tmp_path, waits, caplog):
    bodies = [b"truncated", CAMEO_FIXTURE.read_bytes()]

    def fake(url: str, output_file: str, pup: object) -> None:
        Path(output_file).write_bytes(bodies.pop(0))

    got = resolve_file(cameo_remote(), data_dir=None, cache_dir=tmp_path, downloader=fake)
    assert sha256(got) == sha256(CAMEO_FIXTURE) and bodies == [] and waits == [1]
    assert "checksum mismatch" in caplog.text and "attempt 2 of 4" in caplog.text
    assert os.listdir(tmp_path / "cameo") == ["cameo-codes.csv"]


def test_resolve_download_failure_names_url_and_mirror(tmp_path):
    def fake(url: str, output_file: str, pup: object) -> None:
        Path(output_file).write_bytes(b"partial")
        raise OSError("disk full")

    with pytest.raises(DataError) as err:
        resolve_file(cameo_remote(), data_dir=None, cache_dir=tmp_path, downloader=fake)
    assert "https://example.invalid/cameo-codes.csv" in str(err.value)
    assert "disk full" in str(err.value) and "ESCALATION_DATA_DIR" in str(err.value)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_env_dirs(monkeypatch, tmp_path):
    monkeypatch.delenv("ESCALATION_DATA_DIR", raising=False)
    assert data_dir_from_env() is None
    monkeypatch.setenv("ESCALATION_DATA_DIR", str(tmp_path))
    assert data_dir_from_env() == tmp_path
    monkeypatch.setenv("ESCALATION_DATA_DIR", str(tmp_path / "missing"))
    with pytest.raises(DataError, match="not a directory"):
        data_dir_from_env()

    monkeypatch.setenv("ESCALATION_CACHE_DIR", str(tmp_path / "c"))
    assert cache_dir_from_env() == tmp_path / "c"
    monkeypatch.delenv("ESCALATION_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir_from_env() == tmp_path / "xdg" / "escalation-risk"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir_from_env() == tmp_path / "home" / ".cache" / "escalation-risk"


# --- load_corpus / load_sources -----------------------------------------------------------


@pytest.fixture
def fixture_registry(monkeypatch):
    """Point every registered file's hash at its fixture, so loading works on the fixtures
    (corpora without fixture files, the Spanish news spreadsheets, are left as they are)."""
    for name, corpus in REGISTRY.items():
        if not all((FIXTURES / f.path).is_file() for f in corpus.files):
            continue
        files = tuple(
            dataclasses.replace(f, sha256=sha256(FIXTURES / f.path)) for f in corpus.files
        )
        manifest = corpus.manifest and fixture_manifest(
            FIXTURES / corpus.manifest.directory / "MANIFEST.sha256", corpus.manifest
        )
        monkeypatch.setitem(
            REGISTRY, name, dataclasses.replace(corpus, files=files, manifest=manifest)
        )


def test_load_corpus_provenance(fixture_registry, tmp_path):
    src = load_corpus("unquad", data_dir=FIXTURES, cache_dir=tmp_path)
    assert isinstance(src, LoadedSource) and src.name == "unquad" and src.n_rows == 5
    assert src.files == tuple(SourceFile(p, sha256(FIXTURES / p)) for p in (UNQUAD_EN, UNQUAD_IDS))
    assert {e.source for e in src.examples} == {"unquad"}


def test_load_corpus_reads_the_env_mirror(fixture_registry, monkeypatch, tmp_path):
    monkeypatch.setenv("ESCALATION_DATA_DIR", str(FIXTURES))
    monkeypatch.setenv("ESCALATION_CACHE_DIR", str(tmp_path))
    assert load_corpus("petrarch").n_rows == 4
    assert list(tmp_path.iterdir()) == []


def test_load_sources_mixes_corpora_and_files(fixture_registry, tmp_path):
    user = tmp_path / "mine.csv"
    user.write_text("text,label\nWe will strike back.,1\nThanks for the talks.,0\n")
    loaded = load_sources(["cameo", str(user)], data_dir=FIXTURES, cache_dir=tmp_path)
    assert [s.name for s in loaded] == ["cameo", str(user)]
    assert [s.n_rows for s in loaded] == [7, 2]


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        (
            ["gdelt"],
            r"gdelt: neither a registered corpus \(unscon, cameo, ngec, petrarch, unquad, multi",
        ),
        (["no/such/file.csv"], r"no/such/file\.csv: neither a registered corpus"),
        (["cameo", "cameo"], r"cameo: listed more than once"),
    ],
)
def test_load_sources_rejects(fixture_registry, tmp_path, specs, message):
    with pytest.raises(DataError, match=message):
        load_sources(specs, data_dir=FIXTURES, cache_dir=tmp_path)


def test_load_corpus_unknown_name():
    with pytest.raises(DataError, match=r"unknown corpus 'acled'; registered: unscon, cameo"):
        load_corpus("acled")


# --- user files ---------------------------------------------------------------------------


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    """Write a user file into tmp_path."""
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


OK_CSV = "text,label\nThey massed tanks on the border.,1\nThe talks went well.,0\n"


@pytest.mark.parametrize(
    ("name", "content", "where", "problem"),
    [
        ("a.txt", "text,label\n", "a.txt", "unsupported file type '.txt'"),
        ("a.csv", "", "a.csv:1", "empty file"),
        ("a.csv", "text,label\n", "a.csv", "empty file"),
        ("a.jsonl", "\n\n", "a.jsonl", "empty file"),
        ("a.csv", "body,label\nx,1\n", "a.csv:1", "missing column 'text'"),
        ("a.csv", "text,class\nx,1\n", "a.csv:1", "missing column 'label'"),
        ("a.csv", "text,label\nx,1,extra\n", "a.csv:2", "expected 2 fields, found 3"),
        ("a.csv", "text,label\n   ,1\ny,0\n", "a.csv:2", "blank text"),
        ("a.csv", "text,label\nx,1\ny,\n", "a.csv:3", "blank label"),
        (
            "a.csv",
            "text,label\nx,1\ny,maybe\n",
            "a.csv:3",
            "unknown label 'maybe' (expected 0/1 or true/false; pass --positive-class",
        ),
        ("a.csv", "text,label\nx,2\ny,0\n", "a.csv:2", "unknown label '2'"),
        ("a.csv", "text,label,weight\nx,1,0\ny,0,1\n", "a.csv:2", "bad weight '0'"),
        ("a.csv", "text,label,weight\nx,1,-2\ny,0,1\n", "a.csv:2", "bad weight '-2'"),
        ("a.csv", "text,label,weight\nx,1,heavy\ny,0,1\n", "a.csv:2", "bad weight 'heavy'"),
        ("a.csv", "text,label,weight\nx,1,nan\ny,0,1\n", "a.csv:2", "bad weight 'nan'"),
        ("a.csv", "text,label\nx,1\ny,1\n", "a.csv", "only one class present (every label is 1)"),
        ("a.csv", b"text,label\n\xff,1\n", "a.csv", "not valid UTF-8"),
        ("a.csv", 'text,label\n"x\ny,1\n', "a.csv:3", "malformed CSV: unexpected end of data"),
        (
            "a.jsonl",
            '{"text": "x", "label": 1}\n{"text": "y", "label": 0\n',
            "a.jsonl:2",
            "invalid JSON",
        ),
        (
            "a.jsonl",
            '{"text": "x", "label": 1}\n["y", 0]\n',
            "a.jsonl:2",
            "expected a JSON object, got list",
        ),
        (
            "a.jsonl",
            '{"text": "x", "label": 1}\n\n{"label": 0}\n',
            "a.jsonl:3",
            "missing key 'text'",
        ),
        ("a.jsonl", '{"text": "x"}\n', "a.jsonl:1", "missing key 'label'"),
        (
            "a.jsonl",
            '{"text": 5, "label": 1}\n{"text": "y", "label": 0}\n',
            "a.jsonl:1",
            "blank text",
        ),
        ("a.ndjson", '{"text": "x", "label": null}\n', "a.ndjson:1", "blank label"),
        (
            "a.jsonl",
            '{"text": "x", "label": 1, "weight": true}\n{"text": "y", "label": 0}\n',
            "a.jsonl:1",
            "bad weight True",
        ),
        (
            "a.jsonl",
            '{"text": "x", "label": 0}\n{"text": "y", "label": false}\n',
            "a.jsonl",
            "only one class present (every label is 0)",
        ),
    ],
)
def test_user_file_errors(tmp_path, name, content, where, problem):
    path = write(tmp_path, name, content)
    with pytest.raises(DataError) as err:
        load_user_file(path)
    message = str(err.value)
    assert str(tmp_path / where) in message
    assert problem in message


def test_user_file_reports_every_bad_row(tmp_path):
    path = write(tmp_path, "a.csv", "text,label\nx,1\n,0\ny,what\nz,0\n")
    with pytest.raises(DataError) as err:
        load_user_file(path)
    assert str(err.value).splitlines() == [
        f"{path}:3: blank text",
        f"{path}:4: unknown label 'what' (expected 0/1 or true/false; "
        "pass --positive-class and --negative-class to use class names)",
    ]


def test_user_file_positive_class_never_seen(tmp_path):
    path = write(tmp_path, "a.csv", "text,label\nx,conflict\ny,peace\n")
    with pytest.raises(DataError, match="--positive-class 'Conflict' never occurs"):
        load_user_file(path, positive_class="Conflict", negative_classes=["conflict", "peace"])


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["1", "0"], [1, 0]),
        (["true", "FALSE"], [1, 0]),
        ([" True ", "0"], [1, 0]),
    ],
)
def test_user_csv_label_variants(tmp_path, labels, expected):
    rows = "".join(f"row {i},{label}\n" for i, label in enumerate(labels))
    src = load_user_file(write(tmp_path, "a.csv", "text,label\n" + rows))
    assert [e.label for e in src.examples] == expected


def test_user_jsonl_label_variants_weights_and_groups(tmp_path):
    lines = [
        '{"text": "a", "label": 1}',
        '{"text": "b", "label": 0, "weight": 2.5}',
        '{"text": "c", "label": true, "group": "doc-7"}',
        '{"text": "d", "label": false, "group": "doc-7", "weight": "0.5"}',
        "",
        '{"text": " e ", "label": "1", "group": ""}',
        '{"text": "f", "label": 1.0, "group": 42}',
    ]
    path = write(tmp_path, "mine.jsonl", "\n".join(lines) + "\n")
    src = load_user_file(path)
    assert src.name == str(path) and src.n_rows == 6
    assert [(e.text, e.label, e.group, e.weight) for e in src.examples] == [
        ("a", 1, "mine.jsonl:1", 1.0),
        ("b", 0, "mine.jsonl:2", 2.5),
        ("c", 1, "doc-7", 1.0),
        ("d", 0, "doc-7", 0.5),
        ("e", 1, "mine.jsonl:6", 1.0),
        ("f", 1, "42", 1.0),
    ]
    assert {e.source for e in src.examples} == {"mine.jsonl"}
    assert src.files == (SourceFile(str(path), sha256(path)),)


def test_user_csv_positive_class_groups_and_multiline(tmp_path):
    content = (
        "\ufefftext,label,group,weight\n"
        '"They shelled the port\nat dawn.",Conflict,s1,\n'
        "Talks resumed.,cooperation,s1,3\n"
        "Aid arrived.,neutral,,\n"
    )
    path = write(tmp_path, "labelled.csv", content)
    with pytest.raises(DataError, match=r"labelled\.csv:2: unknown label 'Conflict'.*--positive-c"):
        load_user_file(path)
    src = load_user_file(
        path, positive_class="Conflict", negative_classes=["cooperation", "neutral"]
    )
    assert [(e.text, e.label, e.group, e.weight) for e in src.examples] == [
        ("They shelled the port\nat dawn.", 1, "s1", 1.0),
        ("Talks resumed.", 0, "s1", 3.0),
        ("Aid arrived.", 0, "labelled.csv:5", 1.0),  # physical line numbers
    ]


def test_user_positive_class_refuses_undeclared_names_and_typos(tmp_path):
    path = write(tmp_path, "a.csv", "text,label\nx,conflict\ny,peace\nz,peaec\nw,0\n")
    with pytest.raises(DataError) as err:
        load_user_file(path, positive_class="conflict", negative_classes=["peace"])
    assert str(err.value) == (
        f"{path}:4: unknown label 'peaec' (expected 0/1 or true/false, 'conflict' "
        "or a --negative-class name)"
    )
    with pytest.raises(DataError, match=r"a\.csv:3: unknown label 'peace'"):
        load_user_file(path, positive_class="conflict")  # no negative class declared
    fixed = write(tmp_path, "b.csv", "text,label\nx,conflict\ny,peace\nw,0\n")
    src = load_user_file(fixed, positive_class="conflict", negative_classes=["peace"])
    assert [e.label for e in src.examples] == [1, 0, 0]


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

    @pytest.mark.parametrize(
        ("name", "rows", "positives"),
        [
            ("unscon", 2377 + 4726, 681 + 1501),
            ("cameo", 569, 331),
            ("ngec", 4500, 2424),
            ("petrarch", 66, 35),
            ("unquad", 3807, 1551),
            ("multicoped", 674, 276),
            ("wikicurrent", 14741, 0),
            ("wikiconflict", 6331, 6331),
            ("wikicurrent-heldout", 4987, 0),
            ("wikiconflict-heldout", 2070, 2070),
        ],
    )
    def test_counts(self, name, rows, positives):
        src = load_corpus(name)
        assert (src.n_rows, sum(e.label for e in src.examples)) == (rows, positives)
        assert all(e.group and e.text and e.source == name for e in src.examples)
        assert src.files == REGISTRY[name].provenance()
        assert not self.cache.exists()  # served from the mirror, nothing downloaded

    def test_unscon_groups_are_speeches(self):
        rows = load_corpus("unscon").examples
        assert len({e.group for e in rows}) == 86
        assert sum(e.evaluate for e in rows) == 2377  # the sentences; units only train

    def test_cameo_is_clean(self):
        texts = [e.text for e in load_corpus("cameo").examples]
        assert not any("Note:" in t or "\x82" in t or "¬" in t or "Ä" in t for t in texts)

    def test_ngec_has_no_disclaimer_and_332_titles(self):
        rows = load_corpus("ngec").examples
        assert not any("SYNTHETIC STORY" in e.text for e in rows)
        assert len({e.group for e in rows}) == 332

    def test_unquad_never_yields_reserved_years(self):
        rows = load_corpus("unquad").examples
        years = {int(e.group.split("/", 1)[0]) for e in rows}
        assert max(years) <= 2010
        dropped = list(
            unquad_examples(
                {
                    f.path: Path(os.environ["ESCALATION_DATA_DIR"]) / f.path
                    for f in REGISTRY["unquad"].files
                },
                irrelevant="drop",
            )
        )
        assert (len(dropped), sum(e.label for e in dropped)) == (3094, 1551)

    def test_multicoped_is_the_project_half_only(self):
        rows = load_corpus("multicoped").examples
        path = Path(os.environ["ESCALATION_DATA_DIR"]) / MULTICOPED_TRAIN
        with path.open(encoding="utf-8", newline="") as fh:
            raw = [t for t, _ in csv.reader(fh, delimiter="\t")]
        reserved = {" ".join(t.split()) for t in raw if not project_half(t)}
        assert not {e.text for e in rows} & reserved
        assert len({e.group for e in rows}) == 673  # one duplicated text

    def test_wiki_days_split_and_are_fast(self):
        started = time.perf_counter()
        train = load_corpus("wikicurrent").examples
        assert time.perf_counter() - started < 20  # ~5 s on 2 shared cores
        held = load_corpus("wikicurrent-heldout").examples
        train_days, held_days = {e.group for e in train}, {e.group for e in held}
        assert not train_days & held_days
        assert 0.2 < len(held_days) / len(train_days | held_days) < 0.3
        assert not any(e.text.endswith(")") or "http" in e.text for e in train)


def test_scored_rows_only_drops_training_only_rows():
    full = run("cameo")
    scored = list(scored_rows_only(REGISTRY["cameo"]).adapter(fixture_paths("cameo")))
    assert scored == [r for r in full if r.evaluate] and len(scored) < len(full)


def test_an_article_trains_as_its_title_and_sentences_with_letters_each_once():
    body = "Le match a eu lieu. 6-3 .\nLe Titre\nLe match a eu lieu. .\nFin du match."
    assert title_and_sentences("Le Titre", body) == [
        "Le Titre",
        "Le match a eu lieu.",
        "Fin du match.",
    ]
    assert title_and_sentences("", "Une phrase.") == ["Une phrase."]


def test_a_corpus_cut_anew_since_training_is_refused_for_its_cross_validation():
    pinned = pinned_files("ant")
    source = {"name": "ant", "description": REGISTRY["ant"].description, "files": pinned}
    check_cut(source)
    with pytest.raises(DataError, match=r"ant: the model was trained on other files of it"):
        check_cut({**source, "files": pinned[:0]})
    with pytest.raises(DataError, match=r"ant: the model was trained on it as 'whole'.*retrain"):
        check_cut({**source, "description": "whole"})
    with pytest.raises(DataError, match="as an older release cut it"):
        check_cut({"name": "ant"})
