"""Knowledge the features are made of, not labelled text: the CAMEO verb pattern dictionary of
the PETRARCH-2 event coder and the CAMEO codebook's codes (names, Goldstein scores, root codes).

Both are pinned by URL and SHA-256 and found like the corpora (`training.data.fetch`: the
mirror, else the cache, else downloaded). Training compiles them into `model.events.EventPatterns`,
which travels inside the model: scoring never reads these files.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from model.events import EventCode, EventPatterns, read_codes
from training.data.fetch import cache_dir_from_env, data_dir_from_env, resolve_file
from training.data.registry import CAMEO_CODEBOOK
from training.data.sources import RemoteFile

CAMEO_DICTIONARY = RemoteFile(
    "petrarch/CAMEO.2.0.txt",
    "https://raw.githubusercontent.com/openeventdata/petrarch2/"
    "676801cd9cb2924bbbad09f86d15c9323e7097bf/petrarch2/data/dictionaries/CAMEO.2.0.txt",
    "4a442ee42f7574651ec1c594f127353cdffbf18fa97b207ad5d8298a3cfaa08f",
)
# Each file and its licence, as the manifest and the model card list them.
KNOWLEDGE: tuple[tuple[RemoteFile, str], ...] = (
    (CAMEO_DICTIONARY, "MIT (PETRARCH-2, Open Event Data Alliance)"),
    (CAMEO_CODEBOOK, "MIT (CAMEO codebook as andybega/icews ships it)"),
)


def event_sources() -> list[dict[str, str]]:
    """The files the event patterns are compiled from, with their SHA-256 and licence."""
    return [{"path": f.path, "sha256": f.sha256, "licence": licence} for f, licence in KNOWLEDGE]


@cache
def event_patterns(data_dir: Path | None = None, cache_dir: Path | None = None) -> EventPatterns:
    """The compiled CAMEO verb patterns (verified files: the mirror given, else the environment's
    `ESCALATION_DATA_DIR`, else the cache, else downloaded)."""
    dictionary = _resolve(CAMEO_DICTIONARY, data_dir, cache_dir).read_text(encoding="utf-8")
    return EventPatterns.compile(dictionary, _codebook_text(data_dir, cache_dir))


def codebook(data_dir: Path | None = None, cache_dir: Path | None = None) -> dict[str, EventCode]:
    """Every CAMEO code with its name, root and Goldstein score (root codes included)."""
    return read_codes(_codebook_text(data_dir, cache_dir))


def _codebook_text(data_dir: Path | None, cache_dir: Path | None) -> str:
    """The codebook's text: Latin-1 (its example sentences hold stray bytes; the codes are
    ASCII)."""
    return _resolve(CAMEO_CODEBOOK, data_dir, cache_dir).read_text(encoding="latin-1")


def _resolve(f: RemoteFile, data_dir: Path | None, cache_dir: Path | None) -> Path:
    """A verified local copy: the mirror given, else the environment's, else the cache."""
    return resolve_file(
        f,
        data_dir=data_dir if data_dir is not None else data_dir_from_env(),
        cache_dir=cache_dir if cache_dir is not None else cache_dir_from_env(),
    )
