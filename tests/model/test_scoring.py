"""Scoring: exact explanations, spans as sent, sentences, batching."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model import Artifact, Scorer
from model.artifact import load_artifact, save_artifact
from model.eventfeatures import phrase_text, token_bounds
from model.text import (
    actor_mask,
    clean,
    is_function_word,
    split_sentences,
    tokenize,
    tokenize_clean,
    word_char_ngrams,
)
from tests.helpers import (
    TINY_CONFIG,
    TINY_MANIFEST,
    assert_event_spans,
    event_phrase,
    fit_tiny,
    tiny_config,
)
from tests.samples import DISGUISED, PLAIN

TEXTS = [
    "The army launched a pre-emptive strike. Leaders warned of escalation!",
    "Both governments signed a trade agreement and agreed to exchange prisoners.",
    "PRE-EMPTIVE STRIKE\n\nTroops mobilised; the ministers’ talks collapsed.",
    "İstanbul talks: ﬁnal deal — ÅÄÖ and emoji 🙂 near a threat.",
    "",
    "!!! ...",
]


@pytest.fixture(scope="module")
def scorer(tiny_model_path: Path) -> Scorer:
    return Scorer.load(tiny_model_path)


def assert_exact(scorer: Scorer, text: str) -> None:
    """Bias plus every phrase weight is the logit, and the logit is the pipeline's."""
    explanation = scorer.explain(text)
    total = explanation.bias + math.fsum(p.weight for p in explanation.phrases)
    assert abs(total - explanation.logit) <= 1e-9
    reference = scorer.artifact.pipeline.predict_proba([text])[0, 1]
    score = scorer.score(text).score
    assert abs(score - reference) <= 1e-9
    assert abs(score - 1 / (1 + math.exp(-explanation.logit))) <= 1e-12
    for phrase in explanation.phrases:
        assert phrase.spans, phrase
        spanned = [reads_as(text, start, end) for start, end in phrase.spans]
        if event_phrase(phrase.text, spanned):
            assert_event_spans(phrase.text, spanned)
            continue
        for start, end in phrase.spans:
            assert_reads_as(text, start, end, phrase.text)


def reads_as(text: str, start: int, end: int) -> str:
    """The words of a span, as their features read them."""
    return " ".join(t.norm for t in tokenize(text) if start <= t.start and t.end <= end)


def assert_reads_as(text: str, start: int, end: int, phrase: str) -> None:
    """The span's words, as read in their text, are the phrase (case and punctuation aside);
    where its first or last character reads as several (NFKC: "\u00bd" is "1\u20442"), the
    phrase is among them."""
    span = text[start:end]
    words = " ".join(t.norm for t in tokenize(text) if start <= t.start and t.end <= end)
    if any(len(unicodedata.normalize("NFKC", c)) > 1 for c in (span[0], span[-1])):
        assert f" {phrase} " in f" {words} ", (span, phrase)
    else:
        assert words == phrase, (span, phrase)


@pytest.mark.parametrize("text", TEXTS)
def test_explanation_is_exact(scorer: Scorer, text: str) -> None:
    assert_exact(scorer, text)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_explanation_is_exact_on_random_unicode(scorer: Scorer, text: str) -> None:
    assert_exact(scorer, text)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "strike",
                "threat",
                "agreement",
                "aid",
                "talks",
                "war,",
                "!",
                "Pre-emptive",
                "\n",
                "exchange",
            ]
        ),
        max_size=40,
    )
)
def test_exact_on_vocabulary_heavy_text(scorer: Scorer, words: list[str]) -> None:
    assert_exact(scorer, " ".join(words))


def test_escalatory_text_outranks_cooperative(scorer: Scorer) -> None:
    up, down = scorer.score(TEXTS[0]), scorer.score(TEXTS[1])
    assert up.score > 0.5 > down.score
    assert up.phrases and all(p.weight > 0 for p in up.phrases)
    assert down.deescalating_phrases and all(p.weight < 0 for p in down.deescalating_phrases)
    weights = [p.weight for p in up.phrases]
    assert weights == sorted(weights, reverse=True)


