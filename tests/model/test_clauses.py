"""Scopes of negation, refusal and demands: which tokens each cue governs.

Each rule's test runs on `scopes`, the definition, and on the C rules (`model/_matcher.c`) that
`sentence_scopes` calls; random sentences must get the same scopes from both."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import model.clauses
from model.clauses import (
    DEMANDED,
    KINDS,
    NEGATED,
    REFUSED,
    Gaps,
    Scope,
    cue_sentences,
    scopes,
    sentence_scopes,
)
from model.features import SCOPE_RULES

Find = Callable[[Sequence[str], Sequence[str]], list[Scope]]


def laid_out(words: Sequence[str], gaps: Sequence[str]) -> tuple[str, np.ndarray, np.ndarray]:
    """A text of `words` with `gaps` between them, and the words' starts and ends in it."""
    text, starts, ends = "", [], []
    for i, word in enumerate(words):
        starts.append(len(text))
        text += word
        ends.append(len(text))
        text += gaps[i] if i < len(gaps) else ""
    return text, np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64)


def c_scopes(words: Sequence[str], gaps: Sequence[str]) -> list[Scope]:
    """`scopes` by the C rules: one sentence through `sentence_scopes`."""
    finder = model.clauses._finder()
    assert finder is not None, "the C scope rules (model/_matcher.c) are not built"
    text, starts, ends = laid_out(words, gaps)
    bounds = np.array([0, len(words)], dtype=np.int64)
    return [s for _, s in sentence_scopes(list(words), bounds, text, starts, ends)]


@pytest.fixture(params=["python", "c"])
def find(request: pytest.FixtureRequest) -> Find:
    return scopes if request.param == "python" else c_scopes


def tokenize(text: str) -> tuple[list[str], list[str]]:
    """Lowercase tokens and the text between consecutive tokens."""
    found = list(re.finditer(r"\w+(?:['\-]\w+)*", text))
    words = [m.group().lower() for m in found]
    gaps = [text[a.end() : b.start()] for a, b in zip(found, found[1:], strict=False)]
    return words, gaps


