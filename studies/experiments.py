"""Named experiments: grouped-CV tables and the `petrarch` check behind the model's choices.

    python -m studies.experiments unquad             # UN QuadClass in or out; its class 0
    python -m studies.experiments weighting          # corpus weights: none, sqrt, equal
    python -m studies.experiments actors             # state names as features, or masked
    python -m studies.experiments news               # ordinary news, conflict news, Multi-CoPED
    python -m studies.experiments diplomatic         # the diplomatic corpora weighted up
    python -m studies.experiments frontier           # diplomatic ranking against ordinary news
    python -m studies.experiments genre              # genre gates: texts, sentences, corpora

Each variant runs the same grouped cross-validation as `escalation-train`, then fits on all its
rows and scores `petrarch` (never trained or tuned on) as an independent check, Multi-CoPED when
the variant does not train on it, and the held-out days of ordinary Wikipedia news. `frontier`
and `genre` study the diplomatic corpora against ordinary news (`studies.diplomatic_study`): the
grouped cross-validation alone, counting terms once for all weightings, and mixtures compared on
the same folds and counts.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any, Literal

from studies.diplomatic_study import frontier_table, run_frontier, run_genre
from training.data.adapters import (
    unquad_examples,
    unscon_examples,
)
from training.data.registry import (
    DEFAULT_TRAINING,
    REGISTRY,
    load_corpus,
    public_corpora,
    scored_rows_only,
)
from training.data.sources import Corpus, Example
from training.evaluation.actor_swap import actor_swap_check
from training.fit.crossval import (
    TrainingSet,
    alert_threshold,
    command_parser,
    cross_validate,
    cv_metrics,
    fit_final,
    format_metrics,
)
from training.fit.metrics import binary_metrics
from training.fit.pipeline import TrainConfig


@dataclass(frozen=True)
class Variant:
    """One configuration to compare: its corpora and hyper-parameters."""

    name: str
    corpora: tuple[str | Corpus, ...]
    config: TrainConfig = field(default_factory=TrainConfig)


def _unquad(irrelevant: Literal["negative", "drop"]) -> Corpus:
    """The `unquad` entry with class 0 (irrelevant) handled as given."""
    return replace(REGISTRY["unquad"], adapter=partial(unquad_examples, irrelevant=irrelevant))


def _negative_scored_without_class_0(paths: Mapping[str, Path]) -> Iterator[Example]:
    """Class 0 trained as negative but not scored, so both class-0 choices are judged on the
    same rows (classes 1-4)."""
    kept = {(e.group, e.text) for e in unquad_examples(paths, irrelevant="drop")}
    for e in unquad_examples(paths, irrelevant="negative"):
        yield replace(e, evaluate=(e.group, e.text) in kept)


# The sentences alone: how `unscon` was read before its discourse units joined (the records of
# the earlier experiments were made so).
UNSCON_SENTENCES_ONLY = replace(
    REGISTRY["unscon"], files=REGISTRY["unscon"].files[:1], adapter=unscon_examples
)
UNQUAD_COMPARABLE = replace(REGISTRY["unquad"], adapter=_negative_scored_without_class_0)
THREE = (UNSCON_SENTENCES_ONLY, "cameo", "ngec")
FOUR = (*THREE, "unquad")
DEFAULT = ("unscon", "cameo", "ngec", "unquad")
CAMEO_EXAMPLES_ONLY = scored_rows_only(REGISTRY["cameo"])
EXPERIMENTS: dict[str, tuple[Variant, ...]] = {
    # Run before actor masking became the default: it stays off here so the record reproduces.
    "unquad": tuple(
        Variant(name, corpora, TrainConfig(mask_actors=False))
        for name, corpora in (
            ("three corpora", THREE),
            ("+ unquad, class 0 negative", (*THREE, _unquad("negative"))),
            ("+ unquad, class 0 negative, scored on 1-4", (*THREE, UNQUAD_COMPARABLE)),
            ("+ unquad, class 0 dropped", (*THREE, _unquad("drop"))),
        )
    ),
    "weighting": tuple(
        Variant(
            f"corpus weighting {mode}", FOUR, TrainConfig(corpus_weighting=mode, mask_actors=False)
        )
        for mode in ("none", "sqrt", "equal")
    ),
    "levers": (
        Variant("default", FOUR),
        Variant("C=0.5", FOUR, TrainConfig(C=0.5)),
        Variant("C=2", FOUR, TrainConfig(C=2.0)),
        Variant("char 3-5, min_df 3", FOUR, TrainConfig(char_min_n=3, min_df=3)),
        Variant("+ UNSCon discourse units", ("unscon", "cameo", "ngec", "unquad")),
    ),
    # The default configuration, then without one lever at a time.
    "ablation": (
        Variant("default", DEFAULT),
        Variant("- character n-grams", DEFAULT, TrainConfig(use_char=False)),
        Variant("- CAMEO definitions", ("unscon", CAMEO_EXAMPLES_ONLY, "ngec", "unquad")),
        Variant("- corpus weights", DEFAULT, TrainConfig(corpus_weighting="none")),
        Variant("- Platt scaling", DEFAULT, TrainConfig(calibration="none")),
    ),
    "news": (
        Variant("four corpora", FOUR),
        Variant("+ ordinary news", (*FOUR, "wikicurrent")),
        Variant(
            "+ conflict news", (*FOUR, "wikicurrent", "wikiconflict"), TrainConfig(corpus_boost=())
        ),
        Variant("+ conflict news x0.5 (clean profile)", (*FOUR, "wikicurrent", "wikiconflict")),
        Variant(
            "+ multicoped",
            (*FOUR, "wikicurrent", "wikiconflict", "multicoped"),
            TrainConfig(corpus_boost=()),
        ),
        Variant(
            "+ multicoped x5",
            (*FOUR, "wikicurrent", "wikiconflict", "multicoped"),
            TrainConfig(corpus_boost=(("multicoped", 5.0),)),
        ),
        Variant(
            "+ multicoped x5, conflict news x0.5 (default)",
            (*FOUR, "wikicurrent", "wikiconflict", "multicoped"),
        ),
        Variant("four corpora + multicoped x5", (*FOUR, "multicoped")),
    ),
    # Can the diplomatic corpora get back what the news data cost them?
    "diplomatic": tuple(
        Variant(
            name,
            public_corpora(DEFAULT_TRAINING),  # as measured: before the project's pairs
            TrainConfig(corpus_boost=(*TrainConfig.corpus_boost, *boost)),
        )
        for name, boost in (
            ("default", ()),
            ("diplomatic corpora x2", tuple((c, 2.0) for c in DEFAULT)),
            ("NGEC x2", (("ngec", 2.0),)),
        )
    ),
    "actors": (
        Variant("names as features", FOUR, TrainConfig(mask_actors=False)),
        Variant("state actors masked", FOUR, TrainConfig(mask_actors=True)),
    ),
}


def run_variant(variant: Variant, jobs: int) -> dict[str, Any]:
    """Grouped-CV metrics per corpus and pooled, and the final model's petrarch metrics."""
    loaded = [load_corpus(c) for c in variant.corpora]
    data = TrainingSet.from_sources(loaded, variant.config)
    logits, probs = cross_validate(data, variant.config, jobs)
    metrics = cv_metrics(data, probs, alert_threshold())
    pipeline = fit_final(data, variant.config, logits)
    check = load_corpus("petrarch").examples
    p = pipeline.predict_proba([e.text for e in check])[:, 1]
    metrics["petrarch (check)"] = binary_metrics([e.label for e in check], p, alert_threshold())
    if "multicoped" not in {getattr(c, "name", c) for c in variant.corpora}:
        news = load_corpus("multicoped").examples
        p = pipeline.predict_proba([e.text for e in news])[:, 1]
        metrics["multicoped (held out)"] = binary_metrics(
            [e.label for e in news], p, alert_threshold()
        )
    ordinary = [e.text for e in load_corpus("wikicurrent-heldout").examples]
    p = pipeline.predict_proba(ordinary)[:, 1]
    metrics["ordinary news (held out)"] = {
        "share_high": float((p >= alert_threshold()).mean()),
        "mean_score": float(p.mean()),
    }
    swap = actor_swap_check(lambda texts: pipeline.predict_proba(list(texts))[:, 1])
    metrics["actor swap"] = {
        "mean_abs_change": swap.mean_abs_change,
        "max_abs_change": swap.max_abs_change,
    }
    return metrics


