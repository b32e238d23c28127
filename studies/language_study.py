"""Arabic and Spanish variants around the shipped configuration: the project's written sentences
of the language (`pairs-ar`, `pairs-es`: minimal pairs and everyday senses) at a weight or left
out ("no pairs"); and, without them (as they were measured before the written sentences
existed), the news corpus' weight, its rows (whole articles, or each article's title and
sentences) and Snowball stems as the word forms of the word n-grams.

    ESCALATION_DATA_DIR=../shared/data .venv/bin/python -m studies.language_study \
        [--contrast] {ar,es} [NAME ...]

`--contrast` also scores the language's contrast set (`docs/contrast/<language>/`, an evaluation
file) with each variant's model, as the service would: pairs ordered right, escalatory and calm
members at `high`+. A variant is chosen on the other columns; the contrast set is read after.

A weight or rows variant is trained as `escalation-train --language es|ar` trains it (grouped CV
per corpus, final fit, the gate's held-out news). Arabic's news trains as titles and sentences
(`training/data/ant.py`); its "articles" variants train on the same articles whole. Spanish's
trains whole; its "sentences" variants split each article into its title and sentences. Stems
are not among the product's feature rules, so a stemmed variant is cross-validated only (same
folds, same figures per corpus): its words are counted with the Snowball stemmer of `PyStemmer`,
no dependency of this project (`pip install pystemmer` into the virtual environment first); the
character n-grams keep the written forms. Prints one row per variant.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, cast

from model.artifact import Artifact
from model.scoring import Scorer
from model.text import WordAnalyzer, _feature_tokens, word_ngrams
from training.data.adapters import title_and_sentences
from training.data.pairs import WRITTEN
from training.data.registry import (
    LANGUAGE_TRAINING,
    ant_whole_articles,
    load_corpus,
    load_sources,
)
from training.data.sources import LoadedSource
from training.evaluation.contrast import HIGH, contrast_dir, read_pairs, score_pairs, summarise
from training.fit.crossval import (
    TrainingSet,
    alert_threshold,
    cross_validate,
    cv_metrics,
)
from training.fit.folds import FoldFeatures
from training.fit.pipeline import TrainConfig, build_pipeline
from training.fit.train import language_config, train_language

STEMMERS = {"ar": "arabic", "es": "spanish"}
# The corpus whose weight the weight variants change, and the corpora whose CV figures are shown.
NEWS = {"ar": "ant", "es": "fakenews-es"}
SHOWN = {"ar": ("unquad-ar", "arabic-gsr"), "es": ("unquad-es",)}


@dataclass(frozen=True)
class StemmedWords(WordAnalyzer):
    """`WordAnalyzer` whose word forms are Snowball stems (masks and scopes as before)."""

    def __call__(self, text: str) -> list[str]:
        """The document's word n-grams of stems."""
        stem = _stemmer(self.language)
        tokens, masked, alone = _feature_tokens(
            text, self.language, self.mask_actors, self.reader, self.function_words
        )
        tokens = [t._replace(norm=stem(t.norm)) for t in tokens]
        grams = word_ngrams(tokens, self.max_n, masked, alone, self.function_words == "content")
        return [gram for gram, _, _ in grams]


@cache
def _stemmer(language: str) -> Callable[[str], str]:
    """The language's Snowball stemmer (PyStemmer, installed for this study)."""
    import Stemmer  # type: ignore[import-not-found,unused-ignore]

    return cast(Callable[[str], str], Stemmer.Stemmer(STEMMERS[language]).stemWord)


# The news rows a variant trains on: as registered, or the other way (ROWS[language]).
ROWS = {"ar": "articles", "es": "sentences"}


@dataclass(frozen=True)
class Variant:
    """A configuration, whether its words are stemmed, and whether its news rows are the other
    way than registered (`ROWS`)."""

    config: TrainConfig
    stems: bool = False
    rows: bool = False
    written: bool = True  # the language's written sentences (`pairs-<language>`) trained on


