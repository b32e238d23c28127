"""The registry of named corpora (the public ones, and the project's own training sentences):
where each file comes from, its licence, its adapter.

Files are found and verified by `training.data.fetch`; user files are read by
`training.data.userdata`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Literal

from model import progress
from training.data.adapters import (
    ARABIC_GSR_ASSAULT,
    ARABIC_GSR_PROTEST,
    CAMEO_CODES,
    MULTICOPED_TRAIN,
    NGEC_STORIES,
    PETRARCH_GSR,
    UNQUAD_AR,
    UNQUAD_EN,
    UNQUAD_ES,
    UNQUAD_IDS,
    UNSCON_SENTENCES,
    UNSCON_UNITS,
    arabic_gsr_examples,
    cameo_examples,
    multicoped_examples,
    ngec_examples,
    petrarch_examples,
    unquad_examples,
    unscon_all_examples,
)
from training.data.ant import ANT_DIR, ant_examples
from training.data.ant import Part as AntPart
from training.data.fakenews import FAKENEWS_DEVELOPMENT, FAKENEWS_TRAIN, fakenews_examples
from training.data.fakenews import Part as FakeNewsPart
from training.data.fetch import (
    cache_dir_from_env,
    corpus_files,
    data_dir_from_env,
    local_copy,
    project_file,
    resolve_file,
)
from training.data.pairs import WRITTEN, written_adapter
from training.data.sources import (
    Corpus,
    DataError,
    Example,
    LoadedSource,
    Manifest,
    ProjectFile,
    RemoteFile,
)
from training.data.userdata import load_user_file
from training.data.wikicurrent import CONFLICT, ORDINARY_NEWS, WIKICURRENT_DIR, wikicurrent_items
from training.data.wikinews import (
    TOSCA_ECONOMY,
    TOSCA_POLITICS,
    VANATTEVELDT_2019,
    VANATTEVELDT_2020,
    wikinews_examples,
)

__all__ = [
    "ANT_MANIFEST",
    "CAMEO_CODEBOOK",
    "ARABIC_GSR_UNCLEAR",
    "DEFAULT_TRAINING",
    "LANGUAGE_TRAINING",
    "REGISTRY",
    "UNQUAD_IRRELEVANT",
    "WIKICURRENT_MANIFEST",
    "ant_whole_articles",
    "load_corpus",
    "load_sources",
    "public_corpora",
    "scored_rows_only",
]

log = logging.getLogger("escalation.data")

# How UN QuadClass class 0 (irrelevant) is used: as a negative, or dropped. Decide by measurement.
UNQUAD_IRRELEVANT: Literal["negative", "drop"] = "negative"
# How the Arabic GSR's unclear answers (`difficult no`: rejected with a dissent; `ambiguous`) are
# used: dropped (the default: neither clearly escalatory nor clearly calm), or as negatives.
ARABIC_GSR_UNCLEAR: Literal["negative", "drop"] = "drop"


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
_TOSCA = ("Docma-TU/toscaData", "79923805871963be01827c4f70dc51c76272c106")
_VANATTEVELDT = ("vanatteveldt/wikinews", "347254178bf343f3801aac1d03c41cc09c35decb")
_ARABIC_GSR = ("openeventdata/arabic_event_gsr", "d8ff100bda1c15a89ef752c89d7ffad0c1600a92")
_ANT = ("antcorpus/antcorpus.data", "06f6a10e80c7a0e7aee0bba2f0a6372c35c45c83")
_FAKENEWS = ("jpposadas/FakeNewsCorpusSpanish", "732f4870abd8d3f5ab4956fd92b040a7913614e3")
# The CAMEO codebook: code names, Goldstein scores and root codes (a corpus of its examples, and
# the codes of the event features: `training.data.knowledge`).
CAMEO_CODEBOOK = RemoteFile(
    CAMEO_CODES,
    _raw(*_CAMEO, "data-raw/cameo-codes.csv"),
    "6bb520c64069b7d42d7099eba1dc07528533db5e2321f2f8cb6e9ebd24ad56c0",
)

WIKICURRENT_MANIFEST = Manifest(
    Path(__file__).resolve().parent / "manifests" / "wikicurrent.sha256",
    "d1eaf48e7adeb565b8a13bd4dcbcc1bff277348ee3fdbeed0615e3140251570d",
    WIKICURRENT_DIR,
    _raw(*_WIKICURRENT, ""),
)
WIKI_LICENCE = "CC BY-SA 4.0 (Wikipedia text; attribution: Wikipedia Portal:Current events)"
ANT_MANIFEST = Manifest(
    Path(__file__).resolve().parent / "manifests" / "ant.sha256",
    "ee21dea475e4157b82d7fc9a67c4827d2df5f4c54dac9b3168c2fd18f3bbf1e8",
    ANT_DIR,
    _raw(*_ANT, ""),
)
ANT_LICENCE = "Apache-2.0 (cite Chouigui, Ben Khiroun, Elayeb, ANT Corpus, AICCSA 2017)"
FAKENEWS_LICENCE = "CC BY 4.0 (cite Posadas-Duran et al., Spanish fake news corpus, 2019)"

_UNQUAD_IDS_FILE = RemoteFile(
    UNQUAD_IDS,
    _raw(*_UNQUAD, "1_data/es_en/quadclass/ES_EN_DEEPL_quadclass.tsv"),
    "e9def259dea472e7688f6ddd5ca34577c14b98263b55ef4f0b96e88a549dc384",
)
_FAKENEWS_FILES = (
    RemoteFile(
        FAKENEWS_TRAIN,
        _raw(*_FAKENEWS, "train.xlsx"),
        "b091a8fa842ea4c2c9b9c28fe0ed28d6ed8da797ced282c5a4dcd71af2e3c67a",
    ),
    RemoteFile(
        FAKENEWS_DEVELOPMENT,
        _raw(*_FAKENEWS, "development.xlsx"),
        "5a894152170242cb07248d264157b4d3884d86ef42e5ba22e5a6a638787dce57",
    ),
)

Adapter = Callable[[Mapping[str, Path]], Iterator[Example]]


def _unquad_adapter(language: str) -> Adapter:
    """UN QuadClass in one language with class 0 handled per `UNQUAD_IRRELEVANT`."""

    def adapter(paths: Mapping[str, Path]) -> Iterator[Example]:
        return unquad_examples(paths, irrelevant=UNQUAD_IRRELEVANT, language=language)

    return adapter


def _arabic_gsr_adapter(paths: Mapping[str, Path]) -> Iterator[Example]:
    """The Arabic GSR with its unclear answers handled per `ARABIC_GSR_UNCLEAR`."""
    return arabic_gsr_examples(paths, unclear=ARABIC_GSR_UNCLEAR)


def _wiki(name: str, topics: frozenset[str], heldout: bool, description: str) -> Corpus:
    """One selection (topics, part of the days) of the Wikipedia Current events days."""

    def adapter(paths: Mapping[str, Path]) -> Iterator[Example]:
        part: Literal["train", "heldout"] = "heldout" if heldout else "train"
        return wikicurrent_items(paths, topics=topics, part=part, source=name)

    adapter.__doc__ = description
    return Corpus(
        name, (), WIKI_LICENCE, description, not heldout, adapter, True, WIKICURRENT_MANIFEST
    )


def _ant(name: str, part: AntPart, description: str) -> Corpus:
    """One part of the ANT articles (`training.data.ant.Part`)."""

    def adapter(paths: Mapping[str, Path]) -> Iterator[Example]:
        return ant_examples(paths, part=part, source=name)

    adapter.__doc__ = description
    return Corpus(
        name, (), ANT_LICENCE, description, part == "train", adapter, True, ANT_MANIFEST, "ar"
    )


def ant_whole_articles() -> Corpus:
    """ANT's training part under its name, each article whole (title, blank line, body), not cut
    into the titles and sentences training reads: what a study compares them with, and what the
    detection set samples titles and leads from."""
    return _ant("ant", "articles", "ANT Arabic news articles, training part, whole; all 0")


def _fakenews(name: str, part: FakeNewsPart, description: str) -> Corpus:
    """One part (training, held out, unlabelled) of the Spanish news articles."""

    def adapter(paths: Mapping[str, Path]) -> Iterator[Example]:
        return fakenews_examples(paths, part=part, source=name)

    adapter.__doc__ = description
    return Corpus(
        name,
        _FAKENEWS_FILES,
        FAKENEWS_LICENCE,
        description,
        part == "train",
        adapter,
        True,
        language="es",
    )


_WIKI_DAYS = "days whose sha256(date) ends in 0-3 are held out"
_ORDINARY = "sport, business, science, arts, health and disaster items"
_ANT_SPLIT = "articles whose sha256(DOCNO) ends in 0-3 are held out"
_ANT_ORDINARY = "sport, society, economy, culture, technology and diverse"
_ANT_MIXED = "politics, international and local news"
_FAKENEWS_SPLIT = "articles whose sha256(group) ends in 0-3 are held out"
_FAKENEWS_ORDINARY = "sport, science, entertainment, economy, health, education, society"
_UNUSED = "unlabelled: label 0 is a placeholder, never scored (per-topic scores only)"


def _written(language: str, name: str, pairs_sha256: str, senses_sha256: str) -> Corpus:
    """The project's own written sentences of one language (`training.data.pairs`), its two
    files pinned by SHA-256."""
    written = WRITTEN[language]
    return Corpus(
        written.corpus,
        (),
        "MIT (the project's own)",
        f"{name} news sentences written for training by the project "
        "(training/data/pairs/README.md): minimal pairs, 1 = the escalatory member, 0 = the "
        "calm one; ordinary news with the pairs' words in their everyday sense, all 0",
        True,
        written_adapter(written),
        clean_licence=True,
        language=language,
        project_files=(
            ProjectFile(written.pairs_name, written.pairs_path, pairs_sha256),
            ProjectFile(written.senses_name, written.senses_path, senses_sha256),
        ),
    )


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
            (CAMEO_CODEBOOK,),
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
                _UNQUAD_IDS_FILE,
            ),
            "MIT",
            "UN Security Council document sentences in QuadClass, documents up to 2010 only; "
            "1 = material or verbal conflict",
            True,
            _unquad_adapter("en"),
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
        _written(
            "en",
            "English",
            "191d28abb0e12430e61d707e4f901ff1e0e040e6c8478d6080cc0cbacebb955f",
            "be6032f3feb7744059e9f6ed58d7b9fcdd1f6ccca8cc6ca09151ded29b3d2aa8",
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
        Corpus(
            "wikinews",
            (
                RemoteFile(
                    TOSCA_POLITICS,
                    _raw(*_TOSCA, "data/politics.rda"),
                    "baa128d86e27a14a643398ee792706f19b5ab7d3ff3fe7d63fd37d7d0340b761",
                ),
                RemoteFile(
                    TOSCA_ECONOMY,
                    _raw(*_TOSCA, "data/economy.rda"),
                    "7a6cc63c5257146ea3955dd025388de15e659c0740709cf902b8911c995a8301",
                ),
                RemoteFile(
                    VANATTEVELDT_2019,
                    _raw(*_VANATTEVELDT, "data/wikinews_2019.csv"),
                    "d65f87b01244679d01c89ec15616fbd8413e7852732432d5895fa4db9b21ac9e",
                ),
                RemoteFile(
                    VANATTEVELDT_2020,
                    _raw(*_VANATTEVELDT, "data/wikinews_2020.csv"),
                    "42f833b55a848b6a9070c3be7e7ab5e55d3150a3e128419130df5b8283a62f4a",
                ),
            ),
            "CC BY 2.5 (Wikinews); toscaData CC BY 4.0",
            "Wikinews articles (toscaData politics and economy, vanatteveldt 2019-2020) with the "
            "project's own article labels (docs/annotation/article-labels.tsv, evaluation only); "
            "1 = escalatory or mixed, topic = escalatory / mixed / not, mixed not scored",
            False,
            wikinews_examples,
            clean_licence=True,
        ),
        Corpus(
            "unquad-ar",
            (
                RemoteFile(
                    UNQUAD_AR,
                    _raw(*_UNQUAD, "1_data/ar/quadclass/ar_annotations_quad_multiclass.tsv"),
                    "eef69b08c581f7fc622951e9d6a360148b694271a5aeb6dc84e2e0633fef8129",
                ),
                _UNQUAD_IDS_FILE,
            ),
            "MIT",
            "UN Security Council document sentences in QuadClass, the UN's Arabic version, "
            "documents up to 2010 only; 1 = material or verbal conflict",
            True,
            _unquad_adapter("ar"),
            clean_licence=True,
            language="ar",
        ),
        Corpus(
            "unquad-es",
            (
                RemoteFile(
                    UNQUAD_ES,
                    _raw(*_UNQUAD, "1_data/es/quadclass/es_annotations_quad_multiclass.tsv"),
                    "d8bce3757a0794d05a3afdc80d3ab3b203964a03de3334de286350c6f4b60961",
                ),
                _UNQUAD_IDS_FILE,
            ),
            "MIT",
            "UN Security Council document sentences in QuadClass, the UN's Spanish version, "
            "documents up to 2010 only; 1 = material or verbal conflict",
            True,
            _unquad_adapter("es"),
            clean_licence=True,
            language="es",
        ),
        Corpus(
            "arabic-gsr",
            (
                RemoteFile(
                    ARABIC_GSR_ASSAULT,
                    _raw(*_ARABIC_GSR, "assault_gsr.csv"),
                    "3a54ab330d896ba2fe1252ca5ca2f1d458c5a374b4a5f95f92d3b5da205b4268",
                ),
                RemoteFile(
                    ARABIC_GSR_PROTEST,
                    _raw(*_ARABIC_GSR, "protest_gsr.csv"),
                    "88dfc95b3a96ad9d2cf2ec008fdbbd75380247fee91561d6d975a91d95ea6736",
                ),
            ),
            "unclear (MIT annotations of sentences quoted from a licensed newswire corpus); "
            "cite openeventdata/arabic_event_gsr",
            "Arabic newswire sentences judged for a new assault or protest event, the project's "
            "half only (sha256 of the text ends in an even hex digit); 1 = unanimous yes, "
            "0 = unanimous no, the unclear answers dropped",
            True,
            _arabic_gsr_adapter,
            clean_licence=False,
            language="ar",
        ),
        _ant(
            "ant",
            "train",
            f"ANT Arabic news articles (JawharaFM), ordinary categories ({_ANT_ORDINARY}), "
            f"training part, each article's title and sentences a row; all 0 ({_ANT_SPLIT})",
        ),
        _ant(
            "ant-heldout",
            "heldout",
            f"ANT Arabic news articles, ordinary categories ({_ANT_ORDINARY}), held-out part, "
            "whole (evaluation only); all 0",
        ),
        _ant(
            "ant-heldout-titles",
            "titles",
            "ANT Arabic news articles, ordinary categories, the held-out part's titles alone "
            "(evaluation only; a title that is also a training row left out); all 0",
        ),
        _ant(
            "ant-mixed",
            "mixed",
            f"ANT Arabic news articles of the mixed categories ({_ANT_MIXED}), evaluation only; "
            f"{_UNUSED}",
        ),
        _fakenews(
            "fakenews-es",
            "train",
            f"Spanish news articles, true and fake, ordinary topics ({_FAKENEWS_ORDINARY}), "
            f"training part; all 0 ({_FAKENEWS_SPLIT})",
        ),
        _fakenews(
            "fakenews-es-heldout",
            "heldout",
            f"Spanish news articles, true and fake, ordinary topics ({_FAKENEWS_ORDINARY}), "
            "held-out part (evaluation only); all 0",
        ),
        _fakenews(
            "fakenews-es-mixed",
            "mixed",
            "Spanish news articles, true and fake, on politics and security, evaluation only; "
            f"{_UNUSED}",
        ),
        _written(
            "ar",
            "Arabic",
            "8bc1e29e6ad4718a1db8030331357ab9950ae46bab08f5fba3ee5bd05a2e7334",
            "e74ae294bd91abdcbaae133f1ccafcca58afe06030f5d6ba2894b380a1fd15d0",
        ),
        _written(
            "es",
            "Spanish",
            "3fd9abd2eb2ace63ab48fb680158f1430be74f3eabef471d767a8703e062033b",
            "00def213899ebfdb08ff4901f791f8183438cfd5f518600a6aaecb910a42e470",
        ),
    )
}


def public_corpora(names: Sequence[str]) -> tuple[str, ...]:
    """The registered public corpora among `names`: neither the project's own written
    sentences nor user files."""
    return tuple(n for n in names if n in REGISTRY and not REGISTRY[n].project_files)


def scored_rows_only(corpus: Corpus) -> Corpus:
    """The same corpus without its training-only rows (e.g. CAMEO without code definitions)."""

    def adapter(paths: Mapping[str, Path]) -> Iterator[Example]:
        return (e for e in corpus.adapter(paths) if e.evaluate)

    return replace(corpus, adapter=adapter)


# The four political and diplomatic corpora, ordinary news (negatives) and armed-conflict news
# items from Wikipedia, Multi-CoPED's real news sentences, and the project's own minimal pairs
# and everyday senses (docs/decisions.md).
DEFAULT_TRAINING: tuple[str, ...] = (
    "unscon",
    "cameo",
    "ngec",
    "unquad",
    "wikicurrent",
    "wikiconflict",
    "multicoped",
    "pairs",
)
# The training corpora of each language (ISO 639-1), what `escalation-train` trains by default;
# English's is `DEFAULT_TRAINING`.
LANGUAGE_TRAINING: dict[str, tuple[str, ...]] = {
    "en": DEFAULT_TRAINING,
    "ar": ("unquad-ar", "arabic-gsr", "ant", "pairs-ar"),
    "es": ("unquad-es", "fakenews-es", "pairs-es"),
}


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
    files = corpus_files(corpus)
    missing = [f for f in files if local_copy(f, data_dir=data_dir, cache_dir=cache_dir) is None]
    if missing:
        log.info(
            "%s: downloading %d of %d files into %s", name, len(missing), len(files), cache_dir
        )
    with progress.bar(files, desc=f"{name} files", unit="file", show=len(files) > 1) as shown:
        local = {f.path: resolve_file(f, data_dir=data_dir, cache_dir=cache_dir) for f in shown}
    local.update({f.name: project_file(f) for f in corpus.project_files})
    return LoadedSource(name=name, examples=tuple(corpus.adapter(local)), files=corpus.provenance())


def load_sources(
    specs: Sequence[str],
    *,
    positive_class: str | None = None,
    negative_classes: Sequence[str] = (),
    data_dir: Path | None = None,
    cache_dir: Path | None = None,
) -> list[LoadedSource]:
    """Load each spec: a registered corpus name, else an existing user file."""
    seen: set[str] = set()
    loaded = []
    with progress.bar(specs, desc="reading corpora", unit="source") as shown:
        for spec in shown:
            shown.set_postfix_str(spec)
            if spec in seen:
                raise DataError(f"{spec}: listed more than once")
            seen.add(spec)
            if spec in REGISTRY:
                loaded.append(load_corpus(spec, data_dir=data_dir, cache_dir=cache_dir))
            elif Path(spec).is_file():
                loaded.append(
                    load_user_file(
                        Path(spec), positive_class=positive_class, negative_classes=negative_classes
                    )
                )
            else:
                raise DataError(
                    f"{spec}: neither a registered corpus ({', '.join(REGISTRY)}) "
                    "nor an existing file"
                )
    return loaded
