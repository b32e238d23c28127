"""The contrast set and the phrases a reader trusts, for the evaluation report and `bench`.

The contrast sets: minimal pairs of news sentences that differ only in what happened, English's
in `docs/contrast/pairs-*.tsv` (two writers, written independently), Arabic's and Spanish's in
`docs/contrast/ar/` and `docs/contrast/es/`; evaluation files, never trained or tuned on. Each
member is scored by the model of the set's language (its `Scorer`, as the service scores a text
that language names or is routed to); per category and in all: pairs ordered right (the
escalatory member scores strictly higher), escalatory members at `high` or above, calm members
at `high` or above.

The phrases a reader trusts: of a text set, the share of texts whose first `TOP` escalating
phrases (`ArticleScore.phrases`) hold a junk phrase, one whose every word is an English stop word
(scikit-learn's `ENGLISH_STOP_WORDS`: "on", "were … from") or a bare number ("2014"; "2 billion"
is not), the "…" of event phrases and of cut phrase texts dropped first. The text sets: both
members of every contrast pair, and the Wikinews articles both annotators labelled (every row of
`docs/annotation/article-labels.tsv`, agreed or not).
"""

from __future__ import annotations

import csv
import subprocess
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from model import Scorer
from model.artifact import ArtifactError
from model.routing import Router
from model.scoring import DEFAULT_TOP_K
from training.data.sources import DataError
from training.data.wikinews import LABELS_FILE, REPO_ROOT, read_labels
from training.evaluation.articles import ArticleData

CONTRAST_DIR = REPO_ROOT / "docs" / "contrast"
# The commit that added the pairs, for a checkout without git history: a source tarball (or an
# sdist) carries the files but not the log `pairs_commit` reads, and the report still names it.
CONTRAST_COMMIT = "250f75a"
HIGH = "high"
# Targets (docs/quality.md): all pairs ordered right, escalatory and calm members at high+.
ORDERED_TARGET = 0.95  # at least
ESCALATORY_HIGH_TARGET = 0.80  # at least
CALM_HIGH_TARGET = 0.10  # at most

TOP = 5  # the escalating phrases a reader sees first
SHOWN = 15  # the most frequent junk phrases shown per text set
ELLIPSIS = "\u2026"  # between the words of an event phrase; at the end of a cut phrase text
TARGET = 0.10  # the share of texts with a junk phrase among the top ones, at most


# --- the contrast set ----------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    """One minimal pair."""

    id: str
    category: str
    escalatory: str
    calm: str


def contrast_dir(language: str = "en") -> Path:
    """Where a language's contrast pairs are: English's in `docs/contrast/`, the others' in its
    folder of the language's code (`docs/contrast/ar/`)."""
    return CONTRAST_DIR if language == "en" else CONTRAST_DIR / language


def pair_files(directory: Path = CONTRAST_DIR) -> list[Path]:
    """The pairs files, in name order."""
    return sorted(directory.glob("pairs-*.tsv"))


def read_pairs(directory: Path = CONTRAST_DIR) -> list[Pair]:
    """Every pair of every `pairs-*.tsv` file, in file order."""
    pairs = []
    for path in pair_files(directory):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                pairs.append(Pair(row["id"], row["category"], row["escalatory"], row["calm"]))
    return pairs