def read(text: str, find: Find = scopes) -> list[tuple[str, str, str]]:
    """Each scope of `text` as (kind, cue words, scope words)."""
    words, gaps = tokenize(text)
    return [
        (s.kind, " ".join(words[i] for i in s.cue), " ".join(words[s.first : s.last + 1]))
        for s in find(words, gaps)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Six tokens: the negated scope stops at its maximum length.
        (
            "No shots were fired along the frontier last night.",
            [(NEGATED, "no", "shots were fired along the frontier")],
        ),
        (
            "Police said the suspect acted alone and there was no ongoing threat to residents.",
            [(NEGATED, "no", "ongoing threat to residents")],
        ),
        (
            "The foreign minister did not threaten retaliation.",
            [(NEGATED, "not", "threaten retaliation")],
        ),
        # The comma ends the scope; "to" belongs to the cue.
        (
            "Troops refused to withdraw from the town, officials said.",
            [(REFUSED, "refused to", "withdraw from the town")],
        ),
        (
            "The talks failed to agree on a ceasefire.",
            [(REFUSED, "failed to", "agree on a ceasefire")],
        ),
        (
            "The interior minister threatened to reopen the border crossings unless the "
            "neighbouring states paid the 2 billion dollars they had pledged.",
            [
                (
                    DEMANDED,
                    "unless",
                    "the neighbouring states paid the 2 billion dollars they had pledged",
                )
            ],
        ),
        (
            "Moscow said its troops would stay unless all sanctions were lifted within 60 days.",
            [(DEMANDED, "unless", "all sanctions were lifted within 60 days")],
        ),
        # "or" ends a demand: the alternative is the threat.
        (
            "The government gave the rebels until Friday to lay down their weapons or face a "
            "full assault.",
            [(DEMANDED, "until", "friday to lay down their weapons")],
        ),
        ("Not only did they attack, they burned the village.", []),
        ("Peace talks collapsed without an agreement.", [(NEGATED, "without", "an agreement")]),
    ],
)
def test_the_brief_examples(text: str, expected: list[tuple[str, str, str]], find: Find) -> None:
    assert read(text, find) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The scope runs to the sentence end.
        ("The rebels did not attack.", [(NEGATED, "not", "attack")]),
        # A cue as the last token, or before punctuation or a boundary word: no scope.
        ("The answer was no.", []),
        ("They refused.", []),
        ("The answer was no, the minister said.", []),
        ("The offer was rejected and talks ended.", []),
        # Punctuation boundaries: a dash, brackets, quotes.
        (
            "The army did not retreat \u2014 it regrouped.",
            [(NEGATED, "not", "retreat")],
        ),
        ("The army did not retreat - it regrouped.", [(NEGATED, "not", "retreat")]),
        ("Nobody (officials said) was hurt.", []),
        ('He did not use the word "war" in the speech.', [(NEGATED, "not", "use the word")]),
        # "." and "'" inside a sentence are no boundary.
        ("The U.S. did not send U.S. troops.", [(NEGATED, "not", "send u s troops")]),
        (
            "They did not touch the rebels' weapons.",
            [(NEGATED, "not", "touch the rebels weapons")],
        ),
        # Boundary words.
        (
            "The army did not attack but shelled the outskirts.",
            [(NEGATED, "not", "attack")],
        ),
        (
            "The rebels refused to negotiate and vowed to fight on.",
            [(REFUSED, "refused to", "negotiate")],
        ),
        (
            "No shots were fired after the ceasefire began.",
            [(NEGATED, "no", "shots were fired")],
        ),
        (
            "The ministry would not say whether or not troops crossed the border.",
            [(NEGATED, "not", "say")],
        ),
        # "or" continues a negation or refusal.
        (
            "The minister did not threaten or attack anyone.",
            [(NEGATED, "not", "threaten or attack anyone")],
        ),
        # Two cues in a row: the first scope is the second cue, which opens its own.
        (
            "The ministry did not deny that its jets struck the convoy.",
            [
                (NEGATED, "not", "deny that"),
                (REFUSED, "deny that", "its jets struck the convoy"),
            ],
        ),
        (
            "They said it would never reject talks.",
            [(NEGATED, "never", "reject"), (REFUSED, "reject", "talks")],
        ),
        # A cue ends the scope it stands in.
        (
            "Neither side fired nor withdrew.",
            [(NEGATED, "neither", "side fired"), (NEGATED, "nor", "withdrew")],
        ),
        (
            "The army refused to withdraw unless the sanctions were lifted.",
            [
                (REFUSED, "refused to", "withdraw"),
                (DEMANDED, "unless", "the sanctions were lifted"),
            ],
        ),
        (
            "There will be no talks unless and until the troops withdraw.",
            [
                (NEGATED, "no", "talks"),
                (DEMANDED, "unless and until", "the troops withdraw"),
            ],
        ),
        # One-token contractions, "cannot", "no one", cue followers.
        ("The rebels didn't fire a single shot.", [(NEGATED, "didn't", "fire a single shot")]),
        ("We cannot accept these terms.", [(NEGATED, "cannot", "accept these terms")]),
        ("No one was hurt in the blast.", [(NEGATED, "no one", "was hurt in the blast")]),
        ("The rebels agreed not to retaliate.", [(NEGATED, "not to", "retaliate")]),
        # Refusals: "decline" and "fail" only before "to".
        (
            "The spokesman declined to comment on the strikes.",
            [(REFUSED, "declined to", "comment on the strikes")],
        ),
        ("Oil exports declined sharply last year.", []),
        ("A failed coup attempt shook the capital.", []),
        (
            "Kyiv denied attacking the depot.",
            [(REFUSED, "denied", "attacking the depot")],
        ),
        # Demands.
        (
            "Protesters demanded that the ambassador be expelled.",
            [(DEMANDED, "demanded that", "the ambassador be expelled")],
        ),
        ("Officials demanded an immediate withdrawal.", []),
        (
            "The rebels agreed to a truce on condition that prisoners were released.",
            [(DEMANDED, "on condition that", "prisoners were released")],
        ),
        ("We will fight for as long as it takes.", []),
        ("The border stays closed until further notice.", []),
        # Twelve tokens at most in a demand.
        (
            "Troops will stay unless the council votes to lift every sanction imposed on the "
            "country during the war in 2014.",
            [
                (
                    DEMANDED,
                    "unless",
                    "the council votes to lift every sanction imposed on the country during",
                ),
            ],
        ),
        # Non-cue phrases.
        ("There is no doubt the strike was deliberate.", []),
        ("They wanted nothing but peace.", []),
    ],
)
def test_boundaries_and_precedence(
    text: str, expected: list[tuple[str, str, str]], find: Find
) -> None:
    assert read(text, find) == expected


def test_scopes_carry_token_indices(find: Find) -> None:
    words, gaps = tokenize("Troops refused to withdraw from the town, officials said.")
    assert find(words, gaps) == [Scope(REFUSED, (1, 2), 3, 6)]


def test_empty_and_malformed_input() -> None:
    assert scopes([], []) == []
    assert scopes(["no"], []) == []
    with pytest.raises(ValueError, match="gaps"):
        scopes(["no", "shots"], [])


