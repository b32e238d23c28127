"""Studies of the diplomatic corpora against ordinary news, out of fold on the
default corpora (`python -m studies.experiments frontier|genre`).

`frontier`: weightings, regularisation and n-gram ranges, terms counted once per feature
configuration. `genre` (`studies.genre`): gated mixtures of a general and a diplomatic expert,
hard routing by corpus, a gate on sentences, and each gate's figures on whole articles.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import expit, logit
from sklearn.metrics import roc_auc_score

from model.text import article_sentences
from studies.genre import (
    Mixture,
    expert_logits,
    fit_mixture,
    fit_sentence_gate,
    gated_probabilities,
    mix,
    routed_logits,
    sentence_gate_weight,
)
from training.data.registry import DEFAULT_TRAINING, load_corpus, public_corpora
from training.evaluation.articles import ArticleData
from training.evaluation.intervals import grouped_bootstrap_ci
from training.fit.article_map import ArticleSet, cross_fitted
from training.fit.article_map import fit as fit_article_map
from training.fit.crossval import (
    TrainingSet,
    alert_threshold,
    cross_validate,
    crossfit_platt,
    cv_metrics,
)
from training.fit.folds import FoldFeatures
from training.fit.metrics import DIPLOMATIC
from training.fit.pipeline import TrainConfig, build_pipeline, fit_platt

log = logging.getLogger("escalation.train")


# The default corpora less the project's own pairs, as these studies were measured.
PUBLIC = public_corpora(DEFAULT_TRAINING)
# The diplomatic corpora's figures against the ordinary-news target, as a frontier: the default
# corpora, weighted or featurised otherwise. Both sides come from the grouped CV's
# out-of-fold rows (ordinary news: the `wikicurrent` rows, held out by day).
FRONTIER: tuple[tuple[str, TrainConfig], ...] = (
    *(
        (
            f"ordinary news x{news:g}, diplomatic x{diplomatic:g}",
            TrainConfig(
                corpus_boost=(
                    *TrainConfig.corpus_boost,
                    ("wikicurrent", news),
                    *((name, diplomatic) for name in DIPLOMATIC),
                )
            ),
        )
        for news in (1.0, 0.5, 0.3)
        for diplomatic in (1.0, 2.0, 4.0)
    ),
    ("C=0.5", TrainConfig(C=0.5)),
    ("C=3", TrainConfig(C=3.0)),
    ("word 1-3 grams", TrainConfig(word_max_n=3)),
    ("characters 3-5", TrainConfig(char_min_n=3)),
    ("characters 2-6", TrainConfig(char_max_n=6)),
)


def run_frontier(jobs: int) -> dict[str, dict[str, float]]:
    """Each `FRONTIER` variant's diplomatic, Multi-CoPED and ordinary-news figures; terms are
    counted once per feature configuration, not once per weighting."""
    loaded = [load_corpus(name) for name in PUBLIC]
    results: dict[str, dict[str, float]] = {}
    key: tuple[object, ...] = ()
    features: FoldFeatures | None = None
    for name, config in FRONTIER:
        data = TrainingSet.from_sources(loaded, config)
        # What the counts and their per-fold TF-IDF depend on (`FoldFeatures` keeps min_df).
        analyzers = (
            config.word_max_n,
            config.char_min_n,
            config.char_max_n,
            config.use_char,
            config.mask_actors,
            config.min_df,
        )
        if features is None or analyzers != key:
            features = None  # one set of counts in memory at a time
            features, key = FoldFeatures(build_pipeline(config), data.texts), analyzers
        _, probs = cross_validate(data, config, jobs, features)
        results[name] = frontier_figures(data, probs)
    return results


def frontier_figures(data: TrainingSet, probs: np.ndarray) -> dict[str, float]:
    """Out-of-fold figures of the default corpora: diplomatic, Multi-CoPED, ordinary news."""
    metrics = cv_metrics(data, probs, alert_threshold())
    ordinary = probs[data.evaluate & (data.sources == "wikicurrent")]
    diplomatic = metrics["pooled-diplomatic"]
    rows = data.evaluate & np.isin(data.sources, DIPLOMATIC)
    # Miscalibration's shape there: a slope below 1 is over-confidence, a mean off the rate
    # is a shifted base rate.
    slope, _ = fit_platt(logit(np.clip(probs[rows], 1e-12, 1 - 1e-12)), data.y[rows])
    return {
        "diplomatic_roc_auc": diplomatic["roc_auc"],
        "diplomatic_ece": diplomatic["ece"],
        "diplomatic_slope": slope,
        "diplomatic_mean_minus_rate": float(probs[rows].mean() - data.y[rows].mean()),
        **{f"{corpus}_roc_auc": metrics[corpus]["roc_auc"] for corpus in DIPLOMATIC},
        "multicoped_roc_auc": metrics["multicoped"]["roc_auc"],
        "ordinary_share_high": float((ordinary >= alert_threshold()).mean()),
        "ordinary_mean": float(ordinary.mean()),
    }


# The genre gate's variants (`studies.genre`): the diplomatic expert's training rows, and the
# gate's shift towards the general expert.
GENRE_EXPERTS = {"diplomatic": DIPLOMATIC, "diplomatic + Multi-CoPED": (*DIPLOMATIC, "multicoped")}
GENRE_GATES: tuple[tuple[str, float], ...] = (
    ("diplomatic", 0.0),
    ("diplomatic", 1.0),
    ("diplomatic", 2.0),
    ("diplomatic + Multi-CoPED", 0.0),
)


# The corpora that hard routing by corpus (an oracle gate) hands to the four-corpus expert: the
# three of speeches and statements, then all four (NGEC's are news stories).
GENRE_ROUTES: tuple[tuple[str, ...], ...] = (("unscon", "unquad", "cameo"), DIPLOMATIC)

DEFAULT_ROW = "default (the general expert)"
FOUR_CORPORA_ROW = "diplomatic expert alone (the four corpora)"


def _auc_gain(y: np.ndarray, pair: np.ndarray) -> float:
    """ROC-AUC of the second column less that of the first."""
    return float(roc_auc_score(y, pair[:, 1]) - roc_auc_score(y, pair[:, 0]))


def run_genre(jobs: int, seed_article: Path | None = None) -> dict[str, dict[str, float]]:
    """The default model, the diplomatic expert alone, each gated mixture and hard routing by
    corpus, on the same folds and counts (the default model is the general expert); logs the
    gate weights on whole texts and on sentences, and each gate's whole-article figures."""
    config = TrainConfig()
    data = TrainingSet.from_sources([load_corpus(n) for n in PUBLIC], config)
    diplomatic = np.isin(data.sources, DIPLOMATIC)
    experts = {name: np.isin(data.sources, rows) for name, rows in GENRE_EXPERTS.items()}
    found = expert_logits(data, config, diplomatic, experts, jobs)
    # The four-corpus model of before, on these folds: Platt-scaled on its own rows.
    special = crossfit_platt(found.diplomatic["diplomatic"], data.y, found.fold_of, rows=diplomatic)
    general = crossfit_platt(found.general, data.y, found.fold_of)
    results = {
        DEFAULT_ROW: expit(general),
        FOUR_CORPORA_ROW: expit(special),
        **{
            f"gated, expert {expert}, shift {shift:g}": gated_probabilities(
                found, data.y, expert, experts[expert], shift
            )
            for expert, shift in GENRE_GATES
        },
        # Hard routing by corpus, an oracle gate: the four-corpus expert exactly on these
        # corpora's rows, the default elsewhere.
        **{
            _routed_row(routed): expit(routed_logits(general, special, data.sources, routed))
            for routed in GENRE_ROUTES
        },
    }
    gate = expit(found.gate)
    log.info(
        "gate's mean weight of the general expert: %s",
        {s: round(float(gate[data.sources == s].mean()), 3) for s in np.unique(data.sources)},
    )
    figures = {name: frontier_figures(data, probs) for name, probs in results.items()}
    # Each variant's diplomatic ROC-AUC against the two single models', paired, with a
    # grouped-bootstrap 95% interval (one split: the spread the table does not show).
    rows = data.evaluate & diplomatic
    for name, probs in results.items():
        for label, base in (("default", DEFAULT_ROW), ("four_corpora", FOUR_CORPORA_ROW)):
            gain = low = high = 0.0  # the same scores on these rows: no resampling needed
            if not np.array_equal(results[base][rows], probs[rows]):
                pair = np.column_stack([results[base][rows], probs[rows]])
                gain = _auc_gain(data.y[rows], pair)
                low, high = grouped_bootstrap_ci(data.y[rows], pair, data.groups[rows], _auc_gain)
            figures[name] |= {
                f"diplomatic_gain_vs_{label}": gain,
                f"gain_vs_{label}_low": low,
                f"gain_vs_{label}_high": high,
            }
    # The ordinary-news target's own measure: days never trained on, at the pipeline's score.
    mixture = fit_mixture(data, config, diplomatic, experts, found)
    held_texts = [e.text for e in load_corpus("wikicurrent-heldout").examples]
    x = mixture.transform(held_texts)
    general_held_out = expit(mixture.calibrated(x, "general"))
    held_out = {
        DEFAULT_ROW: general_held_out,
        FOUR_CORPORA_ROW: expit(mixture.calibrated(x, "diplomatic")),
        **{
            f"gated, expert {expert}, shift {shift:g}": mixture.probabilities(x, expert, shift)
            for expert, shift in GENRE_GATES
        },
        # Ordinary news is never routed: the general expert's.
        **{_routed_row(routed): general_held_out for routed in GENRE_ROUTES},
    }
    for name, p in held_out.items():
        figures[name]["held_out_share_high"] = float((p >= alert_threshold()).mean())
        figures[name]["held_out_mean"] = float(p.mean())
    sentence_gate = fit_sentence_gate(
        build_pipeline(config).named_steps["clf"],
        mixture.features,
        data.texts,
        data.weights,
        diplomatic,
    )
    articles = ArticleData.load()
    _log_gate_weights(data, mixture, sentence_gate, articles, held_texts)
    seed = seed_article.read_text(encoding="utf-8") if seed_article else None
    _log_article_figures(mixture, sentence_gate, articles, seed)
    return figures