def test_overlapping_ngrams_are_separate_phrases(scorer: Scorer) -> None:
    phrases = {p.text: p for p in scorer.explain("a pre-emptive strike").phrases}
    assert "strike" in phrases and "pre-emptive strike" in phrases
    ((start, end),) = phrases["pre-emptive strike"].spans
    assert "a pre-emptive strike"[start:end] == "pre-emptive strike"


def test_phrase_spans_cover_every_occurrence(scorer: Scorer) -> None:
    text = "Strike now. They said strike again, STRIKE!"
    strike = next(p for p in scorer.explain(text).phrases if p.text == "strike")
    assert [text[s:e] for s, e in strike.spans] == ["Strike", "strike", "STRIKE"]


def test_top_k_limits_both_lists(scorer: Scorer) -> None:
    result = scorer.score(TEXTS[2], top_k=2)
    assert len(result.phrases) <= 2 and len(result.deescalating_phrases) <= 2
    with pytest.raises(ValueError):
        scorer.score(TEXTS[2], top_k=0)


def test_sentences_are_scored_on_their_own(scorer: Scorer) -> None:
    text = TEXTS[0] + " " + TEXTS[1]
    result = scorer.score(text)
    assert [text[s.start : s.end] for s in result.sentences][0] == (
        "The army launched a pre-emptive strike."
    )
    for sentence in result.sentences:
        alone = scorer.score(text[sentence.start : sentence.end]).score
        assert abs(sentence.score - alone) <= 1e-9


def test_score_many_matches_score(scorer: Scorer) -> None:
    many = scorer.score_many(TEXTS)
    for text, result in zip(TEXTS, many, strict=True):
        assert result == scorer.score(text)
    assert len({r.model_version for r in many}) == 1


def test_levels_follow_manifest_bands(scorer: Scorer) -> None:
    for text in TEXTS:
        result = scorer.score(text)
        expected = [b for b, lower in scorer.levels if result.score >= lower][-1]
        assert result.level == expected
    assert np.isclose(scorer.logits(["x"])[0], scorer.explain("x").logit)


def test_model_package_does_not_import_flask() -> None:
    code = "import sys, model, model.cli; assert 'flask' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.fixture(scope="module")
def masked_scorer() -> Scorer:
    """The tiny model with state actor names masked out of its features."""
    pipeline = fit_tiny(replace(TINY_CONFIG, mask_actors=True))
    return Scorer(Artifact(pipeline=pipeline, manifest={"version": "tiny-masked"}))


@pytest.mark.parametrize("text", [*TEXTS, "Russia's army threatened Ukraine; the US and Iran met."])
def test_masked_model_explanation_is_exact(masked_scorer: Scorer, text: str) -> None:
    assert_exact(masked_scorer, text)
    masked_words = {"russia's", "ukraine", "us", "iran"}
    assert not masked_words & {
        w for p in masked_scorer.explain(text).phrases for w in p.text.split()
    }


@pytest.mark.parametrize(
    ("hostile", "neutral"),
    [
        (
            "Russia threatened a strike on Ukraine as Iranian troops mobilised near Tehran.",
            "Norway threatened a strike on Canada as Portuguese troops mobilised near Lisbon.",
        ),
        ("The US-led coalition warned Iran.", "The Norway-led coalition warned Portugal."),
        (
            "The UK's envoy spoke of pro-Russian threats.",
            "The Norway's envoy spoke of pro-Canadian threats.",
        ),
        (
            "U.S. officials threatened Russia-Ukraine talks.",
            "Irish officials threatened Canada-Portugal talks.",
        ),
        (
            "On Tuesday the army threatened a strike before the January talks.",
            "On Sunday the army threatened a strike before the October talks.",
        ),
    ],
)
def test_masked_model_ignores_which_state_is_named(
    masked_scorer: Scorer, hostile: str, neutral: str
) -> None:
    assert masked_scorer.score(hostile).score == pytest.approx(
        masked_scorer.score(neutral).score, abs=1e-12
    )


