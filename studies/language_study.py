"""Arabic and Spanish variants around the shipped configuration: the news corpus' weight, and
Snowball stems as the word forms of the word n-grams.

    ESCALATION_DATA_DIR=../shared/data .venv/bin/python -m studies.language_study {ar,es} [NAME ...]

A weight variant is trained as `escalation-train --language es|ar` trains it (grouped CV per
corpus, final fit, the gate's held-out news). Stems are not among the product's feature rules,
so a stemmed variant is cross-validated only (same folds, same figures per corpus): its words are
counted with the Snowball stemmer of `PyStemmer`, no dependency of this project (`pip install
pystemmer` into the virtual environment first); the character n-grams keep the written forms.
Prints one row per variant.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, cast

from model.text import WordAnalyzer, _feature_tokens, word_ngrams
from training.data.registry import LANGUAGE_TRAINING, load_sources
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


def variants(language: str) -> dict[str, tuple[TrainConfig, bool]]:
    """Each variant's configuration, and whether its words are stemmed."""
    shipped = language_config(TrainConfig(), language)
    news = NEWS[language]
    out = {"shipped": (shipped, False), "stems": (shipped, True)}
    for w in (1.0, 0.5, 0.3, 0.2, 0.1, 0.03):
        weighted = replace(shipped, corpus_boost=((news, w),))
        out[f"{news} x{w}"] = (weighted, False)
        out[f"{news} x{w}, stems"] = (weighted, True)
    return out


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
    args = parser.parse_args(argv)
    table = variants(args.language)
    unknown = [name for name in args.names if name not in table]
    if unknown:
        parser.error(f"no variant {unknown[0]!r} (variants: {', '.join(table)})")
    loaded = load_sources(LANGUAGE_TRAINING[args.language])
    shown = SHOWN[args.language]
    print(f"| variant | {' | '.join(shown)} | held-out news high+ |")
    print("|---" * (len(shown) + 2) + "|")
    for name in args.names or list(table):
        config, stems = table[name]
        heldout = ""
        if stems:
            cv = stemmed_cv(TrainingSet.from_sources(loaded, config), config)
        else:
            _, manifest = train_language(loaded, config, jobs=2)
            cv = manifest["metrics"]["cv"]
            heldout = next(
                (
                    f"{c['value']:.1%}"
                    for c in manifest["gate"]["checks"]
                    if "heldout" in c["check"]
                ),
                "",
            )
        cells = [f"{cv[c]['roc_auc']:.3f}" for c in shown]
        print(f"| {name} | " + " | ".join(cells) + f" | {heldout} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
