"""Training data: the registry of public corpora (pinned by URL and SHA-256), and user files.

A corpus file is read from a local mirror (`ESCALATION_DATA_DIR`), else from the cache, else
downloaded into the cache; every file is checked against its SHA-256 before it is used.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tempfile
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from training.adapters import (
    CAMEO_CODES,
    MULTICOPED_TRAIN,
    NGEC_STORIES,
    PETRARCH_GSR,
    UNQUAD_EN,
    UNQUAD_IDS,
    UNSCON_SENTENCES,
    UNSCON_UNITS,
    DataError,
    Example,
    cameo_examples,
    multicoped_examples,
    ngec_examples,
    parse_csv,
    petrarch_examples,
    unquad_examples,
    unscon_all_examples,
)
from training.wikicurrent import CONFLICT, ORDINARY_NEWS, WIKICURRENT_DIR, wikicurrent_items

__all__ = [
    "DEFAULT_TRAINING",
    "REGISTRY",
    "UNQUAD_IRRELEVANT",
    "Corpus",
    "DataError",
    "Example",
    "LoadedSource",
    "Manifest",
    "RemoteFile",
    "SourceFile",
    "cache_dir_from_env",
    "data_dir_from_env",
    "load_corpus",
    "load_sources",
    "load_user_file",
    "manifest_files",
    "resolve_file",
]

# How UN QuadClass class 0 (irrelevant) is used: as a negative, or dropped. Decide by measurement.
UNQUAD_IRRELEVANT: Literal["negative", "drop"] = "negative"

_CHUNK = 1 << 20
_MAX_ERRORS = 20


@dataclass(frozen=True)
class RemoteFile:
    """One upstream file: its path in the mirror/cache, its pinned raw URL and its SHA-256."""

    path: str
    url: str
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """Many upstream files pinned by one `sha256sum` list shipped with the package.

    The list's own SHA-256 is pinned here; its paths are relative to `directory` in the mirror
    and cache, and to `url_prefix` upstream.
    """

    path: Path
    sha256: str
    directory: str
    url_prefix: str


@dataclass(frozen=True)
class Corpus:
    """A registered public corpus and the adapter that turns its files into examples."""

    name: str
    files: tuple[RemoteFile, ...]
    licence: str
    description: str
    for_training: bool
    adapter: Callable[[Mapping[str, Path]], Iterator[Example]]
    # MIT or Creative Commons: usable in a model that must be cleanly licensed
    clean_licence: bool = False
    manifest: Manifest | None = None

    def remote_files(self) -> tuple[RemoteFile, ...]:
        """Every pinned file: those listed, then each file of the manifest (checked first)."""
        return self.files + (manifest_files(self.manifest) if self.manifest else ())

    def provenance(self) -> tuple[SourceFile, ...]:
        """The files that pin the corpus: those listed, and the manifest rather than its items."""
        listed = tuple(SourceFile(f.path, f.sha256) for f in self.files)
        if self.manifest is None:
            return listed
        return (
            *listed,
            SourceFile(f"{self.manifest.directory}/MANIFEST.sha256", self.manifest.sha256),
        )


@dataclass(frozen=True)
class SourceFile:
    """Provenance: a file that was used and its SHA-256."""

    path: str
    sha256: str


@dataclass(frozen=True)
class LoadedSource:
    """The examples of one corpus or user file, with the files they came from."""

    name: str
    examples: tuple[Example, ...]
    files: tuple[SourceFile, ...]

    @property
    def n_rows(self) -> int:
        """Number of examples."""
        return len(self.examples)


def _raw(repo: str, commit: str, path: str) -> str:
    """Pinned raw.githubusercontent.com URL."""
    return f"https://raw.githubusercontent.com/{repo}/{commit}/{path}"


_UNSCON = ("linatal/UNSCon", "ecfa26dfe1af1eec2843004dfc6db16693a6b1c1")
_CAMEO = ("andybega/icews", "3746c729551f5fcb5a49f643f82638011a5fcfec")
_NGEC = ("ahalterman/NGEC-2025", "a3909e2aa02969ccaaa915a9626a5316e1cac0f8")
_PETRARCH = ("openeventdata/UniversalPetrarch", "067552d83956f552d355256bf200e89ec9fdb7dc")
_UNQUAD = ("javierosorio/keep_it_local", "9adc00fd46dfbe0a27b6bbf3daddcda226d0863e")
_CONFLIBERT = ("eventdata/ConfliBERT", "0b630014885b9597622082034cc5ab5471b57e5b")
_WIKICURRENT = ("ianrastall/current-events-context", "4ff6f7d243c81c1df4a919fb4280d9d7e9559bd8")
_MANIFEST_LINE = re.compile(r"([0-9a-f]{64}) [ *]([\w.-]+(?:/[\w.-]+)*)")

WIKICURRENT_MANIFEST = Manifest(
    Path(__file__).resolve().parent / "manifests" / "wikicurrent.sha256",
    "d1eaf48e7adeb565b8a13bd4dcbcc1bff277348ee3fdbeed0615e3140251570d",
    WIKICURRENT_DIR,
    _raw(*_WIKICURRENT, ""),
)
WIKI_LICENCE = "CC BY-SA 4.0 (Wikipedia text; attribution: Wikipedia Portal:Current events)"


def manifest_files(manifest: Manifest) -> tuple[RemoteFile, ...]:
    """The files a manifest pins, after checking the manifest's own SHA-256."""
    try:
        data = manifest.path.read_bytes()
    except OSError as exc:
        raise DataError(f"{manifest.path}: cannot read the manifest: {exc}") from exc
    actual = hashlib.sha256(data).hexdigest()
    if actual != manifest.sha256:
        raise DataError(
            f"{manifest.path}: manifest checksum mismatch: expected sha256 {manifest.sha256}, "
            f"got {actual}"
        )
    files = []
    for line, row in enumerate(data.decode("utf-8").splitlines(), start=1):
        match = _MANIFEST_LINE.fullmatch(row)
        if match is None or ".." in match.group(2).split("/"):
            raise DataError(f"{manifest.path}:{line}: not a 'sha256  relative/path' line")
        sha, path = match.groups()
        files.append(RemoteFile(f"{manifest.directory}/{path}", manifest.url_prefix + path, sha))
    return tuple(files)


