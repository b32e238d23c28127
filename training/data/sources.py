"""What a corpus and a loaded source are: pinned files, registry entries, examples, errors."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Corpus",
    "DataError",
    "Example",
    "LoadedSource",
    "Manifest",
    "ProjectFile",
    "RemoteFile",
    "SourceFile",
    "file_records",
]


@dataclass(frozen=True)
class Example:
    """One labelled text: label 1 = escalatory/conflictual, 0 = cooperative/neutral."""

    text: str
    label: int
    group: str  # the unit cross-validation must never split
    source: str  # corpus name, or the user file's name
    weight: float = 1.0
    # False for rows that only help training (the CAMEO codebook's own name and description):
    # they are fitted on but never scored as evaluation targets.
    evaluate: bool = True
    topic: str = ""  # a finer subject where the corpus has one (e.g. wikicurrent's headings)


class DataError(ValueError):
    """A problem with input data; the message names the file, the line and the problem."""


@dataclass(frozen=True)
class RemoteFile:
    """One upstream file: its path in the mirror/cache, its pinned raw URL and its SHA-256."""

    path: str
    url: str
    sha256: str


@dataclass(frozen=True)
class ProjectFile:
    """A file the project wrote and ships in its package (its own training pairs), pinned by
    SHA-256 as an upstream file is: `path` where it is read, `name` how manifests name it."""

    name: str
    path: Path
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
    # MIT, Apache-2.0 or Creative Commons: usable in a model that must be cleanly licensed
    clean_licence: bool = False
    manifest: Manifest | None = None
    language: str = "en"  # ISO 639-1 code of the texts
    project_files: tuple[ProjectFile, ...] = ()

    def provenance(self) -> tuple[SourceFile, ...]:
        """The files that pin the corpus: those listed, the project's own, and the manifest
        rather than its items."""
        listed = tuple(SourceFile(f.path, f.sha256) for f in self.files) + tuple(
            SourceFile(f.name, f.sha256) for f in self.project_files
        )
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


def file_records(files: Iterable[SourceFile]) -> list[dict[str, str]]:
    """Files as a manifest records them: the path and SHA-256 of each, in order."""
    return [{"path": f.path, "sha256": f.sha256} for f in files]


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