def reference_phrase_weights(scorer: Scorer, text: str) -> dict[str, float]:
    """Phrase weights computed independently from scikit-learn's own feature vector: word
    n-grams as they are, each character n-gram's contribution split evenly over its
    occurrences and added to the word each occurrence lies in (not in a scope, no function
    word), each event feature's contribution split evenly over the occurrences that gave it
    and added to their phrases."""
    features = scorer.artifact.pipeline.named_steps["features"]
    coef = scorer.artifact.pipeline.named_steps["clf"].coef_.ravel()
    word_vec, char_vec, *rest = (t for _, t in features.transformer_list)
    n_word, n_char = len(word_vec.vocabulary_), len(char_vec.vocabulary_)
    by_column = {j: g for g, j in word_vec.vocabulary_.items()}
    row = features.transform([text]).tocsr()
    contribution = dict(
        zip(row.indices.tolist(), (row.data * coef[row.indices]).tolist(), strict=True)
    )
    weights: dict[str, float] = defaultdict(float)
    for j, c in contribution.items():
        if j < n_word:
            weights[by_column[j]] += c
    cleaned = clean(text).text
    tokens = tokenize_clean(cleaned)
    analyzer = char_vec.analyzer
    masked = actor_mask(cleaned, tokens) if analyzer.mask_actors else [False] * len(tokens)
    if analyzer.reader is not None:
        masked = [
            a or b for a, b in zip(masked, analyzer.reader.mask(cleaned, tokens), strict=True)
        ]
    hits = [
        (g, t.norm)
        for t, m in zip(tokens, masked, strict=True)
        if not m and not (analyzer.function_words != "features" and is_function_word(t.norm))
        for g in word_char_ngrams(t.norm, analyzer.min_n, analyzer.max_n)
        if g in char_vec.vocabulary_
    ]
    counts = Counter(g for g, _ in hits)
    for g, norm in hits:
        weights[norm] += contribution[n_word + char_vec.vocabulary_[g]] / counts[g]
    if rest:
        (event_vec,) = rest
        events = event_vec.analyzer
        starts = np.array([t.start for t in tokens], dtype=np.int64)
        ends = np.array([t.end for t in tokens], dtype=np.int64)
        spans = np.array(split_sentences(cleaned), dtype=np.int64).reshape(-1, 2)
        found = events.reader.read(
            cleaned, [t.norm for t in tokens], starts, ends, token_bounds(starts, spans)
        )
        given = Counter(f for o in found for f in o.features if f in event_vec.vocabulary_)
        for o in found:
            known = [f for f in o.features if f in event_vec.vocabulary_]
            if known:
                key = phrase_text(cleaned, starts.tolist(), ends.tolist(), o.tokens)
                for f in known:
                    j = n_word + n_char + event_vec.vocabulary_[f]
                    weights[key] += contribution[j] / given[f]
    return dict(weights)


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize(
    "text",
    [
        *TEXTS,
        "Russia's army threatened strikes; the US and Iran met.",
        "North\nKorea threatened. Korea talks? North Korea aid.",
    ],
)
def test_phrase_weights_match_an_independent_reference(
    scorer: Scorer, masked_scorer: Scorer, masked: bool, text: str
) -> None:
    model = masked_scorer if masked else scorer
    expected = reference_phrase_weights(model, text)
    got = {p.text: p.weight for p in model.explain(text).phrases}
    assert got.keys() == expected.keys()
    for phrase, weight in expected.items():
        assert got[phrase] == pytest.approx(weight, abs=1e-9), phrase


def test_sentence_scores_equal_scoring_each_sentence_alone_with_masking(
    masked_scorer: Scorer,
) -> None:
    """A name split across sentences ("North" / "Korea") is masked per sentence, as alone."""
    text = "Troops massed near North\nKorea threatened a strike. Talks on aid resumed in Oslo."
    result = masked_scorer.score(text)
    for sentence in result.sentences:
        alone = masked_scorer.score(text[sentence.start : sentence.end]).score
        assert sentence.score == pytest.approx(alone, abs=1e-12)


@pytest.mark.parametrize(
    "text",
    [
        *TEXTS,
        "the government threatened war",
        "troops mobilised along the border as the threat of war grew",
    ],
)
def test_trigram_model_is_exact(text: str) -> None:
    """n-gram keys of different lengths never collide (ids start at 1)."""
    pipeline = fit_tiny(replace(TINY_CONFIG, word_max_n=3))
    assert_exact(Scorer(Artifact(pipeline=pipeline, manifest={"version": "tri"})), text)


