"""The C kernel against the Python definitions it must reproduce, and its input checks."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.pipeline import Pipeline

from model import Artifact, Scorer
from model._kernel import Kernel
from model.compiled import CompiledModel
from model.text import (
    ENGLISH,
    actor_mask,
    clean,
    normalise,
    normalise_all,
    rules_for,
    sentence_spans,
    split_sentences,
    tokenize,
    tokenize_clean,
    word_char_ngrams,
)
from tests.helpers import TINY_CONFIG, fit_tiny, tiny_config

# Joiners, apostrophes, underscores, digits, scripts with and without case, combining marks,
# characters outside the BMP: every branch of the tokeniser's character classes.
ALPHABET = st.sampled_from(
    list("aZ9_ -'’‐‑—.,;\n\t") + ["é", "İ", "ß", "ﬁ", "٣", "²", "Ⅻ", "\u0301", "中", "𝔄", "🙂", "ǅ"]
)
# Arabic script: letters (the alef, yeh and heh forms the Arabic word rules fold among them),
# tashkeel (short vowels, tanween, shadda, sukun, dagger alef: cleaning removes them, the kernel
# and `re` must agree on them before cleaning too), madda and hamza marks (NFKC composes them),
# tatweel, Arabic-Indic and Extended Arabic-Indic digits, the Arabic question mark (a sentence
# end), comma and semicolon, presentation forms (NFKC reads them as letters), and what joins and
# ends words beside them.
ARABIC_LETTERS = list("ابتثجحخدذرسشصضطظعغفقكلمنهوي") + list("أإآٱىةءؤئ")
TASHKEEL = ["\u064b", "\u064c", "\u064d", "\u064e", "\u064f", "\u0650", "\u0651", "\u0652"]
ARABIC_MARKS = [*TASHKEEL, "\u0670", "\u0610", "\u06e1", "\u0653", "\u0654", "\u0655"]
ARABIC_DIGITS = list("٠١٢٣٤٥٦٧٨٩") + list("۰۱۲۳۴۵۶۷۸۹")
ARABIC_SIGNS = ["\u0640", "\u061f", "\u060c", "\u061b", "\u066a", "\u06d4", "\ufefb", "\ufe8d"]
ARABIC_ALPHABET = st.sampled_from(
    [*ARABIC_LETTERS, *ARABIC_MARKS, *ARABIC_DIGITS, *ARABIC_SIGNS, "a"]
    + list(" .!?-'\n\u200c\u200d")
)
# Words as Arabic news writes them: letters with their marks, tatweel inside, proclitics.
ARABIC_TEXT = st.text(ARABIC_ALPHABET, max_size=60) | st.lists(
    st.sampled_from(
        ["وَرُوسِيَا", "لِلْعِرَاقِ", "الحـــرب", "قال", "٢٠٢٤", "۱۲", "؟ ", "، ", ". ", "\n"]
        + ["هل", "تصعيد", "الولايات", "المتحدة", "ـ", " ", "\u064e", "\u0651"]
    ),
    max_size=20,
).map("".join)


@pytest.fixture(scope="module")
def scorer(tiny_model_path: Path) -> Scorer:
    return Scorer.load(tiny_model_path)


@pytest.fixture(scope="module")
def model(scorer: Scorer) -> CompiledModel:
    return scorer._model


@pytest.fixture(scope="module")
def arabic_model(tiny_arabic_pipeline: Pipeline) -> CompiledModel:
    """The tiny Arabic model: Arabic word forms (`rules_for("ar")`)."""
    compiled = CompiledModel(tiny_arabic_pipeline)
    assert compiled.language == "ar"
    return compiled


@pytest.fixture(scope="module", params=["en", "ar"])
def any_model(request: pytest.FixtureRequest) -> CompiledModel:
    """The English and the Arabic tiny model in turn: the kernel is one for both, the word
    forms each language's."""
    name = "model" if request.param == "en" else "arabic_model"
    compiled: CompiledModel = request.getfixturevalue(name)
    return compiled


def python_tokens(model: CompiledModel, text: str) -> list[tuple[str, int, int]]:
    """The Python definition's tokens of an already clean text, in the model's language."""
    return [(t.norm, t.start, t.end) for t in rules_for(model.language).tokenize_clean(text)]


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


