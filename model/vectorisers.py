"""The TF-IDF blocks of a fitted pipeline and their n-gram settings: what the manifest records
and the compiled scorer reads (no compiled kernel needed)."""

from __future__ import annotations

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline

from model.eventfeatures import EventAnalyzer
from model.text import CharAnalyzer, WordAnalyzer


def vectorisers(features: object) -> list[TfidfVectorizer]:
    """The TF-IDF blocks of the pipeline's feature step, in column order."""
    if isinstance(features, TfidfVectorizer):
        return [features]
    if isinstance(features, FeatureUnion) and not features.transformer_weights:
        return [t for _, t in features.transformer_list]
    raise ValueError("the feature step must be a TfidfVectorizer or an unweighted FeatureUnion")


def pipeline_language(pipeline: Pipeline) -> str:
    """The language whose word rules the pipeline's analyzers apply."""
    languages = {
        v.analyzer.language
        for v in vectorisers(pipeline.named_steps["features"])
        if isinstance(v.analyzer, (WordAnalyzer, CharAnalyzer, EventAnalyzer))
    }
    if len(languages) != 1:
        raise ValueError(f"the pipeline's analyzers apply no single language's rules: {languages}")
    return languages.pop()


def ngram_settings(pipeline: Pipeline) -> dict[str, object]:
    """The n-gram settings of a pipeline's TF-IDF blocks (the manifest records them)."""
    out: dict[str, object] = {}
    for vec in vectorisers(pipeline.named_steps["features"]):
        a = vec.analyzer
        if isinstance(a, WordAnalyzer):
            out["word"] = {"max_n": a.max_n, "mask_actors": a.mask_actors, "min_df": vec.min_df}
        elif isinstance(a, CharAnalyzer):
            out["char"] = {
                "min_n": a.min_n,
                "max_n": a.max_n,
                "mask_actors": a.mask_actors,
                "min_df": vec.min_df,
            }
        elif isinstance(a, EventAnalyzer):
            r = a.reader
            out["events"] = {
                "kinds": list(r.kinds),
                "mask_scopes": r.mask_scopes,
                "mask_events": r.mask_events,
                "scoped": r.scoped,
                "scope_features": list(r.scope_features),
                "min_df": vec.min_df,
                **({"content_only": True} if r.content_only else {}),
                "dictionary_sha256": r.patterns.source_sha256,
                "patterns_sha256": r.patterns.sha256,
                "rules": r.patterns.rules(),
            }
        if isinstance(a, (WordAnalyzer, CharAnalyzer)) and (
            a.reader is not None or a.function_words != "features"
        ):  # recorded only when set: a model without them keeps its manifest
            block = out["word" if isinstance(a, WordAnalyzer) else "char"]
            assert isinstance(block, dict)
            block.update(masks_event_readings=a.reader is not None, function_words=a.function_words)
    return out
