"""How the article score was chosen, reproducible (docs/decisions.md, "The article score: the
whole text through a length-aware map").

    python -m studies.article_study                   # candidates, full_at, on the default model
    python -m studies.article_study --ngec            # also NGEC's stories (grouped CV, minutes)

Candidates for a whole article's score, each turned into a probability by a Platt step fitted on
the annotated Wikinews articles (cross-fitted, 5 folds) and judged, escalatory against not, by
ROC-AUC, the share of not-escalatory articles at `high` or above, and the share of the other
economy articles at `high` or above (Platt fitted on all the annotated ones):
the whole text's logit (what the service computed before), the mean sentence logit, the mean of
the top 1/3/5 sentence logits, log-mean-exp of sentence logits, and the share of sentences at
`high` or above. Then the length-aware map's `full_at`, by the likelihood of the annotated
articles. `--ngec` cross-validates the default configuration and scores NGEC's synthetic stories
out of fold with the pipeline's score and with the article map, and fits the map on them alone.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

import numpy as np
from scipy.special import expit, log_expit, logit
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from model import Scorer, default_model_path
from model.text import article_sentences
from training.data.registry import load_sources
from training.evaluation.articles import ArticleData
from training.fit.article_map import ArticleSet, fit
from training.fit.crossval import TrainingSet, command_parser, cross_validate
from training.fit.metrics import expected_calibration_error
from training.fit.pipeline import TrainConfig, apply_platt, fit_platt

ALERT = 0.5
Aggregate = Callable[[float, np.ndarray], float]


def _top(k: int) -> Aggregate:
    return lambda whole, sentences: float(np.sort(sentences)[::-1][:k].mean())


CANDIDATES: dict[str, Aggregate] = {
    "whole text": lambda whole, sentences: whole,
    "mean sentence": lambda whole, sentences: float(sentences.mean()),
    "top 1 sentence": _top(1),
    "top 3 sentences": _top(3),
    "top 5 sentences": _top(5),
    "log-mean-exp": lambda whole, sentences: float(np.log(np.mean(np.exp(sentences)))),
    "share at high+": lambda whole, sentences: float(
        logit(np.clip((sentences >= 0).mean(), 0.01, 0.99))
    ),
}


def candidates(scorer: Scorer) -> None:
    """Print the candidates' table and the `full_at` likelihoods."""
    data = ArticleData.load()
    examples, economy = data.examples, data.economy
    binary = [e for e in examples if e.evaluate]
    y = np.array([e.label for e in binary])

    def features(texts: Sequence[str]) -> dict[str, np.ndarray]:
        whole, _ = scorer.unmapped_logits(texts)
        per = [scorer.sentence_logits(t) for t in texts]
        return {
            name: np.array([f(w, s) for w, s in zip(whole, per, strict=True)])
            for name, f in CANDIDATES.items()
        }

    x_all, x_eco = features([e.text for e in binary]), features(economy)
    print(
        f"| candidate | ROC-AUC | not at high+ | escalatory at high+ | economy ({len(economy)}) |"
    )
    print("|---|---:|---:|---:|---:|")
    for name in CANDIDATES:
        x, oof = x_all[name], np.zeros(len(y))
        for train, test in StratifiedKFold(5, shuffle=True, random_state=13).split(x, y):
            oof[test] = apply_platt(x[test], fit_platt(x[train], y[train]))
        eco = apply_platt(x_eco[name], fit_platt(x, y))
        print(
            f"| {name} | {roc_auc_score(y, oof):.3f} | {(oof[y == 0] >= ALERT).mean():.1%} | "
            f"{(oof[y == 1] >= ALERT).mean():.1%} | {(eco >= ALERT).mean():.1%} |"
        )
    labelled = ArticleSet.score(scorer, examples)
    print("\n| full_at | slope | intercept | negative log-likelihood |\n|---:|---:|---:|---:|")
    for full_at in (2, 4, 6, 8, 10, 12, 16, 24):
        mapping = fit(labelled, full_at)
        z = mapping.apply(labelled.logits, labelled.sentences)
        loss = -np.sum(labelled.y * log_expit(z) + (1 - labelled.y) * log_expit(-z))
        print(f"| {full_at} | {mapping.slope:.3f} | {mapping.intercept:.3f} | {loss:.2f} |")


def ngec(scorer: Scorer, jobs: int) -> None:
    """NGEC's stories out of fold (the default configuration), before and after the map."""
    config = TrainConfig(**scorer.manifest["hyperparameters"])
    names = [s["name"] for s in scorer.manifest["sources"]]
    data = TrainingSet.from_sources(load_sources(names), config)
    _, probs = cross_validate(data, config, jobs)
    rows = np.flatnonzero(data.sources == "ngec")
    y = data.y[rows]
    z = logit(np.clip(probs[rows], 1e-15, 1 - 1e-15))
    sentences = np.array([article_sentences(data.texts[i]) for i in rows])
    print(
        f"\nNGEC stories: {len(rows)}, {y.mean():.1%} positive, median {np.median(sentences):.0f}"
    )
    print("| score | ROC-AUC | ECE | positives at high+ | negatives at high+ |")
    print("|---|---:|---:|---:|---:|")
    for name, p in (
        ("pipeline", expit(z)),
        ("article map", expit(scorer.article.apply(z, sentences))),
    ):
        print(
            f"| {name} | {roc_auc_score(y, p):.3f} | {expected_calibration_error(y, p):.3f} | "
            f"{(p[y == 1] >= ALERT).mean():.1%} | {(p[y == 0] >= ALERT).mean():.1%} |"
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Print the tables."""
    parser = command_parser("python -m studies.article_study", __doc__)
    parser.add_argument("--ngec", action="store_true", help="also NGEC's stories (grouped CV)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    scorer = Scorer.load(default_model_path())
    candidates(scorer)
    if args.ngec:
        ngec(scorer, max(1, args.jobs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
