"""The article sample for annotation: a fixed rule, and the texts exported for the annotators
outside the repository.

    .venv/bin/python -m training.data.annotation --out /tmp/wikinews-sample
    .venv/bin/python -m training.data.annotation --merge /tmp/wikinews-sample/index.tsv A.tsv B.tsv

Rule: among articles whose body has at least `MIN_BODY` characters, each stratum's ids are
ordered by sha256(f"{SEED}:{id}") and the first ones taken (100 tosca-politics, 60 of
vanatteveldt 2019 + 2020 together, 80 tosca-economy, drawn in that order); an article in both
toscaData files (same meta id) is drawn at most once. The files are numbered 1..240 in the order
of sha256(f"{SEED}:order:{id}"), which mixes the sources. The committed sample lists ids sorted,
so it does not reveal the numbering.
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Sequence
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

from training.data.fetch import cache_dir_from_env, data_dir_from_env, resolve_file
from training.data.registry import REGISTRY
from training.data.wikinews import LABELS_FILE, REPO_ROOT, Article, wikinews_articles, write_tsv

# The rule's seed, an opaque string: the committed sample (`SAMPLE_FILE`) was drawn with it;
# another draws another.
SEED = "issue-18"
MIN_BODY = 200
MAX_EXPORT = 6000
STRATA: tuple[tuple[tuple[str, ...], int], ...] = (
    (("tosca-politics",), 100),
    (("vanatteveldt-2019", "vanatteveldt-2020"), 60),
    (("tosca-economy",), 80),
)
SAMPLE_FILE = REPO_ROOT / "docs" / "annotation" / "article-sample.tsv"
TRUNCATED = "[... truncated here: the article goes on for {n:,} more characters]"


def _key(*parts: str) -> str:
    """The sort key of the rule: sha256 of the parts joined with ':'."""
    return hashlib.sha256(":".join(parts).encode("utf-8")).hexdigest()


def _tosca_key(article_id: str) -> str | None:
    """The toscaData meta id shared by the politics and economy files, else None."""
    source, rest = article_id.split(":", 1)
    return rest if source.startswith("tosca-") else None


def draw_sample(articles: Sequence[Article], seed: str = SEED) -> list[Article]:
    """The sample by the module's rule, in its neutral (numbering) order."""
    chosen: list[Article] = []
    taken: set[str] = set()
    for sources, size in STRATA:
        pool = sorted(
            (a for a in articles if a.source in sources and len(a.body) >= MIN_BODY),
            key=lambda a: _key(seed, a.id),
        )
        picked = [a for a in pool if _tosca_key(a.id) not in taken][:size]
        if len(picked) < size:
            raise ValueError(f"{'+'.join(sources)}: only {len(picked)} articles for {size}")
        chosen.extend(picked)
        taken.update(k for a in picked if (k := _tosca_key(a.id)) is not None)
    return sorted(chosen, key=lambda a: _key(seed, "order", a.id))


def export_text(article: Article, limit: int = MAX_EXPORT) -> str:
    """What an annotator reads: title, a blank line, the body (cut at `limit` with a marker)."""
    body = article.body
    if len(body) > limit:
        body = f"{body[:limit].rstrip()}\n\n{TRUNCATED.format(n=len(body) - limit)}"
    return f"{article.title}\n\n{body}\n"


def export(sample: Sequence[Article], out: Path) -> None:
    """`<n>.txt` per article (n = 1.., the sample's order, no id inside) and index.tsv."""
    out.mkdir(parents=True, exist_ok=True)
    for n, article in enumerate(sample, start=1):
        (out / f"{n}.txt").write_text(export_text(article), encoding="utf-8")
    index = write_tsv([("n", "id"), *((str(n), a.id) for n, a in enumerate(sample, start=1))])
    (out / "index.tsv").write_text(index, encoding="utf-8")


def sample_tsv(sample: Sequence[Article]) -> str:
    """The committed sample list: ids only, sorted."""
    return write_tsv([("id",), *((i,) for i in sorted(a.id for a in sample))])


CLASSES = ("escalatory", "mixed", "not")


def read_pass(path: Path) -> dict[int, str]:
    """One annotator's `n<TAB>label[<TAB>note]` lines; the last line for an n counts."""
    labels: dict[int, str] = {}
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        n, label = line.split("\t")[:2]
        if label not in CLASSES:
            raise ValueError(f"{path}:{line_no}: unknown label {label!r}")
        labels[int(n)] = label
    return labels


def read_index(path: Path) -> dict[int, str]:
    """The export's index.tsv: file number -> article id."""
    rows = path.read_text(encoding="utf-8").splitlines()[1:]
    return {int(n): article_id for n, article_id in (r.split("\t") for r in rows if r)}


def merge(index: dict[int, str], a: dict[int, str], b: dict[int, str]) -> tuple[str, float]:
    """The labels file (`label` where both passes agree, else empty) and Cohen's kappa of the
    two passes over the three classes, on the articles both labelled."""
    both = sorted(set(a) & set(b))
    kappa = float(cohen_kappa_score([a[n] for n in both], [b[n] for n in both]))
    rows = sorted((index[n], a[n] if a[n] == b[n] else "", a[n], b[n]) for n in both)
    return write_tsv([("id", "label", "annotator_a", "annotator_b"), *rows]), kappa


def main(argv: Sequence[str] | None = None) -> int:
    """Draw the sample, write the id list and export the texts; or merge two passes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="folder for <n>.txt, index.tsv")
    parser.add_argument("--sample-file", type=Path, default=SAMPLE_FILE)
    parser.add_argument(
        "--merge",
        nargs=3,
        type=Path,
        metavar=("INDEX", "PASS_A", "PASS_B"),
        help="write the labels file from two annotators' passes and print Cohen's kappa",
    )
    args = parser.parse_args(argv)
    if args.merge:
        index_path, pass_a, pass_b = args.merge
        index = {
            int(n): i
            for n, i in (r.split("\t") for r in index_path.read_text().split("\n")[1:] if r)
        }
        text, kappa = merge(index, read_pass(pass_a), read_pass(pass_b))
        LABELS_FILE.write_text(text, encoding="utf-8")
        rows = text.splitlines()[1:]
        agreed = [r.split("\t")[1] for r in rows if r.split("\t")[1]]
        counts = ", ".join(f"{c} {agreed.count(c)}" for c in CLASSES)
        print(f"{len(rows)} articles, {len(agreed)} agreed ({counts}); Cohen's kappa {kappa:.3f}")
        return 0
    if args.out is None:
        parser.error("--out or --merge is required")
    data_dir, cache_dir = data_dir_from_env(), cache_dir_from_env()
    paths = {
        f.path: resolve_file(f, data_dir=data_dir, cache_dir=cache_dir)
        for f in REGISTRY["wikinews"].files
    }
    sample = draw_sample(wikinews_articles(paths))
    args.sample_file.write_text(sample_tsv(sample), encoding="utf-8")
    export(sample, args.out)
    print(f"{len(sample)} articles: {args.sample_file}, {args.out}/1..{len(sample)}.txt")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