def test_caches_are_bounded_and_scores_survive_a_reset(
    scorer: Scorer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Word forms are cached up to a limit; past it the next text starts afresh, with the same
    results: input of endless unique 'words' cannot exhaust a worker's memory."""
    from model import compiled

    monkeypatch.setattr(compiled, "ENTRY_LIMIT", 40)
    junk = [" ".join(f"{i:04d}{j:03d}" + "x" * 50 for j in range(30)) for i in range(5)]
    expected = [scorer.artifact.pipeline.predict_proba([t])[0, 1] for t in [*junk, TEXTS[0]]]
    for text, reference in zip([*junk, TEXTS[0]], expected, strict=True):
        assert scorer.score(text).score == pytest.approx(reference, abs=1e-9)
        entries, forms, _, _ = scorer._model.cache_size()
        assert entries <= 40 + 30 and forms <= 40 + 30
    assert_exact(scorer, TEXTS[0])


def test_long_words_are_bounded_by_their_characters(
    scorer: Scorer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A few huge 'words' (no character n-gram in the vocabulary) count by their length."""
    from model import compiled

    monkeypatch.setattr(compiled, "CHARACTER_LIMIT", 50_000)
    for i in range(6):
        scorer.score(f"{i} " + "\ua66e" * 20_000)  # one new 20,000-character word each
        assert scorer._model.cache_size()[3] <= 50_000 + 2 * 20_002
    assert_exact(scorer, TEXTS[0])


def test_concurrent_scoring_matches_sequential(scorer: Scorer) -> None:
    """Threads share one model (its kernel's scratch is locked per text)."""
    from concurrent.futures import ThreadPoolExecutor

    texts = [f"{TEXTS[i % 4]} Unique{i} word{i * 7}." for i in range(200)]
    expected = [scorer.score(t) for t in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(scorer.score, texts))
    assert got == expected


@pytest.mark.parametrize("name", [n for n in DISGUISED if n != "ligature"])
def test_invisible_and_look_alike_characters_do_not_move_the_score(
    scorer: Scorer, name: str
) -> None:
    """The same score as the plain sentence, with spans into the disguised text as sent."""
    text = DISGUISED[name]
    plain, disguised = scorer.score(PLAIN), scorer.score(text)
    assert disguised.score == plain.score
    assert [p.text for p in disguised.phrases] == [p.text for p in plain.phrases]
    assert len(disguised.sentences) == len(plain.sentences)
    assert_exact(scorer, text)


def test_nfc_and_nfd_score_alike(scorer: Scorer) -> None:
    text = "Le ministre a menac\u00e9 d'une frappe: l'arm\u00e9e \u00e9tait pr\u00eate."
    nfd = unicodedata.normalize("NFD", text)
    assert scorer.score(nfd).score == scorer.score(text).score
    assert_exact(scorer, nfd)


EVENT_TEXTS = [
    "Peace talks collapsed. No shots were fired and troops did not attack.",
    "The president warned of force unless the rebels agreed to exchange prisoners.",
    "Troops refused to withdraw; officials signed an accord and welcomed the talks.",
    "Leaders warned. Leaders warned again, and 2 envoys were shelled.",
]


@pytest.mark.parametrize("text", EVENT_TEXTS)
def test_event_phrases_are_exact_and_sentences_read_alone(scorer: Scorer, text: str) -> None:
    """Event phrases keep the explanation exact, and each sentence scores as it does alone."""
    assert_exact(scorer, text)
    for sentence in scorer.score(text).sentences:
        alone = scorer.score(text[sentence.start : sentence.end]).score
        assert abs(sentence.score - alone) <= 1e-9


def test_a_matched_pattern_is_one_phrase_with_a_span_per_word(scorer: Scorer) -> None:
    text = "The minister threatened to use force."
    event = {p.text: p for p in scorer.explain(text).phrases}["threatened \u2026 force"]
    assert [text[s:e] for s, e in event.spans] == ["threatened", "force"]


def test_words_in_a_negated_scope_give_no_word_features(scorer: Scorer) -> None:
    """'No troops were mobilised': 'mobilised' has no word phrase of its own; the negated
    event (led by its cue) is the only phrase with that word."""
    plain = {p.text for p in scorer.explain("Troops were mobilised.").phrases}
    negated = {p.text for p in scorer.explain("No troops were mobilised.").phrases}
    assert "mobilised" in plain
    assert not {"troops", "mobilised", "were mobilised"} & negated
    assert all(p.startswith("no") for p in negated if "mobilised" in p)


def test_function_words_and_numbers_are_never_phrases_alone(scorer: Scorer) -> None:
    """The tiny model counts function words and bare numbers only inside n-grams that hold
    another word: no phrase is made only of them."""
    texts = [*TEXTS, *EVENT_TEXTS, "They were there from 2020 until 60 days ago."]
    for text in [*texts, "It would be on the table.", "Troops will take it from there."]:
        for phrase in scorer.explain(text).phrases:
            words = phrase.text.replace("\u2026", " ").split()
            assert not all(is_function_word(w) for w in words), (text, phrase.text)


def test_a_model_with_a_weighted_event_block_is_scored_exactly(tmp_path: Path) -> None:
    """The product weights its event block (folded into the coefficients once fitted): the
    compiled scorer reads such a model exactly, event phrases included."""
    pipeline = fit_tiny(tiny_config(event_weight=16.0))
    scorer = Scorer.load(save_artifact(pipeline, dict(TINY_MANIFEST), tmp_path / "weighted.joblib"))
    for text in EVENT_TEXTS:
        assert_exact(scorer, text)
    phrases = [p.text for text in EVENT_TEXTS for p in scorer.explain(text).phrases]
    assert "warned \u2026 force" in phrases and "refused to withdraw" in phrases, phrases


def test_a_match_made_only_of_function_words_can_be_left_out() -> None:
    """A verb that is also a function word ("move") is an event by default and none when the
    reader keeps content words only."""
    from model.eventfeatures import EventAnalyzer, EventReader
    from model.events import EventPatterns
    from tests.helpers import CODES_CSV, DICTIONARY

    block = "---  MOVE   [150]  ---\nMOVE\n\n---  ATTEND"
    patterns = EventPatterns.compile(DICTIONARY.replace("---  ATTEND", block), CODES_CSV)
    text = "Troops will move tonight."
    assert EventAnalyzer(EventReader(patterns))(text) == ["root:15"]
    assert EventAnalyzer(EventReader(patterns, content_only=True))(text) == []
    assert EventAnalyzer(EventReader(patterns, content_only=True))("Troops mobilised.") == [
        "root:15"
    ]


def test_scoped_events_read_as_cameo_codes_them() -> None:
    """With `event_scopes="cameo"` a refused cooperation reads as a rejection, a demanded event
    as a demand, a negated event as none (its cue's scope feature stands alone)."""
    from model.eventfeatures import EventAnalyzer, EventReader
    from tests.helpers import tiny_patterns

    read = EventAnalyzer(EventReader(tiny_patterns(), ("root",), scoped="cameo"))
    assert read("They refused to sign the accord.") == ["scope:refused", "root:12"]
    assert read("Troops did not attack.") == ["scope:negated"]
    assert read("They will hold unless the rebels agree to exchange prisoners.") == [
        "scope:demanded",
        "root:10",
    ]
    quad = EventAnalyzer(EventReader(tiny_patterns(), ("root",), scoped="quad"))
    assert quad("Troops did not attack.") == ["scope:negated", "negated:material-conflict"]


def test_a_reader_keeps_what_it_read_out_of_its_pickle() -> None:
    """The features a reader keeps per code and scope are not pickled with it, and a reader
    that has read reads as a fresh one does."""
    import pickle

    from model.eventfeatures import EventAnalyzer, EventReader
    from tests.helpers import tiny_patterns

    reader = EventReader(tiny_patterns(), ("root",), scoped="cameo")
    fresh = pickle.dumps(reader)
    first = EventAnalyzer(reader)("They refused to sign the accord. Troops did not attack.")
    assert reader._feature_cache  # it kept what it read
    assert pickle.dumps(reader) == fresh
    again = EventAnalyzer(pickle.loads(fresh))
    assert again("They refused to sign the accord. Troops did not attack.") == first


def test_a_model_whose_event_rules_changed_is_refused(tiny_model_path: Path) -> None:
    """The patterns travel in the model and the manifest records their digest and matching
    rules: a model whose record differs (another matcher version) is not scored."""
    artifact = load_artifact(tiny_model_path)
    Scorer(artifact)  # as written: accepted
    features = json.loads(json.dumps(artifact.manifest["features"]))
    features["ngrams"]["events"]["rules"]["window_before"] += 1
    changed = replace(artifact, manifest={**artifact.manifest, "features": features})
    with pytest.raises(ValueError, match="event patterns or matching rules"):
        Scorer(changed)


def python_events(model: Scorer) -> Scorer:
    """A scorer of `model`'s artifact whose event block is read and weighed in Python
    (`EventReader.read`, `_with_events`: the definitions), as when the C loops are not built."""
    other = Scorer(model.artifact)
    block = other._model.events
    assert block is not None
    assert block.loops is not None, "the C event loops (model/_matcher.c) are not built"
    block.__dict__["loops"] = None
    return other


_EVENT_WORDS = [
    *"peace talks collapsed crumbled broke broken ties relations leaders warned force "
    "troops attack attacked shots were fired refused to withdraw signed an accord agreement "
    "agreed exchange prisoners shelled welcomed truce the of and a it would on take".split(),
    *"no not never without unless until didn't or else within days failed decline".split(),
    "60",
    "2020",
    "US",
    "Russia's",
]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(_EVENT_WORDS),
            st.sampled_from([" ", " ", " ", ", ", ". ", "; ", " (", "! ", "\n\n", " \u2014 "]),
        ),
        max_size=60,
    )
)
def test_the_c_event_block_scores_as_the_definition_does(
    scorer: Scorer, tokens: list[tuple[str, str]]
) -> None:
    """Score, level, phrases (text, weight, spans), sentences and the whole explanation: the
    same from the C loops and from the Python definitions, to the last bit."""
    text = "".join(w + g for w, g in tokens)
    python = _PYTHON_EVENTS.setdefault(id(scorer), python_events(scorer))
    assert scorer.score(text, top_k=50, max_sentences=50) == python.score(
        text, top_k=50, max_sentences=50
    )
    assert scorer.explain(text) == python.explain(text)