@settings(max_examples=300, deadline=None)
@given(ARABIC_TEXT)
def test_kernel_tokenises_arabic_as_the_python_definition(
    any_model: CompiledModel, text: str
) -> None:
    """Arabic script, as sent (tashkeel and tatweel in place) and cleaned (removed), read by the
    English and the Arabic model: same tokens, same offsets, each language's word forms."""
    assert kernel_tokens(any_model, text) == python_tokens(any_model, text)
    cleaned = clean(text).text
    assert not set(cleaned) & {*TASHKEEL, "\u0640"}
    assert kernel_tokens(any_model, cleaned) == python_tokens(any_model, cleaned)


# The Arabic blocks: Arabic, Supplement, Extended-B and -A, Presentation Forms-A and -B.
ARABIC_BLOCKS = [
    *range(0x0600, 0x0700),
    *range(0x0750, 0x0780),
    *range(0x0870, 0x0900),
    *range(0xFB50, 0xFE00),
    *range(0xFE70, 0xFF00),
]


def test_kernel_tokenises_every_code_point(any_model: CompiledModel) -> None:
    """Each code point alone, and after a Latin letter: `\\w` exactly as `re` defines it, in
    the word forms of each model's language. Arabic explicitly: each code point of its blocks
    after, between and before Arabic letters and digits, as sent and cleaned."""
    text = " ".join(chr(c) for c in range(0x110000))
    assert kernel_tokens(any_model, text) == python_tokens(any_model, text)
    text = " ".join(f"a{chr(c)}" for c in range(0x10000))
    assert kernel_tokens(any_model, text) == python_tokens(any_model, text)
    for around in ("\u0628{}", "\u0628{}\u0629", "{}\u0623", "\u0661{}\u0662"):
        text = " ".join(around.format(chr(c)) for c in ARABIC_BLOCKS)
        assert kernel_tokens(any_model, text) == python_tokens(any_model, text)
        cleaned = clean(text).text
        assert kernel_tokens(any_model, cleaned) == python_tokens(any_model, cleaned)


PIECES = st.sampled_from(
    ["Mr", "mr", "DR", "Gen", "etc", "U.S", "e.g", "x", "word", "İnc", "\u212a", "Sept", "Co"]
    + [".", ". ", "! ", '?" ', ".) ", "\n", " ", ".\u00a0", "...", ".x", "\u2019 ", "]", "\t"]
    # Arabic: the Arabic question mark ends a sentence (alone, doubled, after "?", before a
    # closer); the Arabic comma, semicolon and full stop do not; tashkeel and tatweel around it.
    + ["هل", "قال", "؟", "؟ ", "؟؟ ", "?؟ ", '؟" ', "؟) ", "، ", "؛ ", "\u06d4 ", "ـ", "\u064e"]
    + ["\u0651؟ ", "٣. ", "\u061c"]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(PIECES, max_size=30).map("".join)
    | st.text(ALPHABET, max_size=40)
    | ARABIC_TEXT
    | st.text(ARABIC_ALPHABET, max_size=40)
)
def test_kernel_splits_sentences_as_the_python_definition(
    any_model: CompiledModel, text: str
) -> None:
    model = any_model
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
        "Us",
        "US's",
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
    """Looking only where `Names.may_start` holds finds what looking everywhere finds."""
    names = ENGLISH.names
    text = " ".join(words)
    tokens = tokenize(text)
    norms = [t.norm for t in tokens]
    starts, ends = [t.start for t in tokens], [t.end for t in tokens]
    everywhere = names.runs(text, norms, starts, ends, range(len(tokens)))
    assert names.runs(text, norms, starts, ends) == everywhere
    assert all(names.may_start(norms[lo]) for lo, _ in everywhere)
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
    """The scorer settles most words by their `Names.role` alone: same mask as looking."""
    text = clean(" ".join(words)).text
    analysed, _ = masking_model.run(text)
    assert analysed.masked.tolist() == actor_mask(text, tokenize_clean(text))


# Arabic state and calendar names, with proclitics, tashkeel and tatweel, and words around them.
ARABIC_NAMES = st.sampled_from(
    ["روسيا", "وروسيا", "لروسيا", "فبروسيا", "العراق", "للعراق", "وبالعراق", "الولايات"]
    + ["المتحدة", "والولايات", "كوريا", "الشمالية", "الجنوبية", "جمهورية", "الكونغو", "مصر"]
    + ["الديمقراطية", "البيضاء", "الأحد", "والسبت", "يناير", "وَرُوسِيَا", "العـــراق", "قال"]
    + ["وزير", "خارجية", "هدد", "و", "ال", "؟", "،", "."]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(ARABIC_NAMES, max_size=25))