def test_the_rules_are_json_and_name_the_kinds() -> None:
    assert json.loads(json.dumps(SCOPE_RULES)) == SCOPE_RULES
    assert KINDS == (NEGATED, REFUSED, DEMANDED)
    per_kind = ("cues", "cue_suffixes", "phrase_cues", "cue_followers", "kind_boundaries")
    for key in (*per_kind, "max_scope"):
        assert set(SCOPE_RULES[key]) == set(KINDS), key


_VOCABULARY = sorted(
    {w for kind in KINDS for w in SCOPE_RULES["cues"][kind]}
    | {w for p in SCOPE_RULES["not_cues"] for w in p.split()}
    | {w for kind in KINDS for p in SCOPE_RULES["phrase_cues"][kind] for w in p.split()}
    | set(SCOPE_RULES["boundary_words"])
    | {"or", "didn't", "troops", "fired", "the", "border"}
)


@given(
    st.lists(
        st.tuples(st.sampled_from(_VOCABULARY), st.sampled_from([" ", " ", ", ", " (", "' "])),
        max_size=30,
    )
)
def test_scopes_are_ordered_disjoint_and_follow_their_cue(
    tokens: list[tuple[str, str]],
) -> None:
    words = [w for w, _ in tokens]
    gaps = [g for _, g in tokens[:-1]]
    before: Scope | None = None
    for s in scopes(words, gaps):
        assert s.kind in KINDS
        assert list(s.cue) == list(range(s.cue[0], s.first))
        assert s.first <= s.last < len(words)
        assert s.last - s.first < SCOPE_RULES["max_scope"][s.kind]
        assert not any(c in gaps[k] for k in range(s.cue[-1], s.last) for c in ",(")
        if before is not None:
            # After the one before, or its cue is all of the one before (two cues in a row).
            in_before = (s.cue[0], s.cue[-1]) == (before.first, before.last)
            assert before.last < s.cue[0] or in_before
        before = s


@given(
    st.lists(st.sampled_from([*_VOCABULARY, "wasn't", "snot", "x"]), max_size=40),
    st.lists(st.integers(0, 40), max_size=6),
)
def test_only_sentences_with_a_cue_word_are_walked(words: list[str], cuts: list[int]) -> None:
    """`cue_sentences` names every sentence in which `scopes` finds a scope."""
    bounds = [0, *sorted(min(c, len(words)) for c in cuts), len(words)]
    cued = cue_sentences(words, bounds)
    for k in range(len(bounds) - 1):
        sentence = words[bounds[k] : bounds[k + 1]]
        if scopes(sentence, [" "] * max(len(sentence) - 1, 0)):
            assert k in cued
    assert cue_sentences(["x", "troops"], [0, 1, 2]) == set()
    assert cue_sentences(["x", "wasn't", "y"], [0, 1, 1, 3]) == {2}


_GAPS = [" ", " ", " ", ", ", " (", "' ", "", "  ", "\n", " \u2014 ", "."]


@given(
    st.lists(
        st.tuples(st.sampled_from([*_VOCABULARY, "wasn't", "snot", "x"]), st.sampled_from(_GAPS)),
        max_size=40,
    ),
    st.lists(st.integers(0, 40), max_size=6),
)
def test_the_c_rules_find_the_scopes_the_definition_finds(
    tokens: list[tuple[str, str]], cuts: list[int]
) -> None:
    """Sentence by sentence, in one call for the text: the C rules, and `sentence_scopes`
    without them, give what `scopes` gives each sentence."""
    words = [w for w, _ in tokens]
    gaps = [g for _, g in tokens[:-1]]
    text, starts, ends = laid_out(words, gaps)
    lows = [0, *sorted(min(c, len(words)) for c in cuts), len(words)]
    bounds = np.array(lows, dtype=np.int64)
    expected = [
        (k, scope)
        for k in range(len(lows) - 1)
        for scope in scopes(
            words[lows[k] : lows[k + 1]], gaps[lows[k] : max(lows[k + 1] - 1, lows[k])]
        )
    ]
    assert model.clauses._finder() is not None
    assert sentence_scopes(words, bounds, text, starts, ends) == expected
    finder = model.clauses._finder
    try:
        model.clauses._finder = lambda: None  # type: ignore[assignment]
        assert sentence_scopes(words, bounds, text, starts, ends) == expected
    finally:
        model.clauses._finder = finder


