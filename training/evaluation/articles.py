"""Whole articles in the evaluation report: the annotated Wikinews articles, the economy
articles and one long mixed document, scored as the service scores them.

The article map (`model.article`) was fitted on the annotated articles, so their figures here are
cross-fitted (`training.fit.article_map.cross_fitted`): no article is scored by a map fitted on
its own label. The economy articles outside the annotated sample were never in the fit and are
scored by the artifact as it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import expit

from model import Scorer
from model.article import IDENTITY
from model.scope import passage_warnings
from training.data.annotation import MIN_BODY
from training.data.fetch import cache_dir_from_env, data_dir_from_env, resolve_file
from training.data.registry import REGISTRY
from training.data.sources import Example
from training.data.wikinews import LABELS_FILE, Article, labelled_examples, wikinews_articles
from training.evaluation.intervals import with_intervals
from training.fit.article_map import ArticleSet, cross_fitted

# The long mixed document: the annotated escalatory article with the most sentences at the top
# level, then the longest annotated not-escalatory economy article, then the longest other one.
MIXED_PARTS = ("escalatory", "economy (not)", "other (not)")


def shares(p: np.ndarray, levels: Sequence[tuple[str, float]]) -> dict[str, Any]:
    """How many, their mean score, and the share at each level (above the lowest) or above."""
    return {
        "n": len(p),
        "mean": float(p.mean()) if len(p) else float("nan"),
        "at_or_above": {name: float((p >= lower).mean()) for name, lower in levels[1:]},
    }


@dataclass(frozen=True)
class ArticleData:
    """The Wikinews articles read once: all of them, the agreed labelled ones, and the texts of
    the economy articles of at least `MIN_BODY` characters outside the annotated sample."""

    every: list[Article]
    examples: list[Example]
    economy: list[str]

    @classmethod
    def load(cls) -> ArticleData:
        """From the mirror or cache named by the environment."""
        data_dir, cache_dir = data_dir_from_env(), cache_dir_from_env()
        paths = {
            f.path: resolve_file(f, data_dir=data_dir, cache_dir=cache_dir)
            for f in REGISTRY["wikinews"].files
        }
        every = wikinews_articles(paths)
        examples = list(
            labelled_examples(every, LABELS_FILE.read_text(encoding="utf-8"), str(LABELS_FILE))
        )
        annotated = {e.group for e in examples}
        economy = [
            a.text
            for a in every
            if a.source == "tosca-economy" and len(a.body) >= MIN_BODY and a.id not in annotated
        ]
        return cls(every, examples, economy)


def articles(scorer: Scorer, alert: float, reps: int) -> dict[str, Any]:
    """Annotated articles (escalatory against not, mixed apart) before and after the article
    map, every other economy article of at least `MIN_BODY` characters, the mixed document."""
    data = ArticleData.load()
    every, examples, economy = data.every, data.examples, data.economy
    labelled = ArticleSet.score(scorer, examples)
    binary = labelled.subset(np.flatnonzero(labelled.evaluate))  # escalatory against not
    groups = np.array(binary.ids)
    has_map = scorer.article != IDENTITY  # else the served score is the whole text's own
    mapped = expit(cross_fitted(labelled) if has_map else labelled.logits)
    before, after = expit(binary.logits), mapped[labelled.evaluate]
    levels = scorer.levels
    classes = np.array([e.topic for e in examples])
    economy_logits, economy_sentences = scorer.unmapped_logits(economy)
    economy_before = expit(economy_logits)
    economy_after = expit(scorer.article.apply(economy_logits, economy_sentences))
    esc, not_esc = binary.y == 1, binary.y == 0

    def metrics(p: np.ndarray) -> dict[str, Any]:
        m = with_intervals(binary.y, p, groups, alert, reps)
        return {**m, "negatives_at_alert": float((p[not_esc] >= alert).mean())}

    return {
        "calibration": scorer.manifest.get("article_calibration"),
        "metrics": (
            {
                "article score (map cross-fitted)": metrics(after),
                "whole text, sentence calibration": metrics(before),
            }
            if has_map
            else {"whole text (this model has no article map)": metrics(before)}
        ),
        "by_class": {
            name: shares(mapped[classes == name], levels) for name in ("escalatory", "mixed", "not")
        }
        | {"economy (others)": shares(economy_after, levels)},
        "by_class_before": {
            "escalatory": shares(before[esc], levels),
            "mixed": shares(expit(labelled.logits[classes == "mixed"]), levels),
            "not": shares(before[not_esc], levels),
            "economy (others)": shares(economy_before, levels),
        },
        "sentences": {
            "median": float(np.median(labelled.sentences)),
            "p5": float(np.percentile(labelled.sentences, 5)),
            "p95": float(np.percentile(labelled.sentences, 95)),
        },
        "passages": {
            name: passage_shares(scorer, texts, p)
            for name, texts, p in (
                *(
                    (
                        c,
                        [e.text for e, k in zip(examples, classes == c, strict=True) if k],
                        mapped[classes == c],
                    )
                    for c in ("escalatory", "mixed", "not")
                ),
                ("economy (others)", economy, economy_after),
            )
        },
        "mixed_document": mixed_document(scorer, every, examples),
    }


def passage_shares(scorer: Scorer, texts: Sequence[str], scores: np.ndarray) -> dict[str, float]:
    """Of texts with these article scores: the share warned of `escalatory_passages`, and the
    share an alerting rule of `high` or above, or that warning, would raise."""
    alert = scorer.levels[-2][1]
    warned = np.array(
        [
            bool(passage_warnings(float(p), expit(scorer.sentence_logits(t)), scorer.levels))
            for t, p in zip(texts, scores, strict=True)
        ]
    )
    return {
        "warned": float(warned.mean()),
        "alert_or_warned": float(((scores >= alert) | warned).mean()),
    }


def mixed_document(
    scorer: Scorer, every: Sequence[Article], examples: Sequence[Any]
) -> dict[str, Any]:
    """Three annotated articles in one text (`MIXED_PARTS`): its score, level and warnings,
    and what its sentences say."""
    by_id = {a.id: a for a in every}
    top = scorer.levels[-1][1]

    def strong(text: str) -> int:
        return int((expit(scorer.sentence_logits(text)) >= top).sum())

    threat = max((e for e in examples if e.topic == "escalatory"), key=lambda e: strong(e.text))
    nots = [by_id[e.group] for e in examples if e.topic == "not"]
    trade = max((a for a in nots if a.source == "tosca-economy"), key=lambda a: len(a.text))
    other = max((a for a in nots if a.source != "tosca-economy"), key=lambda a: len(a.text))
    parts = (threat.group, trade.id, other.id)
    text = "\n\n".join(by_id[i].text for i in parts)
    result = scorer.score(text, top_k=5, max_sentences=100)
    logits, sentences = scorer.unmapped_logits([text])
    p = expit(scorer.sentence_logits(text))
    return {
        "parts": dict(zip(MIXED_PARTS, parts, strict=True)),
        "characters": len(text),
        "sentences": int(sentences[0]),
        "score": result.score,
        "level": result.level,
        "score_before": float(expit(logits[0])),
        "warnings": [w.code for w in result.warnings],
        "phrases": [ph.text for ph in result.phrases],
        "at_or_above": {name: int((p >= lower).sum()) for name, lower in scorer.levels[1:]},
        "part_scores": [float(s) for s in expit(scorer.logits([by_id[i].text for i in parts]))],
    }


def _share_rows(rows: dict[str, Any]) -> list[str]:
    """Table rows: name, n, mean, share at each level or above."""
    out = []
    for name, row in rows.items():
        cells = " | ".join(f"{100 * v:.1f}%" for v in row["at_or_above"].values())
        out.append(f"| {name} | {row['n']} | {row['mean']:.3f} | {cells} |")
    return out


def _auc(m: dict[str, Any]) -> str:
    """ROC-AUC with its interval when there is one."""
    if "roc_auc_low" in m:
        return f"{m['roc_auc']:.3f} [{m['roc_auc_low']:.3f}, {m['roc_auc_high']:.3f}]"
    return f"{m['roc_auc']:.3f}"


def units_table(report: Mapping[str, Any]) -> list[str]:
    """Articles, stories and sentences side by side: ranking, calibration, and how often texts
    that are not escalatory reach the alert level, from the report's other sections."""
    alert = report["alert_threshold"]
    rows: list[tuple[str, str, dict[str, Any], float]] = []
    arts = report["articles"]
    for name, m in arts["metrics"].items():
        rows.append(("article", f"Wikinews, annotated: {name}", m, m["negatives_at_alert"]))
    economy = arts["by_class"]["economy (others)"]
    cv = report["sections"].get("cv_served") or report["sections"].get("cv")
    if cv:
        for corpus, unit in (
            ("ngec", "story"),
            ("multicoped", "sentence"),
            ("pooled", "mostly sentences"),
        ):
            if corpus in cv["metrics"]:
                at = next(c for c in cv["confusion"][corpus] if c["threshold"] == alert)
                share = at["fp"] / max(1, at["fp"] + at["tn"])
                rows.append(
                    (unit, f"{corpus} (grouped CV, served score)", cv["metrics"][corpus], share)
                )
    lines = [
        f"| unit | set | n | ROC-AUC [95% CI] | ECE | not escalatory at ≥ {alert} |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for unit, name, m, share in rows:
        lines.append(
            f"| {unit} | {name} | {m['n']} | {_auc(m)} | {m['ece']:.3f} | {100 * share:.1f}% |"
        )
    high = list(economy["at_or_above"])[1]
    lines.append(
        f"| article | Wikinews economy, not annotated | {economy['n']} | - | - | "
        f"{100 * economy['at_or_above'][high]:.1f}% |"
    )
    off = report.get("off_topic", {}).get("wikicurrent-heldout: all")
    if off:
        lines.append(
            f"| sentence | ordinary news items, held-out days | {off['n']} | - | - | "
            f"{100 * off['at_or_above'][high]:.1f}% |"
        )
    return lines


def render_articles(report: Mapping[str, Any]) -> list[str]:
    """The report's whole-article section."""
    arts = report["articles"]
    cal = arts["calibration"] or {}
    levels = report["levels"]
    header = "| articles | n | mean | " + " | ".join(f"≥ {n}" for n in levels) + " |"
    rule = "|---|---:|---:|" + "---:|" * len(levels)
    sentences = arts["sentences"]
    lines = [
        "## Whole articles",
        "",
        "Wikinews articles annotated in two independent passes (docs/annotation/), scored whole as "
        f"sent (title, blank line, body; median {sentences['median']:.0f} sentences, 5-95% "
        f"{sentences['p5']:.0f}-{sentences['p95']:.0f}). The article score is the whole text's "
        "logit through the article map (`model/article.py`)"
        + (
            f": slope {cal['slope']:.3f}, intercept {cal['intercept']:.3f}, in full from "
            f"{cal['full_at_sentences']} sentences"
            if cal
            else " (this model has none: the identity)"
        )
        + ". The map was fitted on these articles, so their figures are cross-fitted (5 folds); "
        "mixed articles count as carrying escalatory rhetoric in the fit, and the economy articles "
        "outside the sample were never in it. "
        "Targets: at most 10% of the not-escalatory and at most 3% of the economy articles at "
        "`high` or above.",
        "",
        "| score | n | ROC-AUC [95% CI] | average precision | Brier | ECE |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, m in arts["metrics"].items():
        lines.append(
            f"| {name} | {m['n']} | {_auc(m)} | {m['average_precision']:.3f} | "
            f"{m['brier']:.3f} | {m['ece']:.3f} |"
        )
    lines += ["", "Share at each level or above, the article score:", "", header, rule]
    lines += _share_rows(arts["by_class"])
    lines += ["", "The same, whole text at the sentence calibration (before):", "", header, rule]
    lines += _share_rows(arts["by_class_before"])
    lines += [
        "",
        "The `escalatory_passages` warning (a text below `high` with at least 3 sentences at "
        "`severe`), and an alerting rule that raises on `high` or above or on that warning:",
        "",
        "| articles | warned | `high`+ or warned |",
        "|---|---:|---:|",
    ]
    for name, row in arts["passages"].items():
        lines.append(
            f"| {name} | {100 * row['warned']:.1f}% | {100 * row['alert_or_warned']:.1f}% |"
        )
    lines += ["", "Both units side by side:", "", *units_table(report)]
    mixed = arts["mixed_document"]
    counts = ", ".join(f"{n} at ≥ {name}" for name, n in mixed["at_or_above"].items())
    parts = ", ".join(f"{k} `{v}`" for k, v in mixed["parts"].items())
    part_scores = ", ".join(f"{p:.3f}" for p in mixed["part_scores"])
    lines += [
        "",
        "### A long mixed document",
        "",
        f"Three annotated articles in one text ({parts}; {mixed['characters']:,} characters, "
        f"{mixed['sentences']} sentences). Each alone scores {part_scores}. Together: "
        f"**{mixed['score']:.3f} ({mixed['level']})** (whole text at the sentence calibration: "
        f"{mixed['score_before']:.3f}), warnings: {', '.join(mixed['warnings']) or 'none'}; "
        f"its sentences: {counts}; top phrases {', '.join(mixed['phrases'])}.",
    ]
    return lines