def comparison_table(results: dict[str, dict[str, Any]], metric: str) -> str:
    """Markdown: one row per corpus, one column per variant."""
    names = list(results)
    corpora = list(dict.fromkeys(c for r in results.values() for c in r if metric in r[c]))
    lines = [f"| {metric} | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for corpus in corpora:
        cells = [f"{results[n][corpus][metric]:.3f}" if corpus in results[n] else "" for n in names]
        lines.append(f"| {corpus} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run an experiment's variants and print their tables."""
    parser = command_parser("python -m studies.experiments", __doc__)
    parser.add_argument("experiment", choices=sorted([*EXPERIMENTS, "frontier", "genre"]))
    parser.add_argument("--out", type=Path, help="also write the metrics as JSON")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--seed-article", type=Path, help="genre: also score this article through each gate"
    )
    args = parser.parse_args(argv)
    jobs = max(1, args.jobs)
    if args.experiment in ("frontier", "genre"):
        table = (
            run_frontier(jobs)
            if args.experiment == "frontier"
            else run_genre(jobs, args.seed_article)
        )
        print(frontier_table(table))
        _write(args.out, table)
        return 0
    results = {}
    for variant in EXPERIMENTS[args.experiment]:
        results[variant.name] = run_variant(variant, jobs)
        scored = {k: v for k, v in results[variant.name].items() if "roc_auc" in v}
        print(f"\n## {variant.name}\n{format_metrics(scored)}")
    metrics = ("roc_auc", "average_precision", "brier", "ece", "mean_abs_change", "share_high")
    for metric in (*metrics, "mean_score"):
        print(f"\n{comparison_table(results, metric)}")
    _write(args.out, results)
    return 0


def _write(out: Path | None, results: Mapping[str, Any]) -> None:
    """The metrics as JSON at `out`, when given."""
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