def pairs_commit(root: Path = REPO_ROOT) -> str:
    """The commit that added `docs/contrast/pairs-a.tsv`, from git when this is a checkout with
    its history, else `CONTRAST_COMMIT`."""
    try:
        done = subprocess.run(
            [
                *("git", "-C", str(root), "log", "--diff-filter=A", "--format=%h"),
                *("--", "docs/contrast/pairs-a.tsv"),
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return CONTRAST_COMMIT
    added = done.stdout.split()
    return added[-1] if added else CONTRAST_COMMIT  # the first addition: the log is newest first


@dataclass(frozen=True)
class Member:
    """One scored text: its score, level and first escalating phrase texts."""

    score: float
    level: str
    phrases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScoredPair:
    """A pair and both its members as scored."""

    pair: Pair
    escalatory: Member
    calm: Member

    @property
    def ordered_right(self) -> bool:
        """Whether the escalatory member scores strictly higher."""
        return self.escalatory.score > self.calm.score


def language_scorer(router: Router, language: str = "en") -> Scorer:
    """The router's model of `language`, which scores a text as the service scores a text of
    that language; ArtifactError when the router has none."""
    scorer = router.scorers.get(language)
    if scorer is None:
        raise ArtifactError(f"{router.version} has no model of {language!r}")
    return scorer


def score_member(scorer: Scorer, text: str, top: int = TOP) -> Member:
    """One text scored by one language's model, with its first `top` escalating phrases."""
    result = scorer.score(text, top_k=max(top, DEFAULT_TOP_K))
    if result.score is None:  # a scorer scores every text; the type allows an unscored one
        raise ArtifactError(f"{scorer.language}: a text was not scored")
    return Member(result.score, result.level, tuple(p.text for p in result.phrases[:top]))


def score_pairs(scorer: Scorer, pairs: Iterable[Pair], top: int = TOP) -> list[ScoredPair]:
    """Both members of every pair, scored by one language's model."""
    return [
        ScoredPair(
            pair, score_member(scorer, pair.escalatory, top), score_member(scorer, pair.calm, top)
        )
        for pair in pairs
    ]


@dataclass(frozen=True)
class Counts:
    """Pairs of one category (or of all), and how many met each condition."""

    pairs: int
    ordered_right: int
    escalatory_high: int
    calm_high: int

    def shares(self) -> dict[str, float]:
        """Each count as a share of the pairs."""
        n = self.pairs
        return {
            "ordered_right": self.ordered_right / n,
            "escalatory_high": self.escalatory_high / n,
            "calm_high": self.calm_high / n,
        }


def summarise(scored: Iterable[ScoredPair], high: float) -> dict[str, Counts]:
    """Counts per category, in name order, then over all pairs (key "all"); a member is at
    `high` or above when its score is at least `high`."""
    by: dict[str, list[ScoredPair]] = {}
    every = list(scored)
    for row in every:
        by.setdefault(row.pair.category, []).append(row)

    def counts(rows: Sequence[ScoredPair]) -> Counts:
        return Counts(
            len(rows),
            sum(r.ordered_right for r in rows),
            sum(r.escalatory.score >= high for r in rows),
            sum(r.calm.score >= high for r in rows),
        )

    return {name: counts(by[name]) for name in sorted(by)} | {"all": counts(every)}


def pair_rows(scored: Iterable[ScoredPair]) -> list[dict[str, Any]]:
    """One JSON-ready row per pair: id, category, each member's score and level, ordered right."""
    return [
        {
            "id": r.pair.id,
            "category": r.pair.category,
            "escalatory_score": r.escalatory.score,
            "escalatory_level": r.escalatory.level,
            "calm_score": r.calm.score,
            "calm_level": r.calm.level,
            "ordered_right": r.ordered_right,
        }
        for r in scored
    ]


def contrast_figures(
    scored: Sequence[ScoredPair], high: float, files: Sequence[str], commit: str
) -> dict[str, Any]:
    """The contrast set's JSON-ready figures: where the pairs come from, the summary per category
    and in all (counts and shares), the targets, and every pair's row."""
    return {
        "files": list(files),
        "commit": commit,
        "high": high,
        "targets": {
            "ordered_right": {"at_least": ORDERED_TARGET},
            "escalatory_high": {"at_least": ESCALATORY_HIGH_TARGET},
            "calm_high": {"at_most": CALM_HIGH_TARGET},
        },
        "summary": summary_figures(scored, high),
        "pairs": pair_rows(scored),
    }


def summary_figures(scored: Sequence[ScoredPair], high: float) -> dict[str, Any]:
    """`summarise` as JSON-ready figures: per category and in all, the counts and their shares."""
    return {name: {**vars(c), "shares": c.shares()} for name, c in summarise(scored, high).items()}


# --- the phrases a reader trusts -----------------------------------------------------------


def words(phrase: str) -> list[str]:
    """The words of a phrase text, lower-cased, without the "…" of event or cut phrases."""
    out = (w.strip(ELLIPSIS).lower() for w in phrase.split())
    return [w for w in out if w]


def stop_only(phrase: str) -> bool:
    """Whether every word of the phrase is an English stop word (False for no words)."""
    ws = words(phrase)
    return bool(ws) and all(w in ENGLISH_STOP_WORDS for w in ws)


def number_only(phrase: str) -> bool:
    """Whether every word of the phrase is a bare number, all digits (False for no words)."""
    ws = words(phrase)
    return bool(ws) and all(w.isdigit() for w in ws)


@dataclass(frozen=True)
class Flags:
    """What one text's top phrases hold: stop-word-only and number-only phrases, in order."""

    stop: tuple[str, ...]
    number: tuple[str, ...]

    @property
    def any(self) -> bool:
        """Whether the top phrases hold either kind."""
        return bool(self.stop or self.number)


def flag(phrases: Iterable[str]) -> Flags:
    """The junk among one text's top phrases (the caller cuts them to the top ones)."""
    texts = list(phrases)
    return Flags(tuple(p for p in texts if stop_only(p)), tuple(p for p in texts if number_only(p)))


@dataclass
class Tally:
    """Flags counted over a text set, and how often each junk phrase was among the top ones."""

    texts: int = 0
    stop: int = 0
    number: int = 0
    either: int = 0
    offenders: Counter[str] = field(default_factory=Counter)

    def add(self, flags: Flags) -> None:
        """Count one text's flags (a phrase at most once per text)."""
        self.texts += 1
        self.stop += bool(flags.stop)
        self.number += bool(flags.number)
        self.either += flags.any
        self.offenders.update(dict.fromkeys((*flags.stop, *flags.number), 1))

    def figures(self) -> dict[str, Any]:
        """JSON-ready: the counts, their shares of the texts (None without texts), and every
        junk phrase with the number of texts it was among the top ones of, most frequent first."""
        n = self.texts
        return {
            "texts": n,
            "stop": self.stop,
            "number": self.number,
            "either": self.either,
            "shares": {
                k: (v / n if n else None)
                for k, v in (("stop", self.stop), ("number", self.number), ("either", self.either))
            },
            "offenders": dict(self.offenders.most_common()),
        }


def tally(top_phrases: Iterable[Sequence[str]]) -> Tally:
    """Count the flags of many texts, each given as its top phrase texts."""
    out = Tally()
    for phrases in top_phrases:
        out.add(flag(phrases))
    return out


def contrast_texts(pairs: Iterable[Pair] | None = None) -> list[str]:
    """Every member of every contrast pair (default: `read_pairs()`): escalatory, then calm."""
    chosen = read_pairs() if pairs is None else pairs
    return [text for pair in chosen for text in (pair.escalatory, pair.calm)]


def annotated_texts(data: ArticleData | None = None) -> list[str]:
    """The texts of the articles both annotators labelled (agreed or not), in labels-file order,
    from `data` (default: read by `ArticleData.load`)."""
    by_id = {a.id: a for a in (data or ArticleData.load()).every}
    rows = read_labels(LABELS_FILE.read_text(encoding="utf-8"), str(LABELS_FILE))
    return [by_id[row["id"]].text for _, row in rows]


def top_phrases(router: Router, texts: Iterable[str], top: int = TOP) -> list[tuple[str, ...]]:
    """Each text's first `top` escalating phrase texts, scored as English."""
    scorer = language_scorer(router)
    return [score_member(scorer, text, top).phrases for text in texts]


# --- the report's sections -----------------------------------------------------------------


def report_figures(
    router: Router, data: ArticleData | None, root: Path = REPO_ROOT
) -> dict[str, dict[str, Any]]:
    """The report's two sections as JSON-ready figures: "contrast" (`contrast_figures`) and
    "trusted_phrases" (per text set, `Tally.figures`; the annotated articles None without
    `data`). Each contrast member is scored once, for both. DataError without pairs."""
    pairs = read_pairs()
    if not pairs:
        raise DataError(f"{CONTRAST_DIR}: no contrast pairs (pairs-*.tsv) to score")
    scored = score_pairs(language_scorer(router), pairs, TOP)
    files = [p.relative_to(root).as_posix() for p in pair_files()]
    high = float(dict(router.levels)[HIGH])
    members = [m.phrases for r in scored for m in (r.escalatory, r.calm)]
    articles = None if data is None else tally(top_phrases(router, annotated_texts(data), TOP))
    return {
        "contrast": contrast_figures(scored, high, files, pairs_commit(root)),
        "trusted_phrases": {
            "top": TOP,
            "target": TARGET,
            "sets": {
                "contrast set members": tally(members).figures(),
                "annotated articles": None if articles is None else articles.figures(),
            },
        },
    }


def _pct(share: float) -> str:
    return f"{100 * share:.1f}%"


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def category_table(summary: dict[str, Any]) -> list[str]:
    """The per-category table of a contrast summary (`contrast_figures`), all pairs last."""
    lines = [
        "| category | pairs | ordered right | escalatory at high+ | calm at high+ |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, row in summary.items():
        s = row["shares"]
        cells = [_pct(s["ordered_right"]), _pct(s["escalatory_high"]), _pct(s["calm_high"])]
        label = f"**{name}**" if name == "all" else name
        lines.append(f"| {label} | {row['pairs']} | " + " | ".join(cells) + " |")
    return lines


def render_contrast(contrast: dict[str, Any]) -> list[str]:
    """The "Contrast set" section: where the pairs come from, the table per category, the
    overall figures against the targets, and every pair's row in a folded block."""
    files = contrast["files"]
    summary = contrast["summary"]
    overall = summary["all"]
    named = " and ".join(f"`{f}`" for f in files)
    lines = [
        "## Contrast set",
        "",
        f"{overall['pairs']} minimal pairs of English news sentences, an escalatory and a calm "
        f"member differing only in what happened, in {named}: written by two people "
        f"independently (neither saw the other's file) and added in commit "
        f"`{contrast['commit']}`; an evaluation file, never trained or tuned on. The English "
        "model's own training pairs (corpus `pairs`) are of the same kinds of contrast, written "
        "apart from this set and about other events. Each member is "
        "scored as the service scores English text. A pair is ordered right when its escalatory "
        f"member scores strictly higher; at high+ means a score of at least {contrast['high']:g}.",
        "",
        *category_table(summary),
    ]
    shares, targets = overall["shares"], contrast["targets"]
    lines += ["", "| all pairs | value | target | met |", "|---|---:|---:|---|"]
    for key, title in (
        ("ordered_right", "ordered right"),
        ("escalatory_high", "escalatory at high+"),
        ("calm_high", "calm at high+"),
    ):
        target = targets[key]
        if "at_least" in target:
            bound, ok = f"≥ {target['at_least']:.0%}", shares[key] >= target["at_least"]
        else:
            bound, ok = f"≤ {target['at_most']:.0%}", shares[key] <= target["at_most"]
        lines.append(f"| {title} | {_pct(shares[key])} | {bound} | {_met(ok)} |")
    lines += [
        "",
        f"<details><summary>Every pair ({len(contrast['pairs'])})</summary>",
        "",
        "| pair | category | escalatory | level | calm | level | ordered right |",
        "|---|---|---:|---|---:|---|---|",
    ]
    for r in contrast["pairs"]:
        lines.append(
            f"| {r['id']} | {r['category']} | {r['escalatory_score']:.3f} | "
            f"{r['escalatory_level']} | {r['calm_score']:.3f} | {r['calm_level']} | "
            f"{'yes' if r['ordered_right'] else '**no**'} |"
        )
    return [*lines, "", "</details>"]


def render_trusted_phrases(phrases: dict[str, Any]) -> list[str]:
    """The "Phrases a reader trusts" section: per text set, the share of texts whose top
    escalating phrases hold a stop-word-only or number-only phrase against the target, then the
    most frequent such phrases."""
    top, target = phrases["top"], phrases["target"]
    lines = [
        "## Phrases a reader trusts",
        "",
        f"The share of texts whose first {top} escalating phrases include one made only of "
        'English stop words (scikit-learn\'s `ENGLISH_STOP_WORDS`, e.g. "on", "were … from") '
        'or only of bare numbers ("2014"; "2 billion" is not), the "…" of event phrases dropped '
        "first. The texts: both members of every contrast pair, and the Wikinews articles both "
        "annotators labelled (agreed or not), each scored as the service scores English text. "
        f"Target: at most {target:.0%} with either.",
        "",
        "| texts | n | stop-word-only | number-only | either | met |",
        "|---|---:|---:|---:|---:|---|",
    ]
    offenders = []
    for name, t in phrases["sets"].items():
        if t is None:
            lines.append(f"| {name} | - | - | - | - | not scored (--no-articles) |")
            continue
        if not t["texts"]:
            lines.append(f"| {name} | 0 | - | - | - | - |")
            continue
        s = t["shares"]
        lines.append(
            f"| {name} | {t['texts']} | {_pct(s['stop'])} | {_pct(s['number'])} | "
            f"{_pct(s['either'])} | {_met(s['either'] <= target)} |"
        )
        shown = list(t["offenders"].items())[:SHOWN]
        listed = ", ".join(f'"{p}" ({c})' for p, c in shown) or "none"
        offenders.append(f"- {name}: {listed}")
    if offenders:
        lines += ["", f"Most frequent offenders (texts with it among the first {top}):", ""]
        lines += offenders
    return lines