def _unquad_adapter(paths: Mapping[str, Path]) -> Iterator[Example]:
    """UN QuadClass with class 0 handled per `UNQUAD_IRRELEVANT`."""
    return unquad_examples(paths, irrelevant=UNQUAD_IRRELEVANT)


def _wiki(name: str, topics: frozenset[str], heldout: bool, description: str) -> Corpus:
    """One selection (topics, part of the days) of the Wikipedia Current events days."""

    def adapter(paths: Mapping[str, Path]) -> Iterator[Example]:
        part = "heldout" if heldout else "train"
        return wikicurrent_items(paths, topics=topics, part=part, source=name)

    adapter.__doc__ = description
    return Corpus(
        name, (), WIKI_LICENCE, description, not heldout, adapter, True, WIKICURRENT_MANIFEST
    )


_WIKI_DAYS = "days whose sha256(date) ends in 0-3 are held out"
_ORDINARY = "sport, business, science, arts, health and disaster items"


REGISTRY: dict[str, Corpus] = {
    c.name: c
    for c in (
        Corpus(
            "unscon",
            (
                RemoteFile(
                    UNSCON_SENTENCES,
                    _raw(*_UNSCON, "data/conflict_annotations_sentences.csv"),
                    "a99b1dee3b9be3e0baa06849920f9149944cbec3383c7a962ae91858e5e09836",
                ),
                RemoteFile(
                    UNSCON_UNITS,
                    _raw(*_UNSCON, "data/conflict_annotations.csv"),
                    "59f1c9ef6c4f994ced56f545303b498c94d5b462861539ca3907fac6f0dc88e7",
                ),
            ),
            "CC BY-SA 4.0",
            "UN Security Council speeches (Ukraine 2014, WPS 2016): sentences, and discourse "
            "units trained on only; 1 = verbal conflict annotated (negative evaluation, "
            "challenge, correction)",
            True,
            unscon_all_examples,
            clean_licence=True,
        ),
        Corpus(
            "cameo",
            (
                RemoteFile(
                    CAMEO_CODES,
                    _raw(*_CAMEO, "data-raw/cameo-codes.csv"),
                    "6bb520c64069b7d42d7099eba1dc07528533db5e2321f2f8cb6e9ebd24ad56c0",
                ),
            ),
            "MIT",
            "CAMEO codebook example sentences and code definitions; "
            "1 = conflictual root code 10-20 (demand .. mass violence)",
            True,
            cameo_examples,
            clean_licence=True,
        ),
        Corpus(
            "ngec",
            (
                RemoteFile(
                    NGEC_STORIES,
                    _raw(
                        *_NGEC, "setup/train_classifiers/gpt_synthetic_events_2023-10-19_19.csv.zip"
                    ),
                    "0d8cb1638db9169caa6c083903455ba9cf097262c3787458799ebae25abf794c",
                ),
            ),
            "MIT",
            "NGEC synthetic news stories labelled with PLOVER event types; "
            "1 = accuse, coerce, threaten, protest, assault, sanction, mobilize, reject, request",
            True,
            ngec_examples,
            clean_licence=True,
        ),
        Corpus(
            "petrarch",
            (
                RemoteFile(
                    PETRARCH_GSR,
                    _raw(*_PETRARCH, "UniversalPetrarch/data/text/PETR2_GSR_validation.xml"),
                    "e72538c51bb3c2ff0aecec5d7fffe3c8f59d18ef3a71b5c993bed4bc611cf82c",
                ),
            ),
            "MIT",
            "PETRARCH-2 gold-standard validation sentences with CAMEO codes (evaluation only); "
            "1 = any event with root code 10-20",
            False,
            petrarch_examples,
            clean_licence=True,
        ),
        Corpus(
            "unquad",
            (
                RemoteFile(
                    UNQUAD_EN,
                    _raw(*_UNQUAD, "1_data/en/quadclass/en_annotations_quad_multiclass.tsv"),
                    "384dc95f8058c60e988e4473f13ff76f2b42f42c8e3d5e9a8a53d52eb58f0a4b",
                ),
                RemoteFile(
                    UNQUAD_IDS,
                    _raw(*_UNQUAD, "1_data/es_en/quadclass/ES_EN_DEEPL_quadclass.tsv"),
                    "e9def259dea472e7688f6ddd5ca34577c14b98263b55ef4f0b96e88a549dc384",
                ),
            ),
            "MIT",
            "UN Security Council document sentences in QuadClass, documents up to 2010 only; "
            "1 = material or verbal conflict",
            True,
            _unquad_adapter,
            clean_licence=True,
        ),
        Corpus(
            "multicoped",
            (
                RemoteFile(
                    MULTICOPED_TRAIN,
                    _raw(*_CONFLIBERT, "data/cameo_class/train.tsv"),
                    "556c5a91ea278517b6f1595d2a55c04ca98219f255c95a617783decd179fd5fb",
                ),
            ),
            "unclear (research data in a GPL-3.0 repository); "
            "cite Skorupa Parolin et al., Multi-CoPED, AIES 2022",
            "Multi-CoPED news sentences coded by experts, the project's half of train.tsv only "
            "(sha256 of the text ends in an even hex digit); 1 = verbal or material conflict",
            True,
            multicoped_examples,
            clean_licence=False,
        ),
        _wiki(
            "wikicurrent",
            ORDINARY_NEWS,
            False,
            f"Wikipedia Current events items, ordinary news ({_ORDINARY}), training days; "
            f"all 0 ({_WIKI_DAYS})",
        ),
        _wiki(
            "wikiconflict",
            CONFLICT,
            False,
            f"Wikipedia Current events items under armed conflicts and attacks, training days; "
            f"all 1 ({_WIKI_DAYS})",
        ),
        _wiki(
            "wikicurrent-heldout",
            ORDINARY_NEWS,
            True,
            f"Wikipedia Current events ordinary news ({_ORDINARY}) of the held-out days "
            "(evaluation only); all 0",
        ),
        _wiki(
            "wikiconflict-heldout",
            CONFLICT,
            True,
            "Wikipedia Current events armed-conflict items of the held-out days "
            "(evaluation only); all 1",
        ),
    )
}