def test_the_c_rules_refuse_what_they_cannot_read() -> None:
    from model._matcher import Scopes

    finder = model.clauses._finder()
    assert finder is not None
    words = ["no", "shots"]
    text, starts, ends = laid_out(words, [" "])
    bounds = np.array([0, 2], dtype=np.int64)
    assert finder.find(words, bounds, text, starts, ends) == [(0, 0, 0, 1, 1)]
    with pytest.raises(ValueError, match="bounds"):
        finder.find(words, np.array([0, 1], dtype=np.int64), text, starts, ends)
    with pytest.raises(ValueError, match="bounds"):
        finder.find(words, np.array([0, 2, 1, 2], dtype=np.int64), text, starts, ends)
    with pytest.raises(TypeError, match="int64"):
        finder.find(words, np.array([0, 2], dtype=np.int32), text, starts, ends)
    with pytest.raises(ValueError, match="one per word"):
        finder.find(words, bounds, text, starts[:1], ends)
    with pytest.raises(ValueError, match="ordered tokens"):
        finder.find(words, bounds, text[:4], starts, ends)
    with pytest.raises(ValueError, match="ordered tokens"):
        finder.find(words, bounds, text, starts[::-1].copy(), ends)
    with pytest.raises(TypeError, match="str"):
        finder.find([type("Word", (str,), {})("no"), "shots"], bounds, text, starts, ends)
    with pytest.raises(TypeError, match="list or tuple"):
        finder.find("no shots", bounds, text, starts, ends)
    with pytest.raises(TypeError, match="once"):
        finder.__init__(*model.clauses._flat_tables())
    with pytest.raises(RuntimeError, match="not initialised"):
        Scopes.__new__(Scopes).find(words, bounds, text, starts, ends)
    assert finder.find([], np.array([0], dtype=np.int64), "", starts[:0], ends[:0]) == []


def test_the_c_rules_refuse_tables_they_cannot_trust() -> None:
    from model._matcher import Scopes

    vocabulary, suffixes, tables = model.clauses._flat_tables()
    Scopes(vocabulary, suffixes, tables)
    with pytest.raises(ValueError, match="content"):
        Scopes(vocabulary, (("n't", 40),), tables)  # no such kind
    cue = np.frombuffer(tables[0], dtype=np.int32).copy()
    cue[0] = 31
    with pytest.raises(ValueError, match="content"):
        Scopes(vocabulary, suffixes, (cue.tobytes(), *tables[1:]))
    pool = np.frombuffer(tables[6], dtype=np.int32).copy()
    pool[0] = len(cue)
    with pytest.raises(ValueError, match="content"):
        Scopes(vocabulary, suffixes, (*tables[:6], pool.tobytes(), *tables[7:]))


def test_the_text_between_tokens_is_read_where_asked() -> None:
    text = "No shots, were   fired"
    starts, ends = [0, 3, 10, 17], [2, 8, 14, 22]
    gaps = Gaps(text, starts, ends, 0, 3)
    assert list(gaps) == [" ", ", ", "   "] and len(gaps) == 3
    assert gaps[-1] == "   " and gaps[1:] == [", ", "   "]
    assert list(Gaps(text, starts, ends, 1, 2)) == [", ", "   "]
    with pytest.raises(IndexError):
        gaps[3]


@pytest.mark.corpora
def test_the_c_rules_find_in_real_sentences_what_the_definition_finds() -> None:
    """Every sentence of four training corpora, as the reader lays them out (cleaned, tokenised,
    split into sentences): the same scopes from the C rules and from `scopes`."""
    from model.eventfeatures import token_bounds
    from model.text import clean, split_sentences, tokenize_clean
    from tests.helpers import shared_data_dir
    from training.data.registry import load_corpus

    if shared_data_dir() is None:
        pytest.skip("set ESCALATION_DATA_DIR to the corpus mirror to run the corpora tests")
    found = 0
    for name in ("unquad", "multicoped", "cameo", "ngec"):
        for example in load_corpus(name).examples:
            text = clean(example.text).text
            tokens = tokenize_clean(text)
            words = [t.norm for t in tokens]
            starts = np.array([t.start for t in tokens], dtype=np.int64)
            ends = np.array([t.end for t in tokens], dtype=np.int64)
            spans = np.array(split_sentences(text), dtype=np.int64).reshape(-1, 2)
            bounds = token_bounds(starts, spans)
            lows = bounds.tolist()
            firsts, lasts = starts.tolist(), ends.tolist()
            expected = [
                (k, scope)
                for k in range(len(lows) - 1)
                for scope in scopes(
                    words[lows[k] : lows[k + 1]],
                    Gaps(text, firsts, lasts, lows[k], lows[k + 1] - lows[k] - 1),
                )
            ]
            assert sentence_scopes(words, bounds, text, starts, ends) == expected, text
            found += len(expected)
    assert found > 2000
