"""The C kernel against the Python definitions it must reproduce, and its input checks."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model import Artifact, Scorer
from model._kernel import Kernel
from model.compiled import CompiledModel
from model.text import (
    actor_mask,
    actor_runs,
    clean,
    may_start_actor,
    normalise,
    normalise_all,
    sentence_spans,
    split_sentences,
    tokenize,
    tokenize_clean,
    word_char_ngrams,
)
from tests.helpers import TINY_CONFIG, fit_tiny

# Joiners, apostrophes, underscores, digits, scripts with and without case, combining marks,
# characters outside the BMP: every branch of the tokeniser's character classes.
ALPHABET = st.sampled_from(
    list("aZ9_ -'’‐‑—.,;\n\t") + ["é", "İ", "ß", "ﬁ", "٣", "²", "Ⅻ", "\u0301", "中", "𝔄", "🙂", "ǅ"]
)


@pytest.fixture(scope="module")
def scorer(tiny_model_path: Path) -> Scorer:
    return Scorer.load(tiny_model_path)


@pytest.fixture(scope="module")
def model(scorer: Scorer) -> CompiledModel:
    return scorer._model


def kernel_tokens(model: CompiledModel, text: str) -> list[tuple[str, int, int]]:
    """The kernel's tokens of `text` taken as already clean (`_run` does not clean)."""
    analysed, _ = model._run(text, False)
    norms = analysed.norms()
    return list(zip(norms, analysed.starts.tolist(), analysed.ends.tolist(), strict=True))


@settings(max_examples=300, deadline=None)
@given(st.text(ALPHABET, max_size=60) | st.text(max_size=60))
def test_kernel_tokenises_as_the_python_definition(model: CompiledModel, text: str) -> None:
    assert kernel_tokens(model, text) == [tuple(t) for t in tokenize_clean(text)]
    cleaned = clean(text).text
    assert kernel_tokens(model, cleaned) == [tuple(t) for t in tokenize_clean(cleaned)]


def test_kernel_tokenises_every_code_point(model: CompiledModel) -> None:
    """Each code point alone, and after a letter: `\\w` exactly as `re` defines it."""
    text = " ".join(chr(c) for c in range(0x110000))
    assert kernel_tokens(model, text) == [tuple(t) for t in tokenize_clean(text)]
    text = " ".join(f"a{chr(c)}" for c in range(0x10000))
    assert kernel_tokens(model, text) == [tuple(t) for t in tokenize_clean(text)]


PIECES = st.sampled_from(
    ["Mr", "mr", "DR", "Gen", "etc", "U.S", "e.g", "x", "word", "İnc", "\u212a", "Sept", "Co"]
    + [".", ". ", "! ", '?" ', ".) ", "\n", " ", ".\u00a0", "...", ".x", "\u2019 ", "]", "\t"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=30).map("".join) | st.text(ALPHABET, max_size=40))
def test_kernel_splits_sentences_as_the_python_definition(model: CompiledModel, text: str) -> None:
    _, scored = model._run(text, True)
    assert [tuple(s) for s in scored.sentence_spans.tolist()] == split_sentences(text)
    _, scored = model.run(text, sentences=True)
    assert [tuple(s) for s in scored.sentence_spans.tolist()] == sentence_spans(text)


