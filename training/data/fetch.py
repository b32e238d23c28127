"""Pinned files on disk: the mirror (`ESCALATION_DATA_DIR`), else the cache, else a download
into the cache; every file is checked against its SHA-256 (listed, or in a pinned manifest)."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import urllib.request
from collections.abc import Callable
from pathlib import Path

from training.data.sources import Corpus, DataError, Manifest, RemoteFile

__all__ = [
    "cache_dir_from_env",
    "corpus_files",
    "data_dir_from_env",
    "manifest_files",
    "resolve_file",
]

_CHUNK = 1 << 20
_MANIFEST_LINE = re.compile(r"([0-9a-f]{64}) [ *]([\w.-]+(?:/[\w.-]+)*)")


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


def corpus_files(corpus: Corpus) -> tuple[RemoteFile, ...]:
    """Every pinned file of a corpus: those listed, then each file of its manifest."""
    return corpus.files + (manifest_files(corpus.manifest) if corpus.manifest else ())
