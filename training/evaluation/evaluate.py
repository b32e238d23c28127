"""`escalation-evaluate`: an evaluation report for any artifact (protocol: docs/evaluation.md).

    escalation-evaluate --cv --baseline --out docs/report     # the committed default-model report
    escalation-evaluate --model m.joblib --data mine.csv --out /tmp/report

Held-out data (`--data`, default `petrarch`) is scored by the artifact as trained. `--cv` reruns
grouped cross-validation with the artifact's own hyper-parameters on the training sources its
manifest records: registered corpora by name, user files by their recorded path (relative to
where it was trained; the file must be unchanged, its SHA-256 is checked, and read with this
command's --positive-class/--negative-class); `--baseline` adds the plain baseline's
cross-validation for comparison. Intervals are grouped-bootstrap 95% intervals. Writes
report.md, metrics.json and PNG figures to `--out`.

The sections above are the English model's; after them, one section per other language of the
artifact (`training/evaluation/languages.py`: its gate and CV, its news articles, actor swap and
one explained sentence; `--cv` reruns its CV too) and one per language that missed its gate.

Progress goes to stderr as log lines (one per step and per fold); on a terminal, bars too (steps,
folds, bootstrap resamples, corpora read), except with `CI` set or ESCALATION_PROGRESS=0.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import expit, logit

from model import Scorer, default_model_path, progress
from model.article import IDENTITY, ArticleCalibration
from model.artifact import ArtifactError, load_release
from model.routing import Router
from model.text import article_sentences
from training.data.provenance import load_training_sources
from training.data.registry import REGISTRY, load_corpus, load_sources, scored_rows_only
from training.data.sources import DataError, LoadedSource
from training.evaluation.actor_swap import actor_swap_check
from training.evaluation.articles import ArticleData, articles, render_articles, shares
from training.evaluation.checks import OFF_TOPIC_PROBES, evasion_check
from training.evaluation.contrast import render_contrast, render_trusted_phrases, report_figures
from training.evaluation.events import event_figures, render_events
from training.evaluation.intervals import confusion_at, with_intervals
from training.evaluation.languages import (
    LanguageOptions,
    compile_router,
    language_sections,
    language_steps,
    render_languages,
)
from training.evaluation.report import (
    confusion_table,
    evasion_json,
    evasion_table,
    metrics_table,
    plot_precision_recall,
    plot_reliability,
    swap_table,
)
from training.fit.crossval import TrainingSet, command_parser, cross_validate
from training.fit.metrics import source_masks
from training.fit.pipeline import TrainConfig

log = logging.getLogger("escalation.evaluate")

# The plain baseline the quality work is measured against: word 1-2 grams, C=4, balanced,
# no corpus weights, no calibration, CAMEO examples only.
BASELINE = TrainConfig(use_char=False, C=4.0, corpus_weighting="none", calibration="none")


@dataclass(frozen=True)
class Scored:
    """Labels, probabilities, groups and sources of the rows being evaluated."""

    y: np.ndarray
    p: np.ndarray
    groups: np.ndarray
    sources: np.ndarray

    def by_source(self) -> dict[str, Scored]:
        """Pooled (when there are several sources) then one subset per source."""
        return {
            name: Scored(self.y[m], self.p[m], self.groups[m], self.sources[m])
            for name, m in source_masks(self.sources, pooled_alone=False).items()
        }


def cross_validated(
    loaded: Sequence[LoadedSource],
    config: TrainConfig,
    jobs: int,
    article: ArticleCalibration | None = None,
) -> list[Scored]:
    """Out-of-fold probabilities on the evaluation rows of the given sources; with `article`,
    also those probabilities through the article map (the score the service returns)."""
    data = TrainingSet.from_sources(loaded, config)
    _, probs = cross_validate(data, config, jobs)
    keep = data.evaluate
    out = [Scored(data.y[keep], probs[keep], data.groups[keep], data.sources[keep])]
    if article is not None:
        texts = [t for t, k in zip(data.texts, keep, strict=True) if k]
        sentences = np.array([article_sentences(t) for t in texts])
        mapped = expit(article.apply(logit(np.clip(probs[keep], 1e-15, 1 - 1e-15)), sentences))
        out.append(Scored(data.y[keep], mapped, data.groups[keep], data.sources[keep]))
    return out


def held_out(scorer: Scorer, loaded: Sequence[LoadedSource]) -> Scored:
    """The artifact's probabilities on data it was not trained on."""
    rows = [e for src in loaded for e in src.examples if e.evaluate]
    probs = expit(scorer.logits([e.text for e in rows]))
    return Scored(
        np.array([e.label for e in rows]),
        probs,
        np.array([f"{e.source}\x1f{e.group}" for e in rows]),
        np.array([e.source for e in rows]),
    )