_PYTHON_EVENTS: dict[int, Scorer] = {}


@pytest.mark.parametrize("text", [*EVENT_TEXTS, *TEXTS])
def test_the_c_event_block_reads_a_weighted_block_as_the_definition_does(
    tmp_path: Path, text: str
) -> None:
    pipeline = fit_tiny(tiny_config(event_weight=16.0))
    model = Scorer.load(save_artifact(pipeline, dict(TINY_MANIFEST), tmp_path / "w.joblib"))
    python = python_events(model)
    assert model.score(text, top_k=50, max_sentences=50) == python.score(
        text, top_k=50, max_sentences=50
    )
    assert model.explain(text) == python.explain(text)


@pytest.mark.corpora
def test_the_c_event_block_scores_real_articles_as_the_definition_does(
    default_model: Path,
) -> None:
    """The default model on every annotated article and the seed: the same results."""
    from tests.helpers import shared_data_dir
    from training.evaluation.contrast import annotated_texts, contrast_texts

    model = Scorer.load(default_model)
    python = python_events(model)
    root = shared_data_dir()
    assert root is not None
    texts = [*contrast_texts(), *annotated_texts()]
    texts.append((root / "seed" / "nato-preemptive-strike.txt").read_text(encoding="utf-8"))
    for text in texts:
        assert model.score(text, top_k=50, max_sentences=50) == python.score(
            text, top_k=50, max_sentences=50
        ), text[:80]