NAMES = st.sampled_from(
    [
        "the",
        "United",
        "States",
        "US",
        "us",
        "U.S.",
        "Russia's",
        "North",
        "Korea",
        "pro-Russian",
        "US-led",
        "new",
        "zealand",
        "Democratic",
        "Republic",
        "of",
        "the",
        "Congo",
        "talks",
        ".",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(NAMES, max_size=25))
def test_candidates_find_every_actor_run(words: list[str]) -> None:
    """Looking only where `may_start_actor` holds finds what looking everywhere finds."""
    text = " ".join(words)
    tokens = tokenize(text)
    norms = [t.norm for t in tokens]
    starts, ends = [t.start for t in tokens], [t.end for t in tokens]
    everywhere = actor_runs(text, norms, starts, ends, range(len(tokens)))
    assert actor_runs(text, norms, starts, ends) == everywhere
    assert all(may_start_actor(norms[lo]) for lo, _ in everywhere)
    mask = actor_mask(text, tokens)
    in_runs = [i for lo, hi in everywhere for i in range(lo, hi)]
    assert [i for i, m in enumerate(mask) if m] == in_runs


@pytest.fixture(scope="module")
def masking_model() -> CompiledModel:
    """The tiny model with state actor names masked."""
    return CompiledModel(fit_tiny(replace(TINY_CONFIG, mask_actors=True)))


@settings(max_examples=300, deadline=None)
@given(st.lists(NAMES | st.sampled_from(["the Hague", "Kremlin", "Timor-Leste", "a"]), max_size=30))
def test_scoring_masks_what_actor_mask_masks(
    masking_model: CompiledModel, words: list[str]
) -> None:
    """The scorer settles most words by their `actor_role` alone: same mask as looking."""
    text = clean(" ".join(words)).text
    analysed, _ = masking_model.run(text)
    assert analysed.masked.tolist() == actor_mask(text, tokenize_clean(text))


def test_a_model_is_freed_without_the_cycle_collector(tiny_model_path: Path) -> None:
    """No reference cycle: a replaced model goes at once, even with its objects frozen out of
    the collector's reach (gunicorn's master freezes them before forking)."""
    import gc
    import weakref

    scorer = Scorer.load(tiny_model_path)
    scorer.score("threat of war")
    gc.freeze()
    try:
        ref = weakref.ref(scorer._model)
        del scorer
        assert ref() is None
    finally:
        gc.unfreeze()


def test_ngram_keys_stop_at_the_vocabularys_longest(model: CompiledModel) -> None:
    """An analyzer asking for longer n-grams than the vocabulary kept builds no longer keys (a
    key past the table's width could overflow and alias a real one)."""
    analyzer = replace(model.word_analyzer, max_n=12)  # 12-word keys would overflow int64
    pipeline = fit_tiny(TINY_CONFIG)
    pipeline.named_steps["features"].transformer_list[0][1].analyzer = analyzer
    compiled = CompiledModel(pipeline)
    assert compiled.max_ngram == 2 == TINY_CONFIG.word_max_n
    text = "the minister threatened war and the army threatened a strike"
    assert compiled.run(text)[1].logit == pytest.approx(
        pipeline.decision_function([text])[0], abs=1e-9
    )


def test_an_uninitialised_kernel_raises() -> None:
    kernel = Kernel.__new__(Kernel)
    with pytest.raises(RuntimeError, match="not initialised"):
        kernel.tokenize("a")
    with pytest.raises(RuntimeError, match="not initialised"):
        kernel.size()


def test_kernel_refuses_inputs_it_did_not_make(model: CompiledModel) -> None:
    kernel = model._kernel
    a, _ = model.run("threat of war")
    n, spans = len(a), (a.starts, a.ends)
    mask, bounds = np.zeros(n, dtype=bool), np.array([0, n], dtype=np.int64)
    one = (a.starts[:1], a.ends[:1], mask[:1], mask[:1], bounds[:1])
    with pytest.raises(ValueError, match="never made"):
        kernel.score(np.array([10**6], dtype=np.int32), *one)
    with pytest.raises(ValueError, match="differ in length"):
        kernel.score(a.entries, *spans, mask[:-1], mask, bounds)
    with pytest.raises(ValueError, match="differ in length"):
        kernel.score(a.entries, a.starts[:-1], a.ends, mask, mask, bounds)
    with pytest.raises(ValueError, match="bounds"):
        kernel.score(a.entries, *spans, mask, mask, np.array([0, n + 1], dtype=np.int64))
    with pytest.raises(ValueError, match="bounds"):
        kernel.score(a.entries, *spans, mask, mask, np.array([], dtype=np.int64))
    with pytest.raises(ValueError, match="items of 4 bytes"):
        kernel.score(np.zeros(3, dtype=np.int8), *spans, mask, mask, bounds)
    with pytest.raises(TypeError):
        kernel.tokenize(b"bytes")
    logits = np.frombuffer(kernel.score(a.entries, *spans, mask, mask, bounds)[0], np.float64)
    assert logits[0] + model.bias == pytest.approx(model.run("threat of war")[1].logit)


def test_resolve_needs_one_form_per_new_word(model: CompiledModel) -> None:
    """`resolve` answers the last `tokenize` only, with one str and one flag per new form; a
    refused call leaves no half-made entry behind."""
    kernel = model._kernel
    new = kernel.tokenize("zqxj vrwk zqxj threat")
    assert new[:2] == ["zqxj", "vrwk"]
    with pytest.raises(ValueError, match="one normalised form"):
        kernel.resolve(new[:1], bytes(1))
    with pytest.raises(ValueError, match="one normalised form"):
        kernel.resolve(new, bytes(len(new) + 1))
    new = kernel.tokenize("zqxj vrwk")
    with pytest.raises(TypeError, match="str"):
        kernel.resolve([new[0], 7], bytes(2))
    new = kernel.tokenize("zqxj vrwk")
    starts, ends, entries, flags = kernel.resolve([normalise(w) for w in new], bytes(len(new)))
    assert np.frombuffer(starts, np.int64).tolist() == [0, 5]
    assert kernel.tokenize("zqxj vrwk") == []  # both known now


@settings(max_examples=300, deadline=None)
@given(st.text(ALPHABET, min_size=1, max_size=12) | st.text(min_size=1, max_size=12))
def test_kernel_char_columns_are_the_python_definition(scorer: Scorer, word: str) -> None:
    """The kernel's character n-gram columns of a word: `word_char_ngrams` in the vocabulary,
    in order, on any code points (the kernel keys its table by code points)."""
    vectoriser = scorer.artifact.pipeline.named_steps["features"].transformer_list[1][1]
    vocab, a = vectoriser.vocabulary_, vectoriser.analyzer
    grams = word_char_ngrams(word, a.min_n, a.max_n)
    expected = [vocab[g] for g in grams if g in vocab]
    assert np.frombuffer(scorer._model._kernel.char_columns(word), np.int32).tolist() == expected


def test_char_columns_of_words_made_of_known_grams(scorer: Scorer) -> None:
    """Words built from the vocabulary's own n-grams, so most windows are found."""
    vectoriser = scorer.artifact.pipeline.named_steps["features"].transformer_list[1][1]
    vocab, a = vectoriser.vocabulary_, vectoriser.analyzer
    grams = sorted(g.strip() for g in vocab if g.strip())
    for i in range(0, len(grams) - 3, 7):
        word = "".join(grams[i : i + 3])
        expected = [vocab[g] for g in word_char_ngrams(word, a.min_n, a.max_n) if g in vocab]
        assert len(expected) >= 3
        assert (
            np.frombuffer(scorer._model._kernel.char_columns(word), np.int32).tolist() == expected
        )


@pytest.fixture(scope="module")
def word_only() -> Scorer:
    """The tiny model without its character block: no entry has a character n-gram column."""
    pipeline = fit_tiny(replace(TINY_CONFIG, use_char=False))
    return Scorer(Artifact(pipeline=pipeline, manifest={"version": "words"}))


@settings(max_examples=60, deadline=None)
@given(st.text(ALPHABET, max_size=80) | st.text(max_size=80))
def test_word_only_model_matches_predict_proba(word_only: Scorer, text: str) -> None:
    """Every word of a word-only model is a new entry without character columns."""
    for variant in (text, f"{text} the army threatened war. Talks on aid"):
        reference = word_only.artifact.pipeline.predict_proba([variant])[0, 1]
        assert abs(word_only.score(variant).score - reference) <= 1e-9
        assert word_only._model._kernel.size()[2] == 0


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(ALPHABET, min_size=1, max_size=8) | st.text(min_size=1, max_size=8)))
def test_normalising_in_one_call_is_normalising_each(forms: list[str]) -> None:
    """`normalise_all` joins the forms: equal to `normalise` one by one, Greek final sigma
    included (its context must not run across the join)."""
    forms = [f[t.start : t.end] for f in forms for t in tokenize(f)] + ["ΟΔΟΣ", "ΣΑ", "ΑΣ'Σ"]
    forms = [f for form in forms for f in (form, form.upper())]
    assert normalise_all(forms) == [normalise(f) for f in forms]