def summarise(
    scored: Scored,
    thresholds: Sequence[float],
    alert: float,
    reps: int,
    out: Path,
    key: str,
    title: str,
) -> dict[str, Any]:
    """Metrics with intervals, confusion at each level threshold, and the two figures."""
    parts = scored.by_source()
    curves = {name: (s.y, s.p) for name, s in parts.items()}
    return {
        "title": title,
        "metrics": {n: with_intervals(s.y, s.p, s.groups, alert, reps) for n, s in parts.items()},
        "confusion": {n: [confusion_at(s.y, s.p, t) for t in thresholds] for n, s in parts.items()},
        "figures": [
            plot_reliability(curves, out / f"{key}-reliability.png", f"{title}: reliability").name,
            plot_precision_recall(curves, out / f"{key}-pr.png", f"{title}: precision-recall").name,
        ],
    }


# Ordinary news held out by day, and the conflict items of the same days for contrast.
OFF_TOPIC = ("wikicurrent-heldout", "wikiconflict-heldout")


def level_shares(scorer: Scorer, texts: Sequence[str]) -> dict[str, Any]:
    """How many texts, their mean score, and the share at each level or above."""
    return shares(expit(scorer.logits(texts)), scorer.levels)


def off_topic(scorer: Scorer) -> dict[str, Any]:
    """Per topic of the held-out Wikipedia news items: mean score and share at each level."""
    out: dict[str, Any] = {}
    for name in OFF_TOPIC:
        examples = load_corpus(name).examples
        out[f"{name}: all"] = level_shares(scorer, [e.text for e in examples])
        for topic in sorted({e.topic for e in examples}):
            texts = [e.text for e in examples if e.topic == topic]
            out[f"{name}: {topic}"] = level_shares(scorer, texts)
    return out


def scored_texts(
    scorer: Scorer | Router, named: Sequence[tuple[str, str]], top_k: int = 3
) -> list[dict[str, Any]]:
    """Each named text's score (None when unscored), level, warnings and top phrases."""
    rows = []
    for name, text in named:
        r = scorer.score(text, top_k=top_k)
        rows.append(
            {
                "name": name,
                "score": r.score,
                "level": r.level,
                "warnings": [w.code for w in r.warnings],
                "phrases": [p.text for p in r.phrases],
            }
        )
    return rows


PROTOCOL = Path(__file__).resolve().parents[2] / "docs" / "evaluation.md"


def protocol_link(out: Path) -> str:
    """The protocol as a Markdown link relative to the report's directory when the report is
    inside the repository, else named as a path in the repository."""
    root = PROTOCOL.parents[1]
    out = out.resolve()
    if not out.is_relative_to(root):
        return "`docs/evaluation.md` in the escalation-risk repository"
    return f"[docs/evaluation.md]({Path(os.path.relpath(PROTOCOL, out)).as_posix()})"


