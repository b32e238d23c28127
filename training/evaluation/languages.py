"""The evaluation report's sections for the languages other than English (after the English ones).

For each language model of the artifact: its quality gate and grouped cross-validation from the
manifest; for the Arabic GSR (when the model trained on it), the `yes` sentences' share at `high`
or above and the mean scores of `yes` and `easy no`, out of fold (the language's grouped CV rerun
with the manifest's hyper-parameters, with `--cv` only); the held-out ordinary articles and the
unlabelled mixed ones of its news corpus, whole as sent, per category and by sentence count, and
the held-out titles alone where the corpus has them; the actor swap on the language's
paragraphs; an escalatory sentence disguised with invisible and look-alike characters (Arabic);
the language's contrast set (`docs/contrast/<language>/`: minimal pairs that differ
only in what happened, an evaluation file); one written sentence explained, its spans checked
against the text. For each
language that missed its gate (`unsupported`): its gate and CV tables, and what cannot be
computed without a model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import expit

from model import Scorer
from model.article import IDENTITY
from model.artifact import ArtifactError, Release
from model.routing import Router
from model.text import article_sentences, rules_for
from model.types import Phrase
from training.data.provenance import load_training_sources
from training.data.registry import ARABIC_GSR_UNCLEAR, load_corpus
from training.data.sources import LoadedSource
from training.data.wikinews import REPO_ROOT
from training.evaluation.actor_swap import LANGUAGES as SWAP_LANGUAGES
from training.evaluation.actor_swap import TARGET_MEAN_ABS_CHANGE, actor_swap_check
from training.evaluation.articles import shares
from training.evaluation.checks import evasion_check
from training.evaluation.contrast import (
    HIGH,
    category_table,
    contrast_dir,
    pair_files,
    read_pairs,
    score_pairs,
    summary_figures,
)
from training.evaluation.report import evasion_json, evasion_table, swap_table
from training.fit.card import cv_table, gate_table, language_name
from training.fit.crossval import TrainingSet, cross_validate
from training.fit.gates import GATES
from training.fit.metrics import binary_metrics
from training.fit.pipeline import TrainConfig

# Each language's news articles: (held-out ordinary articles, unlabelled mixed articles), and
# where the corpus has them, the held-out articles' titles alone (the headlines a monitor sends).
NEWS: dict[str, tuple[str, str]] = {
    "ar": ("ant-heldout", "ant-mixed"),
    "es": ("fakenews-es-heldout", "fakenews-es-mixed"),
}
TITLES: dict[str, str] = {"ar": "ant-heldout-titles"}
GSR = "arabic-gsr"
# Sentence-count buckets of whole articles: (label, lowest, highest), counted by
# `model.text.article_sentences` (a text of no sentence counts with the single ones).
LENGTH_BUCKETS: tuple[tuple[str, int, float], ...] = (
    ("1", 0, 1),
    ("2-3", 2, 3),
    ("4-7", 4, 7),
    ("8-15", 8, 15),
    ("16+", 16, float("inf")),
)
# One threat sentence per language, explained in the report: a government threatens military
# retaliation unless troops withdraw (written for the report, with a few diacritics).
EXPLAINED: dict[str, str] = {
    "ar": (
        "هدّدت الحكومةُ بردٍّ عسكريٍّ حاسم ما لم تنسحب القوات الأجنبية من أراضيها خلال ثمانٍ وأربعين ساعة."
    ),
}
EXPLAINED_TOP_K = 5
# The languages with a disguised-sentence check of their own (`training.evaluation.checks`).
EVASION_LANGUAGES = ("ar",)


@dataclass(frozen=True)
class LanguageOptions:
    """What the report's options ask of the language sections: `cv` reruns each language's
    grouped cross-validation (for the out-of-fold GSR figures), `news` scores the news corpora;
    the loaders (a registered corpus by name; a manifest's training sources) are replaceable."""

    cv: bool
    news: bool
    jobs: int = 1
    corpus: Callable[[str], LoadedSource] = load_corpus
    training: Callable[[Mapping[str, Any]], Sequence[LoadedSource]] = load_training_sources


def compile_router(release: Release) -> Router:
    """The release's models, compiled once (ArtifactError if one cannot be scored)."""
    try:
        return Router(release)
    except ValueError as exc:
        raise ArtifactError(f"a model of {release.version} cannot be scored: {exc}") from exc


def language_steps(release: Release, cv: bool) -> int:
    """How many steps `language_sections` announces: one per language but English, and one
    more for each language's cross-validation (`cv`, when it trained on the Arabic GSR)."""
    return sum(
        1 + (cv and any(s["name"] == GSR for s in model.manifest.get("sources", [])))
        for code, model in release.models.items()
        if code != "en"
    )


def language_sections(
    release: Release,
    scorers: Mapping[str, Scorer],
    options: LanguageOptions,
    step: Callable[[str], None] = lambda name: None,
) -> dict[str, Any]:
    """The report's sections of every language but English, as one JSON-ready dict:
    `published` (each model of the release, in its order) and `unsupported`."""
    published = {}
    for code in release.languages:
        if code == "en":
            continue
        published[code] = language_section(scorers[code], options, step)
    unsupported = {
        code: {
            "name": language_name(code),
            "gate": entry["gate"],
            "cv_at_training": entry.get("metrics", {}).get("cv", {}),
            "news": list(NEWS.get(code, ())),
        }
        for code, entry in sorted(release.manifest.get("unsupported", {}).items())
    }
    return {"published": published, "unsupported": unsupported}


def language_section(
    scorer: Scorer, options: LanguageOptions, step: Callable[[str], None]
) -> dict[str, Any]:
    """One published language model's section."""
    code, manifest = scorer.language, scorer.manifest
    name = language_name(code)
    sources = [s["name"] for s in manifest.get("sources", [])]
    gsr: dict[str, Any] | None = None
    if options.cv and GSR in sources:
        step(f"{name}: cross-validation")
        gsr = gsr_out_of_fold(scorer, options)
    step(f"{name}: news articles, actor swap, explanation")
    news: dict[str, Any] | None = None
    if options.news and code in NEWS:
        heldout, mixed = (options.corpus(c) for c in NEWS[code])
        titles = options.corpus(TITLES[code]) if code in TITLES else None
        news = news_articles(scorer, heldout, mixed, titles)
    probability = lambda texts: expit(scorer.logits(texts))  # noqa: E731
    swap = actor_swap_check(probability, language=code) if code in SWAP_LANGUAGES else None
    evasion = evasion_check(probability, code) if code in EVASION_LANGUAGES else None
    return {
        "name": name,
        "gate": manifest.get("gate"),
        "cv_at_training": manifest.get("metrics", {}).get("cv", {}),
        "gsr": {"trained": GSR in sources, "cv": options.cv, "figures": gsr},
        "news": {
            "corpora": list(NEWS.get(code, ())),
            "titles": TITLES.get(code),
            "scored": options.news,
            "figures": news,
        },
        "article_map": manifest.get("article_calibration") if scorer.article != IDENTITY else None,
        "actor_swap": (
            {
                "original": swap.original,
                "swapped": swap.swapped,
                "mean_abs_change": swap.mean_abs_change,
                "max_abs_change": swap.max_abs_change,
            }
            if swap
            else None
        ),
        "evasion": evasion_json(evasion) if evasion else None,
        "contrast": contrast_section(scorer),
        "explanation": explained(scorer, EXPLAINED[code]) if code in EXPLAINED else None,
    }


def contrast_section(scorer: Scorer) -> dict[str, Any] | None:
    """The language's contrast set scored by its model: the files and the summary per category
    and in all (`training.evaluation.contrast.summarise`); None when the language has none."""
    directory = contrast_dir(scorer.language)
    pairs = read_pairs(directory)
    if not pairs:
        return None
    high = float(dict(scorer.levels)[HIGH])
    return {
        "files": [f.relative_to(REPO_ROOT).as_posix() for f in pair_files(directory)],
        "high": high,
        "summary": summary_figures(score_pairs(scorer, pairs, top=0), high),
    }


def gsr_out_of_fold(scorer: Scorer, options: LanguageOptions) -> dict[str, Any]:
    """The language's grouped CV rerun with its manifest's hyper-parameters on the sources it
    records; the Arabic GSR's evaluation rows out of fold: `yes` (label 1) and the negatives
    (`easy no` while the registry drops the unclear answers, `ARABIC_GSR_UNCLEAR`)."""
    manifest = scorer.manifest
    config = TrainConfig(**manifest["hyperparameters"])
    data = TrainingSet.from_sources(options.training(manifest), config)
    _, probs = cross_validate(data, config, options.jobs)
    rows = data.evaluate & (data.sources == GSR)
    y, p = data.y[rows], probs[rows]
    high = dict(scorer.levels)["high"]
    yes, no = p[y == 1], p[y == 0]
    return {
        "n_yes": len(yes),
        "yes_at_high": float((yes >= high).mean()) if len(yes) else float("nan"),
        "mean_yes": float(yes.mean()) if len(yes) else float("nan"),
        "n_no": len(no),
        "mean_no": float(no.mean()) if len(no) else float("nan"),
        "negatives": "easy no" if ARABIC_GSR_UNCLEAR == "drop" else "no (easy and unclear)",
        "roc_auc": binary_metrics(y, p, high)["roc_auc"],
        "folds": config.folds,
        "sources": list(dict.fromkeys(data.sources.tolist())),
    }


def bucket_of(sentences: int) -> str:
    """The `LENGTH_BUCKETS` label of a text of this many sentences."""
    return next(label for label, low, high in LENGTH_BUCKETS if low <= sentences <= high)


def news_articles(
    scorer: Scorer,
    heldout: LoadedSource,
    mixed: LoadedSource,
    titles: LoadedSource | None = None,
) -> dict[str, Any]:
    """Held-out ordinary and unlabelled mixed articles, whole as sent (and the held-out titles
    alone, when given): per category (topic) and all, and by sentence count (mean and share at
    `high` or above)."""
    high = dict(scorer.levels)["high"]
    out: dict[str, Any] = {"by_topic": {}, "by_length": {}}
    for source in (heldout, mixed) if titles is None else (heldout, titles, mixed):
        texts = [e.text for e in source.examples]
        topics = np.array([e.topic for e in source.examples])
        p = expit(scorer.logits(texts)) if texts else np.zeros(0)
        out["by_topic"][f"{source.name}: all"] = shares(p, scorer.levels)
        for topic in sorted(set(topics.tolist())):
            out["by_topic"][f"{source.name}: {topic}"] = shares(p[topics == topic], scorer.levels)
        if source is titles:  # one line each: no lengths to compare
            continue
        buckets = np.array([bucket_of(article_sentences(t)) for t in texts])
        out["by_length"][source.name] = {
            label: length_row(p[buckets == label], high) for label, _, _ in LENGTH_BUCKETS
        }
    return out


def length_row(p: np.ndarray, high: float) -> dict[str, Any]:
    """How many texts, their mean score and share at `high` or above (None when none)."""
    if not len(p):
        return {"n": 0, "mean": None, "at_high": None}
    return {"n": len(p), "mean": float(p.mean()), "at_high": float((p >= high).mean())}


def span_reads_as_phrase(text: str, phrase: Phrase, language: str) -> bool:
    """Whether each span of `phrase` is shown as written: `text[start:end]` begins where a word
    of `text` begins and ends where one ends (so a word's last diacritic is in it), and its words
    have the word forms of the phrase's words (`model.text.WordRules`: the phrase may show its
    words as forms or as written)."""
    rules = rules_for(language)
    tokens = rules.tokenize(text)
    starts, ends = {t.start for t in tokens}, {t.end for t in tokens}
    forms = [t.norm for t in rules.tokenize(phrase.text)]
    for start, end in phrase.spans:
        inside = [t.norm for t in tokens if start <= t.start and t.end <= end]
        if start not in starts or end not in ends or inside != forms:
            return False
    return True


def explained(scorer: Scorer, text: str) -> dict[str, Any]:
    """One text's score, level and strongest phrases each way, each span as written in it."""
    result = scorer.score(text, top_k=EXPLAINED_TOP_K)

    def rows(phrases: Sequence[Phrase]) -> list[dict[str, Any]]:
        return [
            {
                "phrase": ph.text,
                "weight": ph.weight,
                "spans": [[s, e] for s, e in ph.spans],
                "as_written": [text[s:e] for s, e in ph.spans],
                "checked": span_reads_as_phrase(text, ph, scorer.language),
            }
            for ph in phrases
        ]

    return {
        "text": text,
        "score": result.score,
        "level": result.level,
        "warnings": [w.code for w in result.warnings],
        "phrases": rows(result.phrases),
        "deescalating_phrases": rows(result.deescalating_phrases),
    }


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _gate_bound(code: str, corpus: str) -> str:
    """How the language's gate bounds a held-out corpus, or "" when it does not."""
    for check in GATES.get(code, ()):
        if check.kind == "heldout" and check.corpus == corpus:
            return f" The gate's bound: at most {check.bound:.0%} at `high` or above."
    return ""


def render_languages(sections: Mapping[str, Any], levels: Sequence[str]) -> list[str]:
    """The Markdown of `language_sections`: each published language, then each unsupported."""
    lines: list[str] = []
    for code, section in sections["published"].items():
        lines += ["", *render_language(code, section, levels)]
    for code, entry in sections["unsupported"].items():
        lines += ["", *render_unsupported(code, entry)]
    return lines


def render_language(code: str, section: Mapping[str, Any], levels: Sequence[str]) -> list[str]:
    """One published language's section."""
    name = section["name"]
    lines = [f"## {name}", ""]
    lines += [
        f"The {name} model of this artifact: every text below is scored by it (no language "
        "identification).",
        "",
        "### Quality gate and grouped cross-validation at training (from the manifest)",
        "",
    ]
    if section["gate"]:
        lines += [*gate_table(section["gate"]), ""]
    lines += [*cv_table(section["cv_at_training"]), ""]
    lines += render_gsr(section["gsr"])
    lines += render_news(code, section, levels)
    lines += render_swap(section["actor_swap"])
    lines += render_evasion(section.get("evasion"))
    lines += render_language_contrast(section.get("contrast"))
    lines += render_explanation(section["explanation"])
    return lines[:-1] if lines[-1] == "" else lines


def render_gsr(gsr: Mapping[str, Any]) -> list[str]:
    """The Arabic GSR's out-of-fold figures, or why there are none."""
    if not gsr["trained"]:
        return []
    lines = ["### Arabic GSR, out of fold", ""]
    figures = gsr["figures"]
    if figures is None:
        return [
            *lines,
            "The share of `yes` sentences at `high` or above and the mean scores of `yes` and "
            "`easy no` come from out-of-fold probabilities: they need --cv (the grouped "
            "cross-validation rerun).",
            "",
        ]
    return [
        *lines,
        f"Grouped {figures['folds']}-fold cross-validation rerun with the manifest's "
        f"hyper-parameters on its sources ({', '.join(figures['sources'])}); the "
        f"{GSR} rows out of fold (ROC-AUC {figures['roc_auc']:.3f}).",
        "",
        "| sentences | n | mean score | at `high` or above |",
        "|---|---:|---:|---:|",
        f"| yes | {figures['n_yes']} | {figures['mean_yes']:.3f} | "
        f"{100 * figures['yes_at_high']:.1f}% |",
        f"| {figures['negatives']} | {figures['n_no']} | {figures['mean_no']:.3f} | - |",
        "",
    ]


def render_news(code: str, section: Mapping[str, Any], levels: Sequence[str]) -> list[str]:
    """The held-out ordinary and mixed articles: per category, then by sentence count."""
    news = section["news"]
    if not news["corpora"]:
        return []
    heldout, mixed = news["corpora"]
    lines = ["### News articles, whole as sent", ""]
    figures = news["figures"]
    titles = news.get("titles")
    if figures is None:
        named = ", ".join(f"`{c}`" for c in (heldout, titles, mixed) if c)
        return [*lines, f"Not scored (--no-ordinary-news): {named}.", ""]
    levels_header = " | n | mean | " + " | ".join(f"≥ {n}" for n in levels) + " |"
    header = "| articles" + levels_header
    rule = "|---|---:|---:|" + "---:|" * len(levels)

    def rows(prefix: str) -> list[str]:
        out = []
        for name, row in figures["by_topic"].items():
            if name.startswith(f"{prefix}: "):
                cells = " | ".join(_percent(v) for v in row["at_or_above"].values())
                out.append(f"| {name} | {row['n']} | {_score(row['mean'])} | {cells} |")
        return out

    lines += [
        f"Held-out ordinary articles (`{heldout}`: never trained on, all not escalatory), whole "
        "as sent (title, blank line, body), by category: mean score and share at each level or "
        f"above.{_gate_bound(code, heldout)}",
        "",
        header,
        rule,
        *rows(heldout),
        "",
    ]
    if titles:
        lines += [
            f"The same articles' titles, each scored alone (`{titles}`: the headlines a monitor "
            f"sends without their articles).{_gate_bound(code, titles)}",
            "",
            "| titles" + levels_header,
            rule,
            *rows(titles),
            "",
        ]
    lines += [
        f"Articles of the mixed categories (`{mixed}`): no labels, so a distribution of scores, "
        "not an error rate.",
        "",
        header,
        rule,
        *rows(mixed),
        "",
    ]
    calibration = section["article_map"]
    if calibration is None:
        note = (
            f"The {section['name'].split(' (')[0]} model has no article map (the length-aware "
            "map of `model/article.py` was fitted on English articles), so a text of several "
            "sentences gets the pipeline's own score."
        )
    else:
        note = (
            f"Scores through the model's article map (slope {calibration['slope']:.3f}, "
            f"intercept {calibration['intercept']:.3f})."
        )
    lines += [
        "By sentence count (`model.text.article_sentences`): mean score and share at `high` or "
        "above. " + note,
        "",
        f"| sentences | {heldout} n | mean | ≥ high | {mixed} n | mean | ≥ high |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, _, _ in LENGTH_BUCKETS:
        cells = []
        for corpus in (heldout, mixed):
            b = figures["by_length"][corpus][label]
            cells += [str(b["n"]), _score(b["mean"]), _percent(b["at_high"])]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def render_swap(swap: Mapping[str, Any] | None) -> list[str]:
    """The actor swap on the language's own paragraphs."""
    if swap is None:
        return []
    lines = [
        "### Actor swap",
        "",
        f"{len(swap['original'])} paragraphs written for the check in this language, scored as "
        "written and with often-hostile actors replaced by neutral ones "
        "(`training/evaluation/actor_swap.py`): mean absolute change "
        f"**{swap['mean_abs_change']:.4f}** (target ≤ {TARGET_MEAN_ABS_CHANGE}), largest "
        f"{swap['max_abs_change']:.4f}.",
        "",
        *swap_table(swap),
    ]
    return [*lines, ""]


def render_evasion(evasion: Mapping[str, Any] | None) -> list[str]:
    """The language's escalatory sentence, plain and disguised."""
    if evasion is None:
        return []
    lines = [
        "### Invisible and look-alike characters",
        "",
        f"An escalatory sentence written for the check scores {evasion['plain']:.4f} plain; "
        "disguised (`training/evaluation/checks.py`; target: within 0.02):",
        "",
        *evasion_table(evasion, "hamza letters decomposed"),
    ]
    return [*lines, ""]


def render_language_contrast(contrast: Mapping[str, Any] | None) -> list[str]:
    """The language's contrast set: where it is, and the table per category."""
    if contrast is None:
        return []
    named = " and ".join(f"`{f}`" for f in contrast["files"])
    pairs = contrast["summary"]["all"]["pairs"]
    return [
        "### Contrast set",
        "",
        f"{pairs} minimal pairs in {named}, an escalatory and a calm member differing only in "
        "what happened, in the nine kinds of the English set; an evaluation file, never trained "
        "or tuned on, written apart from the language's training pairs. A pair is ordered right "
        "when its escalatory member scores strictly higher; at high+ means a score of at least "
        f"{contrast['high']:g}.",
        "",
        *category_table(contrast["summary"]),
        "",
    ]


def render_explanation(explanation: Mapping[str, Any] | None) -> list[str]:
    """The explained sentence: score, level, phrases with weights and spans as written."""
    if explanation is None:
        return []
    phrases = [*explanation["phrases"], *explanation["deescalating_phrases"]]
    unchecked = [p["phrase"] for p in phrases if not p["checked"]]
    lines = [
        "### One sentence explained",
        "",
        "A threat written for the report (a government threatens military retaliation unless "
        f"troops withdraw): {explanation['text']}",
        "",
        f"Score **{explanation['score']:.3f} ({explanation['level']})**, warnings: "
        f"{', '.join(explanation['warnings']) or 'none'}. The strongest phrases each way (weight "
        "on the logit; each phrase as the explanation names it, each of its spans `[start, end)` "
        "shown as `text[start:end]`, as written):",
        "",
        "| phrase | weight | spans | as written |",
        "|---|---:|---|---|",
    ]
    for p in phrases:
        spans = ", ".join(f"[{s}, {e})" for s, e in p["spans"])
        written = ", ".join(p["as_written"])
        lines.append(f"| {p['phrase']} | {p['weight']:+.3f} | {spans} | {written} |")
    lines += [
        "",
        "Every span checked: it begins and ends on words of the text, and its words have the "
        "phrase's word forms."
        if not unchecked
        else f"**Spans that do not read as their phrase**: {', '.join(unchecked)}.",
        "",
    ]
    return lines


def render_unsupported(code: str, entry: Mapping[str, Any]) -> list[str]:
    """A language trained that missed its gate: its figures, and what needs a model."""
    lines = [
        f"## {entry['name']}",
        "",
        "Not published: missed its gate.",
        "",
        *gate_table(entry["gate"]),
        "",
        *cv_table(entry["cv_at_training"]),
    ]
    if entry["news"]:
        heldout, mixed = entry["news"]
        lines += [
            "",
            f"Held-out ordinary news (`{heldout}`) and the mixed articles (`{mixed}`): not "
            f"computable, the artifact holds no {entry['name'].split(' (')[0]} model to score "
            "them.",
        ]
    return lines
