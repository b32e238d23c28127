"""`escalation-train`: per language, grouped cross-validation, final fit and quality gate; one
atomically written artifact holding the languages that passed.

escalation-train                                # every language on its default public corpora
escalation-train --language ar                  # Arabic only
escalation-train --data unscon --data my.csv --out artifacts/custom.joblib   # English, own data
escalation-train --language es --data my-spanish.csv

Progress goes to stderr as log lines (one per fold); on a terminal, bars too (corpora read and
downloaded, folds, steps), except with `CI` set or ESCALATION_PROGRESS=0.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import platform
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy
import sklearn
from scipy.special import expit
from sklearn.pipeline import Pipeline

from model import progress
from model.article import MANIFEST_KEY, ArticleCalibration, reference_logits
from model.artifact import (
    Artifact,
    ArtifactError,
    default_model_path,
    read_manifest,
    save_release,
)
from model.features import LANGUAGES
from model.scoring import DEFAULT_LEVELS, Scorer
from training.data.knowledge import event_sources
from training.data.provenance import cut_anew
from training.data.registry import LANGUAGE_TRAINING, REGISTRY, load_corpus, load_sources
from training.data.sources import DataError, LoadedSource, file_records
from training.data.wikinews import LABELS_FILE, REPO_ROOT
from training.fit.article_map import SOURCE as ARTICLE_SOURCE
from training.fit.article_map import ArticleSet, cross_fitted, fit
from training.fit.card import card_path, write_card
from training.fit.crossval import (
    TrainingSet,
    alert_threshold,
    command_parser,
    cross_validate,
    cv_metrics,
    fit_final,
    format_metrics,
)
from training.fit.gates import heldout_corpora, judge
from training.fit.metrics import binary_metrics
from training.fit.pipeline import TrainConfig

log = logging.getLogger("escalation.train")


def check_scoring(artifact: Artifact, texts: Sequence[str], sample: int = 200) -> Scorer:
    """Refuse to publish a model the service would score differently from its pipeline: the
    compiled scorer must equal `predict_proba` through the article map (to 1e-9) on a spread of
    training texts. Returns the compiled scorer."""
    chosen = list(texts[:: max(1, len(texts) // sample)])[:sample]
    try:
        scorer = Scorer(artifact)
        scored = scorer.score_many(chosen, top_k=1)
    except ValueError as exc:
        raise ArtifactError(f"the fitted pipeline cannot be scored: {exc}") from exc
    reference = expit(reference_logits(artifact.pipeline, scorer.article, chosen))
    worst = max((abs(r.score - p) for r, p in zip(scored, reference, strict=True)), default=0.0)
    if worst > 1e-9:
        raise ArtifactError(f"compiled scoring differs from the pipeline by {worst:.2e}")
    return scorer


def article_calibration(artifact: Artifact, articles: LoadedSource) -> dict[str, Any]:
    """The manifest entry of the article map (`training.fit.article_map`) fitted on `articles`: its
    parameters, what it was fitted on, and its cross-fitted metrics on those articles."""
    try:
        data = ArticleSet.score(Scorer(artifact), articles.examples)
        calibration: ArticleCalibration = fit(data)
        rows = data.evaluate  # escalatory against not, as the report compares them
        held = binary_metrics(data.y[rows], expit(cross_fitted(data))[rows], alert_threshold())
    except ValueError as exc:  # e.g. fewer articles of a class than folds
        raise DataError(f"the article map cannot be fitted on {articles.name}: {exc}") from exc
    return calibration.to_manifest(
        source=articles.name,
        files=file_records(articles.files),
        labels={
            "path": LABELS_FILE.relative_to(REPO_ROOT).as_posix(),
            "sha256": hashlib.sha256(LABELS_FILE.read_bytes()).hexdigest(),
        },
        articles=len(data.y),
        carrying=int(data.y.sum()),
        cross_fitted=held,
    )


def build_manifest(
    loaded: Sequence[LoadedSource],
    config: TrainConfig,
    metrics: dict[str, Any],
    seconds: float,
) -> dict[str, Any]:
    """Everything needed to reproduce and judge one language's model (the artifact stores it;
    `train` gives every language of one run the same version)."""
    sources = [
        {
            "name": src.name,
            # How a registered corpus' rows are cut (`already_trained` compares it).
            **({"description": REGISTRY[src.name].description} if src.name in REGISTRY else {}),
            "rows": len(src.examples),
            "positives": sum(ex.label for ex in src.examples),
            "licence": REGISTRY[src.name].licence if src.name in REGISTRY else "user's own data",
            "files": file_records(src.files),
        }
        for src in loaded
    ]
    knowledge = {}
    if config.events:  # the files the event patterns were compiled from
        knowledge["knowledge"] = event_sources()
    return {
        "version": "unpublished",  # `train` gives every language of the artifact its version
        "language": config.language,
        **knowledge,
        "libraries": {
            "python": platform.python_version(),
            "scikit-learn": sklearn.__version__,
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "joblib": joblib.__version__,
        },
        "sources": sources,
        "hyperparameters": config.to_dict(),
        "metrics": {"cv": metrics},
        "levels": [{"name": name, "min": lower} for name, lower in DEFAULT_LEVELS],
        "alert_threshold": alert_threshold(),
        "training_seconds": round(seconds, 1),
    }


def heldout_scores(scorer: Scorer, trained_on: Sequence[str]) -> dict[str, list[float]]:
    """The scores of the held-out corpora of the language's gate, each text whole as sent."""
    out = {}
    for name in heldout_corpora(scorer.language, trained_on):
        texts = [ex.text for ex in load_corpus(name).examples]
        out[name] = expit(scorer.logits(texts)).tolist()
    return out