def variants(language: str) -> dict[str, Variant]:
    """Each variant by name."""
    shipped = language_config(TrainConfig(), language)
    news = NEWS[language]
    written = WRITTEN[language].corpus
    others = tuple((c, w) for c, w in shipped.corpus_boost if c != written)
    unwritten = replace(shipped, corpus_boost=others)
    out = {
        "shipped": Variant(shipped),
        "no pairs": Variant(unwritten, written=False),
        "stems": Variant(unwritten, stems=True, written=False),
    }
    for w in (1.0, 0.5, 0.3, 0.2, 0.1, 0.05, 0.03):
        weighted = replace(shipped, corpus_boost=((news, w),))
        out[f"{news} x{w}"] = Variant(weighted, written=False)
        out[f"{news} x{w}, stems"] = Variant(weighted, stems=True, written=False)
        out[f"{news} x{w}, {ROWS[language]}"] = Variant(weighted, rows=True, written=False)
    for w in (0.25, 0.5, 1.0, 2.0, 4.0):
        boosted = replace(shipped, corpus_boost=(*others, (written, w)))
        out[f"pairs x{w}"] = Variant(boosted)
    return out


def other_rows(language: str, news: LoadedSource) -> LoadedSource:
    """The news corpus' training part the other way: Arabic's articles whole, Spanish's as each
    article's title and sentences (in the article's group)."""
    if language == "ar":
        return replace(news, examples=load_corpus(ant_whole_articles()).examples)
    units = []
    for e in news.examples:
        title, _, body = e.text.partition("\n\n")  # an article without a body: its title
        units += [replace(e, text=unit) for unit in title_and_sentences(title, body)]
    return replace(news, examples=tuple(units))


def stemmed_cv(data: TrainingSet, config: TrainConfig) -> dict[str, Any]:
    """Grouped CV metrics with the word block counted on stems."""
    pipeline = build_pipeline(config)
    union = pipeline.named_steps["features"]
    word = dict(union.transformer_list)["word"]
    word.analyzer = StemmedWords(**vars(word.analyzer))
    _, probs = cross_validate(data, config, jobs=2, features=FoldFeatures(pipeline, data.texts))
    return cv_metrics(data, probs, alert_threshold())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the named variants of one language (default: all) and print their rows."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("language", choices=sorted(STEMMERS))
    parser.add_argument("names", nargs="*", metavar="NAME", help="variants (default: all)")
    parser.add_argument("--contrast", action="store_true", help="score the contrast set too")
    args = parser.parse_args(argv)
    table = variants(args.language)
    unknown = [name for name in args.names if name not in table]
    if unknown:
        parser.error(f"no variant {unknown[0]!r} (variants: {', '.join(table)})")
    written = WRITTEN[args.language].corpus
    names = args.names or list(table)
    loaded = load_sources(LANGUAGE_TRAINING[args.language])
    shown = SHOWN[args.language]
    columns = [*shown, f"{written} (own CV)", "held-out news high+"]
    columns += ["contrast ordered", "escalatory high+", "calm high+"] if args.contrast else []
    print(f"| variant | {' | '.join(columns)} |")
    print("|---" * (len(columns) + 1) + "|")
    for name in names:
        variant = table[name]
        sources = [
            other_rows(args.language, s) if variant.rows and s.name == NEWS[args.language] else s
            for s in loaded
            if variant.written or s.name != written
        ]
        heldout, contrast = "", ["-"] * 3 if args.contrast else []
        if variant.stems:
            cv = stemmed_cv(TrainingSet.from_sources(sources, variant.config), variant.config)
        else:
            pipeline, manifest = train_language(sources, variant.config, jobs=2)
            cv = manifest["metrics"]["cv"]
            heldout = ", ".join(
                f"{c['check'].split(':')[0]} {c['value']:.1%}"
                for c in manifest["gate"]["checks"]
                if "heldout" in c["check"]
            )
            if args.contrast:
                contrast = contrast_cells(Scorer(Artifact(pipeline, manifest)), args.language)
        cells = [f"{cv[c]['roc_auc']:.3f}" if c in cv else "-" for c in (*shown, written)]
        print(f"| {name} | " + " | ".join([*cells, heldout, *contrast]) + " |", flush=True)
    return 0


def contrast_cells(scorer: Scorer, language: str) -> list[str]:
    """The language's contrast set scored by one model: pairs ordered right, escalatory and
    calm members at `high`+."""
    scored = score_pairs(scorer, read_pairs(contrast_dir(language)), top=0)
    shares = summarise(scored, float(dict(scorer.levels)[HIGH]))["all"].shares()
    return [f"{shares[k]:.1%}" for k in ("ordered_right", "escalatory_high", "calm_high")]


if __name__ == "__main__":
    raise SystemExit(main())