def scored_rows_only(corpus: Corpus) -> Corpus:
    """The same corpus without its training-only rows (e.g. CAMEO without code definitions)."""

    def adapter(paths: Mapping[str, Path]) -> Iterator[Example]:
        return (e for e in corpus.adapter(paths) if e.evaluate)

    return replace(corpus, adapter=adapter)


DEFAULT_TRAINING: tuple[str, ...] = ("unscon", "cameo", "ngec", "unquad")


def data_dir_from_env() -> Path | None:
    """The local mirror named by `ESCALATION_DATA_DIR`, or None when unset."""
    value = os.environ.get("ESCALATION_DATA_DIR", "").strip()
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_dir():
        raise DataError(f"ESCALATION_DATA_DIR={value}: not a directory")
    return path


def cache_dir_from_env() -> Path:
    """`ESCALATION_CACHE_DIR`, else `$XDG_CACHE_HOME/escalation-risk`, else ~/.cache/..."""
    value = os.environ.get("ESCALATION_CACHE_DIR", "").strip()
    if value:
        return Path(value).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "escalation-risk"


def _sha256(path: Path) -> str:
    """SHA-256 of a file, streamed."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _verify(path: Path, f: RemoteFile, hint: str = "") -> None:
    """Raise `DataError` unless `path` has the pinned SHA-256 of `f`."""
    actual = _sha256(path)
    if actual != f.sha256:
        raise DataError(
            f"{path}: checksum mismatch for {f.path}: expected sha256 {f.sha256}, "
            f"got {actual}{hint}"
        )


def _urllib_download(url: str, dest: Path) -> None:
    """Fetch `url` into `dest`."""
    with urllib.request.urlopen(url, timeout=60) as response, dest.open("wb") as out:
        while chunk := response.read(_CHUNK):
            out.write(chunk)


def resolve_file(
    f: RemoteFile,
    *,
    data_dir: Path | None,
    cache_dir: Path,
    download: Callable[[str, Path], None] = _urllib_download,
) -> Path:
    """A verified local copy of `f`: from the mirror, else the cache, else downloaded."""
    if data_dir is not None and (data_dir / f.path).is_file():
        mirrored = data_dir / f.path
        _verify(mirrored, f)
        return mirrored
    cached = cache_dir / f.path
    if cached.is_file():
        _verify(cached, f, "; delete the cached file to download it again")
        return cached
    cached.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=cached.parent, prefix=f".{cached.name}.", suffix=".part")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        try:
            download(f.url, tmp)
        except Exception as exc:
            raise DataError(
                f"could not download {f.url} ({exc}); set ESCALATION_DATA_DIR to a local mirror "
                f"holding {f.path}"
            ) from exc
        _verify(tmp, f)
        os.replace(tmp, cached)
    finally:
        tmp.unlink(missing_ok=True)
    return cached


def load_corpus(
    name: str | Corpus, *, data_dir: Path | None = None, cache_dir: Path | None = None
) -> LoadedSource:
    """Resolve and parse one corpus: a registered name, or an entry (e.g. another adapter).

    The mirror and cache come from the environment when not given.
    """
    corpus = name if isinstance(name, Corpus) else REGISTRY.get(name)
    if corpus is None:
        raise DataError(f"unknown corpus {name!r}; registered: {', '.join(REGISTRY)}")
    name = corpus.name
    data_dir = data_dir if data_dir is not None else data_dir_from_env()
    cache_dir = cache_dir if cache_dir is not None else cache_dir_from_env()
    local = {
        f.path: resolve_file(f, data_dir=data_dir, cache_dir=cache_dir)
        for f in corpus.remote_files()
    }
    return LoadedSource(name=name, examples=tuple(corpus.adapter(local)), files=corpus.provenance())


_TRUE = frozenset({"1", "true"})
_FALSE = frozenset({"0", "false"})


def _label(value: Any, positive_class: str | None) -> int:
    """0 or 1 from a user label; raises ValueError with the problem."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float) and value in (0, 1):
        return int(value)
    text = "" if value is None else str(value).strip()
    if not text:
        raise ValueError("blank label")
    if positive_class is not None and text == positive_class:
        return 1
    if text.lower() in _TRUE:
        return 1
    if text.lower() in _FALSE:
        return 0
    if positive_class is not None and isinstance(value, str):
        return 0
    hint = "" if positive_class is not None else "; pass positive_class to use class names"
    raise ValueError(f"unknown label {value!r} (expected 0/1 or true/false{hint})")