def train_language(
    loaded: Sequence[LoadedSource], config: TrainConfig, jobs: int = 1
) -> tuple[Pipeline, dict[str, Any]]:
    """Cross-validate, fit on everything, calibrate, and judge one language's model against
    its gate (`manifest["gate"]`)."""
    started = time.perf_counter()
    data = TrainingSet.from_sources(loaded, config)
    if len(np.unique(data.y)) < 2:
        raise DataError(f"the {config.language} training data has only one class")
    # Loaded first: a missing corpus (or the `train` extra) is said before minutes of fitting.
    articles = load_corpus(ARTICLE_SOURCE) if config.article_calibration == ARTICLE_SOURCE else None
    log.info(
        "training %s on %d rows from %s",
        config.language,
        len(data.y),
        ", ".join(s.name for s in loaded),
    )
    with progress.steps(
        f"escalation-train {config.language}", total=4 + (articles is not None)
    ) as step:
        step("cross-validation")
        logits, probs = cross_validate(data, config, jobs)
        metrics = cv_metrics(data, probs, alert_threshold())
        progress.write(format_metrics(metrics), sys.stderr)
        step("final fit")
        pipeline = fit_final(data, config, logits)
        manifest = build_manifest(loaded, config, metrics, time.perf_counter() - started)
        if articles is not None:
            step("article map")
            manifest[MANIFEST_KEY] = article_calibration(Artifact(pipeline, manifest), articles)
            log.info("article calibration: %s", manifest[MANIFEST_KEY])
        step("scoring check")
        scorer = check_scoring(Artifact(pipeline, manifest), data.texts)
        step("quality gate")
        names = [src.name for src in loaded]
        heldout = heldout_scores(scorer, names)
        manifest["gate"] = judge(config.language, names, metrics, heldout)
    manifest["training_seconds"] = round(time.perf_counter() - started, 1)
    log.info("%s gate: %s", config.language, manifest["gate"])
    return pipeline, manifest