def test_candidates_find_every_arabic_actor_run(words: list[str]) -> None:
    """As in English: looking only where `Names.may_start` holds finds every Arabic run."""
    rules = rules_for("ar")
    text = " ".join(words)
    tokens = rules.tokenize(text)
    norms = [t.norm for t in tokens]
    starts, ends = [t.start for t in tokens], [t.end for t in tokens]
    everywhere = rules.names.runs(text, norms, starts, ends, range(len(tokens)))
    assert rules.names.runs(text, norms, starts, ends) == everywhere
    assert all(rules.names.may_start(norms[lo]) for lo, _ in everywhere)


@pytest.fixture(scope="module")
def arabic_masking_model() -> CompiledModel:
    """The tiny Arabic model with state and calendar names masked."""
    return CompiledModel(fit_tiny(tiny_config("ar", mask_actors=True)))


@settings(max_examples=300, deadline=None)
@given(st.lists(ARABIC_NAMES, max_size=30))
def test_arabic_scoring_masks_what_actor_mask_masks(
    arabic_masking_model: CompiledModel, words: list[str]
) -> None:
    """The Arabic names' roles are settled from Arabic word forms (folded): same mask as the
    Arabic rules give, and every listed name is masked."""
    rules = rules_for("ar")
    text = clean(" ".join(words)).text
    analysed, _ = arabic_masking_model.run(text)
    expected = rules.actor_mask(text, rules.tokenize_clean(text))
    assert analysed.masked.tolist() == expected


def test_arabic_scoring_masks_names_with_clitics(arabic_masking_model: CompiledModel) -> None:
    text = "هدد وزير خارجية وروسيا للعراق والولايات المتحدة يوم الأحد"
    analysed, _ = arabic_masking_model.run(text)
    assert analysed.masked.tolist() == [False] * 3 + [True] * 4 + [False, True]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_arabic_question_mark_ends_a_sentence(
    request: pytest.FixtureRequest, language: str
) -> None:
    """The question marks "?" and "؟" end sentences; the Arabic comma and semicolon do not;
    tashkeel before the mark is removed by cleaning and the span still covers it as sent."""
    compiled = request.getfixturevalue("model" if language == "en" else "arabic_model")
    text = "هل تقبل الحكومة؟ قال الوزير، لا؛ ثم غادر. هل ترى\u064e؟ نعم"
    expected = ["هل تقبل الحكومة؟", "قال الوزير، لا؛ ثم غادر.", "هل ترى\u064e؟", "نعم"]
    assert [text[s:e] for s, e in sentence_spans(text)] == expected
    _, scored = compiled.run(text, sentences=True)
    assert [text[s:e] for s, e in scored.sentence_spans.tolist()] == expected


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
    kernel: Any = model._kernel  # given what its signature refuses, on purpose
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
        kernel.resolve([new[0], 7], bytes(2))  # type: ignore[list-item]
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
    tried = 0
    for i in range(0, len(grams) - 3, 7):
        word = "".join(grams[i : i + 3])
        expected = [vocab[g] for g in word_char_ngrams(word, a.min_n, a.max_n) if g in vocab]
        if len(expected) < 3:
            continue
        tried += 1
        assert (
            np.frombuffer(scorer._model._kernel.char_columns(word), np.int32).tolist() == expected
        )
    assert tried >= 20


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


def test_the_event_block_logit_of_one_feature_once_is_its_contribution(
    model: CompiledModel,
) -> None:
    """A sentence whose events give one feature once (the usual case, read without building
    the contributions) gets exactly the contribution the general formula gives it."""
    block = model.events
    assert block is not None and block.columns

    def general(columns: list[tuple[int, ...]]) -> float:
        total = 0.0  # added left to right, as the block adds
        for value, _ in block.contributions(columns).values():
            total += value
        return total

    for column in block.columns.values():
        assert block.logit([(column,)]) == general([(column,)])
    first, *others = block.columns.values()
    if others:
        both = [(first,), (others[0], first)]
        assert block.logit(both) == general(both)