@pytest.fixture(scope="module")
def long_grams() -> Scorer:
    """Character n-grams of up to 7 code points: past what the kernel packs into a slot, so
    its general table serves them."""
    pipeline = fit_tiny(replace(TINY_CONFIG, char_min_n=3, char_max_n=7))
    return Scorer(Artifact(pipeline=pipeline, manifest={"version": "long"}))


@settings(max_examples=60, deadline=None)
@given(st.text(ALPHABET, min_size=1, max_size=40) | st.text(min_size=1, max_size=40))
def test_long_character_ngrams_are_exact(long_grams: Scorer, text: str) -> None:
    vectoriser = long_grams.artifact.pipeline.named_steps["features"].transformer_list[1][1]
    vocab, a = vectoriser.vocabulary_, vectoriser.analyzer
    for word in (text, "threatened", "agreement"):
        expected = [vocab[g] for g in word_char_ngrams(word, a.min_n, a.max_n) if g in vocab]
        columns = long_grams._model._kernel.char_columns(word)
        assert np.frombuffer(columns, np.int32).tolist() == expected
    variant = f"{text} the army threatened war"
    reference = long_grams.artifact.pipeline.predict_proba([variant])[0, 1]
    assert abs(long_grams.score(variant).score - reference) <= 1e-9
