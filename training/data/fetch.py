"""Pinned files on disk: the mirror (`ESCALATION_DATA_DIR`), else the cache, else a download
into the cache; every file is checked against its SHA-256 (listed, or in a pinned manifest).

Downloads go through pooch: into a temporary file beside the target, checked against the pinned
SHA-256, then moved into place; retried `RETRIES` times after a network error or a corrupt copy;
a bar of bytes on a terminal (`model.progress`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from model import progress
from training.data.sources import Corpus, DataError, Manifest, ProjectFile, RemoteFile

__all__ = [
    "RETRIES",
    "Downloader",
    "cache_dir_from_env",
    "corpus_files",
    "data_dir_from_env",
    "http_downloader",
    "local_copy",
    "manifest_files",
    "project_file",
    "resolve_file",
]

# pooch's downloader protocol: (url, output file, the calling Pooch) -> None.
Downloader = Callable[[str, Any, Any], None]

RETRIES = 3  # further attempts after a failed or corrupt download (pooch waits 1, 2, 3 s)
TIMEOUT = 60  # seconds without an answer before an attempt fails
_CHUNK = 1 << 16
_MANIFEST_LINE = re.compile(r"([0-9a-f]{64}) [ *]([\w.-]+(?:/[\w.-]+)*)")

log = logging.getLogger("escalation.data")


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
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _verify(path: Path, name: str, sha256: str, hint: str = "") -> None:
    """Raise `DataError` unless `path` (the file `name`) has the pinned SHA-256."""
    actual = _sha256(path)
    if actual != sha256:
        raise DataError(
            f"{path}: checksum mismatch for {name}: expected sha256 {sha256}, got {actual}{hint}"
        )


def _pooch() -> Any:
    """The pooch module, its own per-file log lines off (retries are logged here)."""
    import pooch

    pooch.get_logger().setLevel(logging.WARNING)
    return pooch


class _BytesBar:
    """The progress-bar object pooch's HTTP downloader drives, shown as a tqdm bar of bytes."""

    def __init__(self, shown: Any) -> None:
        self._shown = shown

    def __bool__(self) -> bool:  # pooch tests the object before it knows the size
        return True

    @property
    def total(self) -> int:
        return int(self._shown.total or 0)

    @total.setter
    def total(self, value: int) -> None:
        self._shown.total = value or None  # no Content-Length: a count without a percentage
        self._shown.refresh()

    def update(self, n: int) -> None:
        self._shown.update(n)

    def reset(self) -> None:
        self._shown.reset()

    def close(self) -> None:
        self._shown.close()


def http_downloader(name: str) -> Downloader:
    """pooch's HTTP(S) downloader (`TIMEOUT`), with a bar of bytes named `name` on a terminal."""

    def download(url: str, output_file: Any, pup: Any) -> None:
        pooch = _pooch()
        with progress.bar(desc=name, unit="B", unit_scale=True, unit_divisor=1024) as shown:
            bar = False if shown.disable else _BytesBar(shown)
            downloader = pooch.HTTPDownloader(progressbar=bar, chunk_size=_CHUNK, timeout=TIMEOUT)
            downloader(url, output_file, pup)

    return download


class _Attempts:
    """A downloader that remembers each attempt: its problem (logged when retried) and the
    SHA-256 of what it wrote, for the error message pooch's own does not carry."""

    def __init__(self, f: RemoteFile, downloader: Downloader, retries: int) -> None:
        self.f, self.downloader, self.retries = f, downloader, retries
        self.attempts = 0
        self.problem: str | None = None
        self.sha256: str | None = None

    def __call__(self, url: str, output_file: Any, pup: Any) -> None:
        if self.problem is not None:
            log.warning(
                "%s: %s; trying again (attempt %d of %d)",
                url,
                self.problem,
                self.attempts + 1,
                self.retries + 1,
            )
        self.attempts += 1
        self.problem = self.sha256 = None
        try:
            self.downloader(url, output_file, pup)
        except Exception as exc:
            self.problem = str(exc) or type(exc).__name__
            raise
        self.sha256 = _sha256(Path(output_file))
        if self.sha256 != self.f.sha256:
            self.problem = f"checksum mismatch: got sha256 {self.sha256}"


def resolve_file(
    f: RemoteFile,
    *,
    data_dir: Path | None,
    cache_dir: Path,
    downloader: Downloader | None = None,
    retries: int = RETRIES,
) -> Path:
    """A verified local copy of `f`: from the mirror, else the cache, else downloaded into the
    cache (by `downloader`, default `http_downloader`, retried `retries` times)."""
    if data_dir is not None and (data_dir / f.path).is_file():
        mirrored = data_dir / f.path
        _verify(mirrored, f.path, f.sha256)
        return mirrored
    cached = cache_dir / f.path
    if cached.is_file():
        _verify(cached, f.path, f.sha256, "; delete the cached file to download it again")
        return cached
    return _download(f, cache_dir, downloader or http_downloader(f.path), retries)


def local_copy(f: RemoteFile, *, data_dir: Path | None, cache_dir: Path) -> Path | None:
    """Where `resolve_file` finds `f` without downloading it (unverified), else None."""
    if data_dir is not None and (data_dir / f.path).is_file():
        return data_dir / f.path
    cached = cache_dir / f.path
    return cached if cached.is_file() else None


def _download(f: RemoteFile, cache_dir: Path, downloader: Downloader, retries: int) -> Path:
    """Download `f` into the cache with pooch; `DataError` when every attempt failed."""
    try:
        pooch = _pooch()
    except ImportError as exc:
        raise DataError(
            f"downloading {f.url} needs the `train` extra (pooch): "
            "pip install -c constraints.txt -e '.[train]', or set ESCALATION_DATA_DIR to a local "
            f"mirror holding {f.path}"
        ) from exc
    attempts = _Attempts(f, downloader, retries)
    store = pooch.create(
        path=cache_dir,
        base_url="",
        registry={f.path: f"sha256:{f.sha256}"},
        urls={f.path: f.url},
        retry_if_failed=retries,
        allow_updates=False,
    )
    try:
        store.fetch(f.path, downloader=attempts)
    except Exception as exc:
        tries = f" ({attempts.attempts} attempts)" if attempts.attempts > 1 else ""
        if attempts.sha256 is not None and attempts.sha256 != f.sha256:
            raise DataError(
                f"{f.url}: checksum mismatch for {f.path}: expected sha256 {f.sha256}, "
                f"got {attempts.sha256}{tries}"
            ) from exc
        raise DataError(
            f"could not download {f.url} ({attempts.problem or exc}{tries}); set "
            f"ESCALATION_DATA_DIR to a local mirror holding {f.path}"
        ) from exc
    return cache_dir / f.path


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


def project_file(f: ProjectFile) -> Path:
    """The project's own file, after checking it against its pinned SHA-256 (an edit must be
    pinned anew in the registry, so that a model trained on the old file is retrained)."""
    try:
        _verify(
            f.path,
            f.name,
            f.sha256,
            "; the registry pins the expected one: pin the edited file anew",
        )
    except OSError as exc:
        raise DataError(f"{f.path}: cannot read {f.name}: {exc}") from exc
    return f.path


def corpus_files(corpus: Corpus) -> tuple[RemoteFile, ...]:
    """Every pinned file of a corpus: those listed, then each file of its manifest."""
    return corpus.files + (manifest_files(corpus.manifest) if corpus.manifest else ())