def test_the_c_event_block_refuses_what_it_cannot_read(scorer: Scorer) -> None:
    from model._matcher import Events

    block = scorer._model.events
    assert block is not None and block.loops is not None
    loops = block.loops
    words = ["troops", "did", "not", "attack", "leaders", "warned"]
    bounds = np.array([0, 4, 6], dtype=np.int64)
    starts = np.array([0, 7, 11, 15, 23, 31], dtype=np.int64)
    ends = starts + np.array([len(w) for w in words], dtype=np.int64)
    entries = np.arange(6, dtype=np.int32)
    heads = np.array([[4, 4], [5, 5]], dtype=np.int64)
    code = next(iter(block.analyzer.reader.patterns.codes))
    match = (1, code, (1,), 1)  # "warned" in the second sentence
    scope = (0, 0, 2, 3, 3)  # "not" | "attack"

    def call(**changes: object) -> object:
        args: dict[str, object] = dict(
            matches=[match],
            scopes=[scope],
            words=words,
            bounds=bounds,
            starts=starts,
            ends=ends,
            entries=entries,
            heads=heads,
            logits=np.zeros(2),
        )
        args.update(changes)
        return loops.score(*args.values())  # type: ignore[arg-type]

    call()  # well formed
    assert call(matches=[], scopes=[]) is None  # nothing to weigh
    with pytest.raises(ValueError, match="code"):
        call(matches=[(1, "no such code", (1,), 1)])
    with pytest.raises(ValueError, match="out of range"):
        call(matches=[(1, code, (2,), 1)])  # past its sentence
    with pytest.raises(ValueError, match="out of range"):
        call(matches=[(2, code, (1,), 1)])  # no such sentence
    with pytest.raises(ValueError, match="ascending"):
        call(matches=[(1, code, (1, 0), 1)])
    with pytest.raises(TypeError, match="tuple"):
        call(matches=[(1, code, (), 1)])
    with pytest.raises(TypeError, match="tuples"):
        call(matches=[(1, code, (1,))])
    with pytest.raises(ValueError, match="out of range"):
        call(scopes=[(0, 0, 2, 3, 4)])  # its last token past its sentence
    with pytest.raises(ValueError, match="out of range"):
        call(scopes=[(0, 9, 2, 3, 3)])  # no such kind
    with pytest.raises(ValueError, match="sentence order"):
        call(scopes=[(1, 0, 0, 1, 1), scope])
    with pytest.raises(ValueError, match="bounds"):
        call(bounds=np.array([0, 4, 5], dtype=np.int64))
    with pytest.raises(ValueError, match="disagree"):
        call(entries=entries[:5].copy())
    with pytest.raises(ValueError, match="disagree"):
        call(logits=np.zeros(3))
    with pytest.raises(TypeError, match="int32"):
        call(entries=entries.astype(np.int64))
    with pytest.raises(ValueError, match="heads"):
        call(heads=np.array([[5, 4]], dtype=np.int64))
    with pytest.raises(TypeError, match="once"):
        loops.__init__({}, frozenset(), (), b"", b"")
    fresh = Events.__new__(Events)
    with pytest.raises(RuntimeError, match="not initialised"):
        fresh.score([], [], words, bounds, starts, ends, entries, heads, None)