def _weight(value: Any) -> float:
    """A positive finite weight (1.0 when absent); raises ValueError with the problem."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 1.0
    weight = math.nan
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        try:
            weight = float(value)
        except ValueError:
            pass
    if not (math.isfinite(weight) and weight > 0):
        raise ValueError(f"bad weight {value!r} (expected a positive number)")
    return weight


def _user_records(path: Path, text: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """(line, record) pairs of a CSV or JSONL user file; structural problems raise DataError."""
    name = str(path)
    if path.suffix.lower() == ".csv":
        yield from parse_csv(text, name, ("text", "label"))
        return
    for line, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise DataError(f"{name}:{line}: invalid JSON: {exc.msg}") from exc
        if not isinstance(record, dict):
            raise DataError(f"{name}:{line}: expected a JSON object, got {type(record).__name__}")
        for key in ("text", "label"):
            if key not in record:
                raise DataError(f"{name}:{line}: missing key {key!r}")
        yield line, record


def load_user_file(path: Path, *, positive_class: str | None = None) -> LoadedSource:
    """Read a labelled CSV or JSONL file (text, label, optional group and weight), validated."""
    path = Path(path)
    name = str(path)
    if path.suffix.lower() not in (".csv", ".jsonl", ".ndjson"):
        raise DataError(f"{name}: unsupported file type {path.suffix!r} (use .csv or .jsonl)")
    try:
        data = path.read_bytes()
        text = data.decode("utf-8-sig")
    except OSError as exc:
        raise DataError(f"{name}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise DataError(f"{name}: not valid UTF-8 (byte {exc.start})") from exc
    examples: list[Example] = []
    errors: list[str] = []
    for line, record in _user_records(path, text):
        try:
            body = record["text"]
            if not isinstance(body, str) or not body.strip():
                raise ValueError("blank text")
            label = _label(record["label"], positive_class)
            weight = _weight(record.get("weight"))
        except ValueError as exc:
            errors.append(f"{name}:{line}: {exc}")
            continue
        group = record.get("group")
        group = str(group).strip() if group is not None else ""
        examples.append(
            Example(body.strip(), label, group or f"{path.name}:{line}", path.name, weight)
        )
    if len(errors) > _MAX_ERRORS:
        errors[_MAX_ERRORS:] = [f"... and {len(errors) - _MAX_ERRORS} more errors"]
    if errors:
        raise DataError("\n".join(errors))
    if not examples:
        raise DataError(f"{name}: empty file (no examples)")
    classes = {ex.label for ex in examples}
    if len(classes) < 2:
        hint = ""
        if positive_class is not None and classes == {0}:
            hint = f"; positive_class {positive_class!r} never occurs"
        raise DataError(f"{name}: only one class present (every label is {classes.pop()}){hint}")
    return LoadedSource(
        name=name,
        examples=tuple(examples),
        files=(SourceFile(name, hashlib.sha256(data).hexdigest()),),
    )


def load_sources(
    specs: Sequence[str],
    *,
    positive_class: str | None = None,
    data_dir: Path | None = None,
    cache_dir: Path | None = None,
) -> list[LoadedSource]:
    """Load each spec: a registered corpus name, else an existing user file."""
    seen: set[str] = set()
    loaded = []
    for spec in specs:
        if spec in seen:
            raise DataError(f"{spec}: listed more than once")
        seen.add(spec)
        if spec in REGISTRY:
            loaded.append(load_corpus(spec, data_dir=data_dir, cache_dir=cache_dir))
        elif Path(spec).is_file():
            loaded.append(load_user_file(Path(spec), positive_class=positive_class))
        else:
            raise DataError(
                f"{spec}: neither a registered corpus ({', '.join(REGISTRY)}) nor an existing file"
            )
    return loaded
