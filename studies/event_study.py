"""English feature variants around the CAMEO event block, and the weight of the project's own
pairs, each trained as `escalation-train` trains English (grouped CV, final fit, article map,
quality gate): the event variants on the default corpora without the pairs (as they were
measured), the pairs variants with them.

    ESCALATION_DATA_DIR=../shared/data .venv/bin/python -m studies.event_study [NAME ...]

Prints one row per variant: grouped CV ROC-AUC per corpus, the article map's cross-fitted
ROC-AUC on the annotated articles, the held-out ordinary news at `high`+ (the gate's
false-alarm share), and the pairs' own. Never reads the contrast set: the choice of
`ENGLISH_FEATURES` and the first choice of the pairs' weight rest on these figures only (the
weight's second choice read it too: docs/decisions.md).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from training.data.registry import DEFAULT_TRAINING, load_sources, public_corpora
from training.fit.pipeline import TrainConfig
from training.fit.train import ENGLISH_FEATURES, train_language

PRODUCT = replace(TrainConfig(), **ENGLISH_FEATURES)
WITHOUT_PAIRS = public_corpora(DEFAULT_TRAINING)
NO_PAIRS_BOOST = tuple((c, w) for c, w in PRODUCT.corpus_boost if c != "pairs")
# A: root codes, scopes masked, scoped events as CAMEO codes them, function words only inside
# n-grams, the event block unweighted. B: A, and no n-gram or pattern match made only of
# function words. The ablations change one thing each from A or from QUAD (scoped events read as the
# scope's kind and quad class), as docs/decisions.md records them.
A = replace(PRODUCT, function_words="ngrams", event_weight=1.0, corpus_boost=NO_PAIRS_BOOST)
B = replace(A, function_words="content")
QUAD = replace(A, event_scopes="quad")
VARIANTS: dict[str, TrainConfig] = {
    "no events (word + char only)": TrainConfig(corpus_boost=NO_PAIRS_BOOST),
    "events, no pairs": replace(PRODUCT, corpus_boost=NO_PAIRS_BOOST),
    "A": A,
    "B": B,
    **{f"B, the event block weighted {w}": replace(B, event_weight=float(w)) for w in (2, 4, 8)},
    **{f"A, the event block weighted {w}": replace(A, event_weight=float(w)) for w in (2, 4)},
    "A, and a feature for a negation's scope": replace(
        A, scope_features=("negated", "refused", "demanded")
    ),
    "quad": QUAD,
    "quad, root codes + Goldstein bands": replace(QUAD, event_kinds=("root", "goldstein")),
    "quad, root codes + full codes": replace(QUAD, event_kinds=("root", "code")),
    "quad, the words of a matched event masked": replace(QUAD, event_words="mask"),
    "quad, scopes not masked": replace(QUAD, scopes=False),
    "quad, function words keep their own features": replace(QUAD, function_words="features"),
    "shipped": PRODUCT,  # the pairs at x0.5
    **{
        f"pairs x{w}": replace(PRODUCT, corpus_boost=(*NO_PAIRS_BOOST, ("pairs", w)))
        for w in (0.25, 1.0)
    },
}
CORPORA = ("multicoped", "unquad", "pooled", "pooled-diplomatic", "cameo", "ngec", "unscon")


def corpora(config: TrainConfig) -> tuple[str, ...]:
    """The corpora a variant trains on: the pairs only when it weights them."""
    return DEFAULT_TRAINING if "pairs" in dict(config.corpus_boost) else WITHOUT_PAIRS


def row(name: str, manifest: dict[str, Any]) -> str:
    """One variant's figures as a markdown row."""
    cv = manifest["metrics"]["cv"]
    cells = [f"{cv[c]['roc_auc']:.3f}" for c in CORPORA]
    article = manifest.get("article_calibration", {}).get("cross_fitted", {}).get("roc_auc")
    cells.append("" if article is None else f"{article:.3f}")
    heldout = next(
        (c["value"] for c in manifest["gate"]["checks"] if "heldout" in c["check"]), None
    )
    cells.append("" if heldout is None else f"{heldout:.2%}")
    pairs = cv.get("pairs", {}).get("roc_auc")
    cells.append("" if pairs is None else f"{pairs:.3f}")
    return f"| {name} | " + " | ".join(cells) + " |"


def main(argv: Sequence[str] | None = None) -> int:
    """Train the named variants (default: all) and print their rows."""
    names = list(argv if argv is not None else sys.argv[1:]) or list(VARIANTS)
    loaded = {s.name: s for s in load_sources(DEFAULT_TRAINING)}
    print("| variant | " + " | ".join(CORPORA) + " | articles | ordinary news high+ | pairs |")
    print("|---" * (len(CORPORA) + 4) + "|")
    for name in names:
        config = VARIANTS[name]
        _, manifest = train_language([loaded[c] for c in corpora(config)], config)
        print(row(name, manifest), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