def test_the_c_event_block_reads_only_exact_str_and_its_own_codes(scorer: Scorer) -> None:
    """A str subclass's hash or equality could run Python in the middle of the loop (and change
    the lists it reads): words and codes must be str itself; a code's number stays the one the
    tables were made for."""
    import gc

    block = scorer._model.events
    assert block is not None and block.loops is not None
    loops = block.loops
    words = ["leaders", "warned", "of", "force"]
    starts = np.array([0, 8, 15, 18], dtype=np.int64)
    ends = starts + np.array([len(w) for w in words], dtype=np.int64)
    entries = np.arange(4, dtype=np.int32)
    bounds = np.array([0, 4], dtype=np.int64)
    heads = np.zeros((0, 2), dtype=np.int64)
    code = next(iter(block.analyzer.reader.patterns.codes))
    sub = type("Word", (str,), {})
    args = (bounds, starts, ends, entries, heads, None)
    loops.score([(0, code, (1,), 1)], [], words, *args)
    with pytest.raises(TypeError, match="str"):
        loops.score([(0, code, (1,), 1)], [], [sub("leaders"), *words[1:]], *args)
    with pytest.raises(TypeError, match="str"):
        loops.score([(0, code, (1,), 1)], [], [1234, *words[1:]], *args)  # type: ignore[list-item]
    with pytest.raises(TypeError, match="str"):
        loops.score([(0, sub(code), (1,), 1)], [], words, *args)
    for held in gc.get_referents(loops):
        if isinstance(held, dict):
            held[code] = 10**7  # its own copy of the codes, changed from outside
    with pytest.raises(ValueError, match="out of range"):
        loops.score([(0, code, (1,), 1)], [], words, *args)
    block.__dict__.pop("loops")  # made afresh for the tests after this one