def train(
    plans: dict[str, tuple[Sequence[LoadedSource], TrainConfig]], out: Path, jobs: int = 1
) -> dict[str, Any]:
    """Train each language (`{language: (sources, config)}`) and write one artifact of those
    that pass their gate, with the others' figures under `unsupported`, and its model card.
    Nothing is written when no language passes."""
    started = time.perf_counter()
    trained = {
        code: train_language(loaded, config, jobs) for code, (loaded, config) in plans.items()
    }
    created = datetime.now(UTC)
    fingerprint = hashlib.sha256(
        json.dumps(
            [[m["hyperparameters"], m["sources"]] for _, m in trained.values()], sort_keys=True
        ).encode()
    ).hexdigest()
    shared = {
        "version": f"{created:%Y%m%dT%H%M%SZ}-{fingerprint[:8]}",
        "created_at": created.isoformat(timespec="seconds"),
        "training_seconds": round(time.perf_counter() - started, 1),
    }
    models = {
        code: (pipeline, {**manifest, **shared, "language_seconds": manifest["training_seconds"]})
        for code, (pipeline, manifest) in trained.items()
        if manifest["gate"]["passed"]
    }
    unsupported = {
        code: {k: manifest[k] for k in ("sources", "metrics", "gate", "hyperparameters")}
        for code, (_, manifest) in trained.items()
        if not manifest["gate"]["passed"]
    }
    for code, entry in unsupported.items():
        log.warning("%s missed its quality gate: not published (%s)", code, entry["gate"])
    if not models:
        raise DataError(
            f"no language passed its quality gate ({', '.join(unsupported)}): nothing written"
        )
    save_release(models, out, unsupported)
    manifest = read_manifest(out)
    write_card(manifest, card_path(out))
    log.info(
        "wrote %s (version %s; languages %s) in %.0fs",
        out,
        shared["version"],
        ", ".join(models),
        shared["training_seconds"],
    )
    return manifest


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = command_parser("escalation-train", __doc__)
    parser.add_argument(
        "--data",
        action="append",
        metavar="NAME|FILE",
        help="registered corpus or CSV/JSONL file, repeatable, for one language (--language, "
        "default en); default: each language's corpora "
        + "; ".join(f"{code}: {' '.join(specs)}" for code, specs in LANGUAGE_TRAINING.items()),
    )
    parser.add_argument(
        "--language",
        action="append",
        choices=LANGUAGES,
        help="train this language, repeatable (default: every language; with --data: en)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="artifact path (default: $ESCALATION_MODEL_PATH or artifacts/escalation-model.joblib)",
    )
    parser.add_argument(
        "--profile",
        choices=("default", "clean"),
        default="default",
        help="clean: only cleanly licensed (MIT, Apache-2.0, CC) corpora, by default and in --data",
    )
    parser.add_argument("--positive-class", help="class name that means escalatory in user files")
    parser.add_argument(
        "--negative-class",
        action="append",
        default=[],
        metavar="NAME",
        help="class name that means not escalatory in user files, repeatable",
    )
    parser.add_argument("--seed", type=int, default=TrainConfig.seed)
    parser.add_argument("--folds", type=int, default=TrainConfig.folds)
    parser.add_argument("--C", type=float, default=TrainConfig.C, help="inverse regularisation")
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="folds fitted in parallel (default: all cores)",
    )
    parser.add_argument("--no-char", action="store_true", help="word n-grams only")
    parser.add_argument(
        "--no-events",
        action="store_true",
        help="English without CAMEO event features, scopes or the function-word rule "
        "(word and character n-grams only, as other languages)",
    )
    parser.add_argument(
        "--article-calibration",
        choices=("wikinews", "none"),
        default=TrainConfig.article_calibration,
        help="whole texts: the length-aware map fitted on the annotated Wikinews articles "
        "(needs that corpus), or none (default: %(default)s)",
    )
    parser.add_argument(
        "--if-missing",
        action="store_true",
        help="do nothing when a loadable artifact is already at the path",
    )
    return parser.parse_args(argv)


def clean_profile(specs: Sequence[str], *, explicit: bool) -> list[str]:
    """The specs without corpora whose licence is not clean: dropped from the default set,
    refused when named explicitly (a user file is the user's own business)."""
    unclean = [s for s in specs if s in REGISTRY and not REGISTRY[s].clean_licence]
    if unclean and explicit:
        raise DataError(f"--profile clean: {', '.join(unclean)} has no clean licence")
    return [s for s in specs if s not in unclean]


def already_trained(out: Path, plans: dict[str, tuple[list[str], TrainConfig]]) -> bool:
    """Whether `out` loads and every language was trained (published or not) on these sources
    with this configuration (a model of an older default, of other feature rules, or of a
    corpus now read otherwise, its rows cut another way or its pinned files changed, is
    retrained)."""
    try:
        manifest = read_manifest(out)
    except ArtifactError:
        return False
    entries = {**manifest.get("unsupported", {}), **manifest.get("languages", {})}
    if set(entries) != set(plans):
        return False
    for code, (specs, config) in plans.items():
        sources = entries[code].get("sources", [])
        if [s["name"] for s in sources] != list(specs):
            return False
        for spec, source in zip(specs, sources, strict=True):
            # A user's file may have changed under the same name; a corpus' rows may be cut
            # anew, or its pinned files changed (the project's own sentences, edited).
            if spec in REGISTRY:
                if cut_anew(source):
                    return False
            elif [f["sha256"] for f in source["files"]] != [
                hashlib.sha256(Path(spec).read_bytes()).hexdigest()
            ]:
                return False
        if config.article_calibration == ARTICLE_SOURCE:  # the map's labels may have been edited
            fitted = entries[code].get(MANIFEST_KEY, {}).get("labels", {}).get("sha256")
            if fitted != hashlib.sha256(LABELS_FILE.read_bytes()).hexdigest():
                return False
        if entries[code].get("hyperparameters") != json.loads(json.dumps(config.to_dict())):
            return False
    return True