def render(report: Mapping[str, Any], out: Path) -> str:
    """The Markdown report, written to `out`."""
    model = report["model"]
    lines = [
        f"# Evaluation report: model `{model['version']}`",
        "",
        f"Generated {report['generated_at']} by `{report['command']}`. Protocol: "
        f"{protocol_link(out)}. Intervals: grouped-bootstrap 95% "
        f"({report['reps']} resamples of whole groups). F1 at {report['alert_threshold']}.",
        "",
    ]
    trained = report["model"].get("cv_at_training") or {}
    if trained:
        lines += [
            "## Grouped cross-validation at training (from the manifest, no intervals)",
            "",
            "| corpus | n | ROC-AUC | average precision | Brier | ECE | F1 |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for name, m in trained.items():
            lines.append(
                f"| {name} | {m['n']} | {m['roc_auc']:.3f} | {m['average_precision']:.3f} | "
                f"{m['brier']:.3f} | {m['ece']:.3f} | {m['f1']:.3f} |"
            )
        lines.append("")
    for section in report["sections"].values():
        lines += [f"## {section['title']}", "", *metrics_table(section["metrics"]), ""]
        lines += [f"![{name}]({name})" for name in section["figures"]] + [""]
        lines += ["<details><summary>Confusion at each level threshold</summary>", ""]
        lines += [*confusion_table(section["confusion"]), "", "</details>", ""]
    if report["off_topic"]:
        lines += [
            "## Ordinary news",
            "",
            "Wikipedia Current events items of held-out days (never trained on), by the portal's "
            "topic: mean score and share at each level or above. Targets for ordinary news: at "
            "most 2% at `high` or above, mean at most 0.10.",
            "",
            "| items | n | mean | " + " | ".join(f"≥ {n}" for n in report["levels"]) + " |",
            "|---|---:|---:|" + "---:|" * len(report["levels"]),
        ]
        for name, row in report["off_topic"].items():
            shares = " | ".join(f"{100 * v:.1f}%" for v in row["at_or_above"].values())
            lines.append(f"| {name} | {row['n']} | {row['mean']:.3f} | {shares} |")
    if report["articles"]:
        lines += ["", *render_articles(report)]
    lines += [
        "",
        "Texts a new user tried:",
        "",
        "| text | score | level | warnings | top phrases |",
    ]
    lines += ["|---|---:|---|---|---|"]
    for row in report["probes"]:
        lines.append(
            f"| {row['name']} | {'-' if row['score'] is None else format(row['score'], '.3f')} | "
            f"{row['level']} | "
            f"{', '.join(row['warnings']) or '-'} | {', '.join(row['phrases']) or '-'} |"
        )
    ev = report["evasion"]
    lines += [
        "",
        "## Invisible and look-alike characters",
        "",
        f"An escalatory sentence scores {ev['plain']:.4f} plain; disguised (target: within 0.02):",
        "",
        *evasion_table(ev, "accented twin"),
    ]
    if report.get("seed"):
        seed = report["seed"][0]
        lines += [
            "",
            f"Seed article (`{report['seed_path']}`): {seed['score']:.3f} ({seed['level']}), top "
            f"phrases {', '.join(seed['phrases'])}.",
        ]
    swap = report["actor_swap"]
    lines += [
        "",
        "## Actor swap",
        "",
        f"{len(swap['original'])} paragraphs written for the check, scored as written and with "
        "often-hostile actors replaced by neutral ones (`training/evaluation/actor_swap.py`): mean "
        f"absolute change **{swap['mean_abs_change']:.4f}** (target ≤ 0.02), largest "
        f"{swap['max_abs_change']:.4f}.",
        "",
        *swap_table(swap),
    ]
    if report.get("events"):
        lines += ["", *render_events(report["events"])]
    if report.get("contrast"):  # the contrast set, then the phrases a reader trusts
        lines += ["", *render_contrast(report["contrast"])]
        lines += ["", *render_trusted_phrases(report["trusted_phrases"])]
    languages = report.get("languages") or {}
    if languages.get("published") or languages.get("unsupported"):
        lines += render_languages(languages, report["levels"])
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: 0 on success, 2 on an unusable model or data."""
    parser = command_parser("escalation-evaluate", __doc__)
    parser.add_argument("--model", type=Path, help="artifact (default: the default model path)")
    parser.add_argument(
        "--data",
        action="append",
        metavar="NAME|FILE",
        help="held-out labelled data, repeatable (default: petrarch)",
    )
    parser.add_argument("--positive-class", help="class name that means escalatory in files")
    parser.add_argument(
        "--negative-class",
        action="append",
        default=[],
        metavar="NAME",
        help="class name that means not escalatory in files, repeatable",
    )
    parser.add_argument("--cv", action="store_true", help="grouped CV of the model's config")
    parser.add_argument("--baseline", action="store_true", help="also CV the plain baseline")
    parser.add_argument("--out", type=Path, default=Path("docs/report"))
    parser.add_argument("--reps", type=int, default=1000, help="bootstrap resamples")
    parser.add_argument("--seed-article", type=Path, help="a news article to score in the report")
    parser.add_argument(
        "--articles",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="score the annotated Wikinews articles and the economy articles (needs them)",
    )
    parser.add_argument(
        "--ordinary-news",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="score the held-out Wikipedia news items by topic (needs that corpus)",
    )
    parser.add_argument(
        "--events",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="an English model with an event block: its patterns on the training corpora' "
        "sentences, the checked sample's precision and the learned weights (needs the corpora)",
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    try:
        path = args.model or default_model_path()
        release = load_release(path)
        router = compile_router(release)
        scorers = router.scorers
        if "en" not in scorers:
            raise ArtifactError(
                f"{path} has no 'en' model (languages: {', '.join(release.languages)})"
            )
        scorer = scorers["en"]
        args.out.mkdir(parents=True, exist_ok=True)
        command = " ".join(["escalation-evaluate", *(sys.argv[1:] if argv is None else argv)])
        total, begun = report_steps(args) + language_steps(release, args.cv), []
        with (
            progress.logs_above_bars(),
            progress.steps("escalation-evaluate", total) as shown,
        ):

            def step(name: str) -> None:
                begun.append(name)
                log.info("step %d of %d: %s", len(begun), total, name)
                shown(name)

            report = build_report(scorer, args, command, step, router)
    except (ArtifactError, DataError) as exc:
        print(f"escalation-evaluate: error: {exc}", file=sys.stderr)
        return 2
    (args.out / "metrics.json").write_text(json.dumps(report, indent=2, default=float) + "\n")
    (args.out / "report.md").write_text(render(report, args.out), encoding="utf-8")
    log.info("wrote %s", args.out / "report.md")
    return 0


def report_steps(args: argparse.Namespace) -> int:
    """How many steps `build_report` announces for these options."""
    return 3 + args.cv + args.baseline + args.ordinary_news + args.articles + args.events


def build_report(
    scorer: Scorer,
    args: argparse.Namespace,
    command: str,
    step: Callable[[str], None] = lambda name: None,
    router: Router | None = None,
) -> dict[str, Any]:
    """Every section the options ask for, as one JSON-ready dict; `step` is told the name of
    each of the `report_steps` long steps as it begins (and of `language_steps`: the sections
    of the `router`'s other languages, after the English ones; the probes go through it)."""
    manifest = scorer.manifest
    thresholds = [float(lower) for _, lower in scorer.levels[1:]]
    alert = float(manifest.get("alert_threshold", thresholds[len(thresholds) // 2]))
    jobs, reps = max(1, args.jobs), args.reps
    sections: dict[str, Any] = {}
    corpora = [s["name"] for s in manifest.get("sources", []) if s["name"] in REGISTRY]
    labels = {"positive_class": args.positive_class, "negative_classes": args.negative_class}

    def section(scored: Scored, key: str, title: str) -> dict[str, Any]:
        return summarise(scored, thresholds, alert, reps, args.out, key, title)

    if args.cv:
        step("cross-validation of the model's configuration")
        loaded_training = load_training_sources(manifest, **labels)
        if "hyperparameters" not in manifest:
            raise DataError("the model records no hyper-parameters: nothing to cross-validate")
        config = TrainConfig(**manifest["hyperparameters"])
        mapped = scorer.article if scorer.article != IDENTITY else None
        scored, *served = cross_validated(loaded_training, config, jobs, mapped)
        sections["cv"] = section(scored, "cv", "Grouped cross-validation, this configuration")
        if served:
            sections["cv_served"] = section(
                served[0],
                "cv-served",
                "Grouped cross-validation, the served score (article map applied to texts of "
                "several sentences)",
            )
    if args.baseline:
        step("cross-validation of the plain baseline")
        plain = {"cameo": scored_rows_only(REGISTRY["cameo"])}
        baseline = load_training_sources(manifest, **labels, corpus=plain)
        sections["baseline"] = section(
            cross_validated(baseline, BASELINE, jobs)[0],
            "baseline",
            "Grouped cross-validation, plain baseline (word 1-2 grams, C=4, no weights, no Platt)",
        )
    step("held-out data")
    # Real news sentences are held out unless the model trained on them (then: the CV section).
    default_data = ["petrarch"] + ([] if "multicoped" in corpora else ["multicoped"])
    loaded = load_sources(
        args.data or default_data,
        positive_class=args.positive_class,
        negative_classes=args.negative_class,
    )
    sections["held_out"] = section(
        held_out(scorer, loaded), "held-out", "Held out: " + ", ".join(s.name for s in loaded)
    )
    step("actor swap, disguised characters, probes")
    probability = lambda texts: expit(scorer.logits(texts))  # noqa: E731
    swap = actor_swap_check(probability)
    evasion = evasion_check(probability)
    seed = []
    if args.seed_article:
        article = args.seed_article.read_text(encoding="utf-8")
        seed = scored_texts(scorer, [("seed", article)], top_k=5)
    # As the service answers them: each routed to its language's model, or unscored.
    probes = scored_texts(router or scorer, OFF_TOPIC_PROBES)
    ordinary: dict[str, Any] = {}
    if args.ordinary_news:
        step("ordinary news")
        ordinary = off_topic(scorer)
    whole: dict[str, Any] = {}
    if args.articles:
        step("whole articles")
        whole = articles(scorer, alert, reps)
    events: dict[str, Any] | None = None
    if args.events:
        step("event patterns")
        reader = scorer.event_reader()
        if reader is not None:
            events = event_figures(scorer.artifact.pipeline, reader.patterns, corpora)
    contrasted: dict[str, Any] = {}
    if router is not None and "en" in router.scorers:
        step("contrast set and listed phrases")
        # The annotated articles' phrases only with --articles (they need the corpora).
        contrasted = report_figures(router, ArticleData.load() if args.articles else None)
    others: dict[str, Any] = {}
    if router is not None:
        labelled = lambda manifest: load_training_sources(manifest, **labels)  # noqa: E731
        options = LanguageOptions(args.cv, args.ordinary_news, jobs, training=labelled)
        others = language_sections(router.release, router.scorers, options, step)
    return {
        "model": {
            **{k: manifest.get(k) for k in ("version", "created_at", "hyperparameters")},
            "sources": [s["name"] for s in manifest.get("sources", [])],
            "cv_at_training": manifest.get("metrics", {}).get("cv", {}),
        },
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command,
        "reps": reps,
        "alert_threshold": alert,
        "sections": sections,
        "levels": [name for name, _ in scorer.levels[1:]],
        "off_topic": ordinary,
        "articles": whole,
        "probes": probes,
        "evasion": evasion_json(evasion),
        "seed": seed,
        "seed_path": str(args.seed_article) if args.seed_article else None,
        "actor_swap": {
            "original": swap.original,
            "swapped": swap.swapped,
            "mean_abs_change": swap.mean_abs_change,
            "max_abs_change": swap.max_abs_change,
        },
        "events": events,
        "contrast": contrasted.get("contrast"),
        "trusted_phrases": contrasted.get("trusted_phrases"),
        "languages": others,
    }


if __name__ == "__main__":
    raise SystemExit(main())