def _routed_row(routed: Sequence[str]) -> str:
    """The table's name of hard routing of these corpora."""
    return "routed by corpus: the four-corpus expert on " + " + ".join(routed)


def _log_gate_weights(
    data: TrainingSet,
    mixture: Mixture,
    sentence_gate: Any,
    articles: ArticleData,
    held_out: Sequence[str],
) -> None:
    """The general expert's mean weight from the gate on whole texts and from the gate on
    sentences (a text's weight the mean of its sentences'), by training corpus (in sample) and
    on texts never trained on: ordinary news and whole Wikinews articles."""
    sets = {
        **{
            s: [t for t, u in zip(data.texts, data.sources, strict=True) if u == s]
            for s in np.unique(data.sources)
        },
        "ordinary news, held-out days": list(held_out),
        "Wikinews annotated articles": [e.text for e in articles.examples],
        "Wikinews economy articles": articles.economy,
    }
    for name, texts in sets.items():
        whole = expit(mixture.classifiers["gate"].decision_function(mixture.transform(texts)))
        sentences = sentence_gate_weight(sentence_gate, mixture.features, texts)
        log.info(
            "general expert's mean weight, %s (%d): gate on whole texts %.3f, on sentences %.3f",
            name,
            len(texts),
            whole.mean(),
            sentences.mean(),
        )