# English reads events with the CAMEO verb patterns (an English dictionary), masks the words in
# negated, refused and demanded scopes and reads the events there as CAMEO codes them (a refusal
# and a demand are features of their own, a negation is not), gives function words and bare
# numbers no features of their own nor any n-gram or event made only of them, and weights the
# event block 16 times (its coefficients penalised less; measured: docs/decisions.md, "Event
# patterns, scopes and function words (English)").
ENGLISH_FEATURES: dict[str, Any] = {
    "events": True,
    "event_kinds": ("root",),
    "scopes": True,
    "event_words": "keep",
    "event_scopes": "cameo",
    "scope_features": ("refused", "demanded"),
    "function_words": "content",
    "event_weight": 16.0,
}


# The corpus boosts of the other languages (measured: docs/decisions.md, "Arabic training data,
# and its gate" and "The project's own minimal pairs (Arabic and Spanish)"): Arabic's ordinary
# radio news (ANT, a row per title and sentence) at 0.2 of its square-root weight, the smallest
# weight that keeps its held-out articles and their titles at `high`+ within their gate; each
# language's written pairs and senses at the largest weight that keeps its figures within 0.01
# of the model without them and its held-out news within its gate.
LANGUAGE_BOOSTS: dict[str, tuple[tuple[str, float], ...]] = {
    "ar": (("ant", 0.2), ("pairs-ar", 0.5)),
    "es": (("pairs-es", 2.0),),
}


def language_config(base: TrainConfig, language: str, events: bool = True) -> TrainConfig:
    """A language's configuration: the base one with its word rules; English's corpus boosts,
    article map (fitted on English articles) and event features (`ENGLISH_FEATURES`, unless
    `events` is False), the other languages' `LANGUAGE_BOOSTS`."""
    if language == "en":
        return replace(base, **ENGLISH_FEATURES) if events else base
    return replace(
        base,
        language=language,
        corpus_boost=LANGUAGE_BOOSTS.get(language, ()),
        article_calibration="none",
        events=False,
        scopes=False,
        event_words="keep",
        event_scopes="quad",
        function_words="features",
        event_weight=1.0,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: exit 0 on success, 2 on a data or usage problem (nothing written), 130
    when interrupted (Ctrl-C)."""
    args = parse_args(argv)
    out = args.out or default_model_path()
    base = replace(
        TrainConfig(),
        seed=args.seed,
        folds=args.folds,
        C=args.C,
        use_char=not args.no_char,
        article_calibration=args.article_calibration,
    )
    languages = list(dict.fromkeys(args.language or (["en"] if args.data else LANGUAGE_TRAINING)))
    if args.data and len(languages) > 1:
        print("escalation-train: error: --data trains one --language", file=sys.stderr)
        return 2
    before = _identity(out)
    try:
        plans = {}
        for code in languages:
            specs = list(args.data or LANGUAGE_TRAINING[code])
            if args.profile == "clean":
                specs = clean_profile(specs, explicit=bool(args.data))
            plans[code] = (specs, language_config(base, code, events=not args.no_events))
        if args.if_missing and already_trained(out, plans):
            log.info("%s is valid and trained on this data and configuration; not retraining", out)
            return 0
        for code, (specs, _) in plans.items():
            evaluation_only = [s for s in specs if s in REGISTRY and not REGISTRY[s].for_training]
            if evaluation_only:
                raise DataError(
                    f"{', '.join(evaluation_only)} is for evaluation only, not training"
                )
            other = [s for s in specs if s in REGISTRY and REGISTRY[s].language != code]
            if other:
                raise DataError(
                    f"{', '.join(other)} is not {code} text: train it with "
                    f"--language {REGISTRY[other[0]].language}"
                )
        with progress.logs_above_bars():
            loaded: dict[str, tuple[Sequence[LoadedSource], TrainConfig]] = {
                code: (
                    load_sources(
                        specs,
                        positive_class=args.positive_class,
                        negative_classes=args.negative_class,
                    ),
                    config,
                )
                for code, (specs, config) in plans.items()
            }
            train(loaded, out, jobs=max(1, args.jobs))
    except (DataError, ArtifactError) as exc:
        print(f"escalation-train: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        # Writes are atomic renames: either the artifact was replaced or it was not touched.
        touched = _identity(out) != before
        done = f"{out} was written" if touched else "nothing was written"
        print(f"escalation-train: interrupted; {done}", file=sys.stderr)
        return 130
    return 0


def _identity(path: Path) -> tuple[int, int] | None:
    """Inode and modification time of a file, None when absent: whether it was replaced."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns


if __name__ == "__main__":
    raise SystemExit(main())