def _gated_logits(mixture: Mixture, sentence_gate: Any, texts: Sequence[str]) -> dict[str, Any]:
    """The texts' logits from the general expert alone and from the mixture with the diplomatic
    expert, gated on whole texts or on sentences, at shifts 0 and 1."""
    x = mixture.transform(texts)
    general, special = mixture.calibrated(x, "general"), mixture.calibrated(x, "diplomatic")
    whole = mixture.classifiers["gate"].decision_function(x)
    out = {"general expert (the default)": general}
    for shift in (0.0, 1.0):
        out[f"gate on whole texts, shift {shift:g}"] = mix(general, special, whole + shift)
        g = sentence_gate_weight(sentence_gate, mixture.features, texts, shift)
        out[f"gate on sentences, shift {shift:g}"] = g * general + (1.0 - g) * special
    return out


def _log_article_figures(
    mixture: Mixture, sentence_gate: Any, articles: ArticleData, seed: str | None
) -> None:
    """Each gate's figures on whole Wikinews articles, as the report measures the served model:
    the article map refitted on its logits (cross-fitted on the annotated articles, fitted on
    all of them for the economy articles and the seed article)."""
    labelled = articles.examples
    texts = [e.text for e in labelled] + articles.economy + ([seed] if seed else [])
    sentences = np.array([article_sentences(t) for t in texts])
    y = np.array([e.label for e in labelled], dtype=int)
    evaluate = np.array([e.evaluate for e in labelled], dtype=bool)
    ids = tuple(e.group for e in labelled)
    n, m, alert = len(labelled), len(articles.economy), alert_threshold()
    for name, z in _gated_logits(mixture, sentence_gate, texts).items():
        annotated = ArticleSet(ids, y, z[:n], sentences[:n], evaluate)
        crossed = expit(cross_fitted(annotated))
        mapping = fit_article_map(annotated)
        economy = expit(mapping.apply(z[n : n + m], sentences[n : n + m]))
        seed_score = expit(mapping.apply(z[n + m :], sentences[n + m :]))
        log.info(
            "whole articles, %s: annotated ROC-AUC %.3f (map cross-fitted; %.3f before it), "
            "at high+ not-escalatory %.3f, escalatory %.3f, economy %.3f; seed article %s",
            name,
            roc_auc_score(y[evaluate], crossed[evaluate]),
            roc_auc_score(y[evaluate], z[:n][evaluate]),
            (crossed[evaluate & (y == 0)] >= alert).mean(),
            (crossed[evaluate & (y == 1)] >= alert).mean(),
            (economy >= alert).mean(),
            f"{seed_score[0]:.3f}" if seed else "not given",
        )


def frontier_table(results: dict[str, dict[str, float]]) -> str:
    """Markdown: one row per variant."""
    columns = list(next(iter(results.values())))
    lines = ["| variant | " + " | ".join(columns) + " |", "|---|" + "---:|" * len(columns)]
    for name, row in results.items():
        lines.append(f"| {name} | " + " | ".join(f"{row[c]:.3f}" for c in columns) + " |")
    return "\n".join(lines)
