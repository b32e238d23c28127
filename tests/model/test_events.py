"""The parser-free CAMEO pattern matcher: compiled from a small dictionary written here, and
(marked corpora) from PETRARCH-2's real CAMEO.2.0.txt. Every rule is checked on the C matcher
and on `match_python`, its definition; random sentences must get the same matches from both."""

from __future__ import annotations

import json
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.events import (
    BE_FORMS,
    NON_VERB_BIGRAMS,
    NOUN_MARKERS,
    VERB_AFTER,
    VERB_BEFORE,
    WINDOW_AFTER,
    WINDOW_BEFORE,
    EventCode,
    EventPatterns,
    Match,
    _flat_tables,
)
from tests.helpers import CODES_CSV, DICTIONARY, shared_data_dir


def python_only(patterns: EventPatterns) -> EventPatterns:
    """`patterns` whose `match` runs the Python definition (as when the C matcher is not built)."""
    patterns.__dict__["_matcher"] = None
    return patterns


@pytest.fixture(scope="module", params=["c", "python"])
def patterns(request: pytest.FixtureRequest) -> EventPatterns:
    compiled = EventPatterns.compile(DICTIONARY, CODES_CSV)
    if request.param == "python":
        return python_only(compiled)
    assert compiled._matcher is not None, "the C matcher model/_matcher.c is not built"
    return compiled


def codes(patterns: EventPatterns, sentence: str) -> list[tuple[str, tuple[int, ...]]]:
    return [(m.code, m.tokens) for m in patterns.match(sentence.split())]


def test_regular_forms_come_from_lemminflect(patterns: EventPatterns) -> None:
    assert patterns.match("peace talks collapsed".split()) == [Match("164", (1, 2), 2)]
    assert codes(patterns, "the talks are collapsing") == [("164", (1, 3))]
    assert codes(patterns, "talks collapses") == [("164", (0, 1))]
    assert codes(patterns, "they disbanded the unit") == [("160", (1,))]


def test_irregular_forms_come_from_the_braces(patterns: EventPatterns) -> None:
    # "flarb"/"flurben" exist only in the dictionary's {...}: lemminflect cannot make them.
    assert codes(patterns, "they flarb relations") == [("161", (1, 2))]
    assert codes(patterns, "relations were flurben") == [("161", (0, 2))]
    assert codes(patterns, "russia broke relations") == [("161", (1, 2))]
    assert codes(patterns, "rebels broke the missiles") == [("1712", (1, 3))]


def test_multi_word_verbs_need_their_words_in_a_row(patterns: EventPatterns) -> None:
    assert patterns.match("troops wiped out the village".split()) == [Match("190", (1, 2), 1)]
    assert codes(patterns, "troops are wiping out missiles") == [("1712", (2, 3, 4))]
    assert codes(patterns, "troops wiped the village out") == []
    assert codes(patterns, "troops wiped") == []


def test_the_windows_end_where_the_constants_say(patterns: EventPatterns) -> None:
    filler = ["x"] * (WINDOW_BEFORE - 1)
    inside = ["talks", *filler, "collapsed"]
    outside = ["talks", "x", *filler, "collapsed"]
    assert [m.code for m in patterns.match(inside)] == ["164"]
    # "talks" alone would be TALK [040], but it is also a noun and stands where no verb does.
    assert [m.code for m in patterns.match(outside)] == []
    filler = ["x"] * (WINDOW_AFTER - 1)
    assert [m.code for m in patterns.match(["broke", *filler, "relations"])] == ["161"]
    assert [m.code for m in patterns.match(["broke", "x", *filler, "relations"])] == ["190"]


def test_pattern_words_must_come_in_order(patterns: EventPatterns) -> None:
    assert codes(patterns, "they broke with their ally") == [("130", (1, 2, 4))]
    assert codes(patterns, "they broke an ally with") == [("190", (1,))]
    # The preposition must come before the verb's noun, and both after the verb.
    assert codes(patterns, "with their partner they broke") == [("190", (4,))]


def test_passive_voice_lets_the_object_stand_before_the_verb(patterns: EventPatterns) -> None:
    assert codes(patterns, "the ceasefire was breached") == [("196", (1, 3))]
    assert codes(patterns, "the cease fire had been breached again") == [("196", (1, 2, 5))]
    assert codes(patterns, "truces were breached") == [("196", (0, 2))]
    # No form of "be": an object before the verb is not its object.
    assert codes(patterns, "the ceasefire breached") == [("128", (2,))]
    # "is breaching" is progressive, not passive.
    assert codes(patterns, "the truce is breaching") == [("128", (3,))]
    # A passive verb codes the second half of [active:passive].
    assert codes(patterns, "they attended the summit") == [("042", (1,))]
    assert codes(patterns, "the summit was attended") == [("043", (3,))]


def test_the_pattern_with_most_matched_words_wins(patterns: EventPatterns) -> None:
    assert codes(patterns, "they broke diplomatic relations") == [("1622", (1, 2, 3))]
    # A tie goes to the pattern first in the file: RELATIONS before TIES.
    assert codes(patterns, "they broke ties and relations") == [("161", (1, 4))]
    assert codes(patterns, "they broke relations and ties") == [("161", (1, 2))]


def test_null_codes_give_nothing(patterns: EventPatterns) -> None:
    assert patterns.match("the talks went on and the wall crumbled".split())[1:] == []
    assert codes(patterns, "the wall crumbled") == []
    # A winning pattern with the null code silences the verb's own code (190).
    assert codes(patterns, "they broke in back") == []
    assert codes(patterns, "they broke") == [("190", (1,))]


def test_a_verb_form_after_a_determiner_or_possessive_is_a_noun(patterns: EventPatterns) -> None:
    assert codes(patterns, "after the break relations improved") == []
    assert codes(patterns, "russia's break with its ally") == []
    assert codes(patterns, "it's broken") == [("190", (1,))]
    # Nor in the fixed phrases of NON_VERB_BIGRAMS ("attended" stays a verb next to them).
    marching = EventPatterns.compile(DICTIONARY + "MARCH [042]\n", CODES_CSV)
    assert [m.verb for m in marching.match("they march and attended".split())] == [1, 3]
    assert [m.verb for m in marching.match("in march they attended".split())] == [3]
    assert [m.verb for m in marching.match("according to them they attended".split())] == [4]


def test_a_verb_used_as_another_patterns_noun_is_no_event(patterns: EventPatterns) -> None:
    # "talks" is a form of TALK [040], but here it is the noun of "talks collapsed".
    assert codes(patterns, "peace talks collapsed") == [("164", (1, 2))]
    assert codes(patterns, "he talks") == [("040", (1,))]


def test_matches_come_in_verb_order(patterns: EventPatterns) -> None:
    found = patterns.match("talks collapsed and rebels breached the truce".split())
    assert [(m.code, m.verb) for m in found] == [("164", 1), ("196", 4)]


def test_codes_name_what_can_be_emitted(patterns: EventPatterns) -> None:
    assert patterns.codes["164"] == EventCode("164", "16", "Halt negotiations", -7.0)
    assert set(patterns.codes) == {
        "030", "040", "042", "043", "057", "081", "128", "130", "1383", "150", "160", "161",
        "1622", "164", "1712", "190", "196",
    }  # fmt: skip
    assert "176" not in patterns.codes


def test_rules_state_the_windows_and_count_the_drops(patterns: EventPatterns) -> None:
    rules = json.loads(json.dumps(patterns.rules()))
    assert rules["window_before"] == WINDOW_BEFORE and rules["window_after"] == WINDOW_AFTER
    counts = rules["counts"]
    assert counts["patterns_dropped"] == {
        "duplicate": 1,
        "undefined_synset": 1,
        "unknown_code": 1,
    }
    # 8 patterns and 9 verbs in the blocks before THREATEN, 4 and 9 in the tiny texts' blocks
    assert counts["patterns_kept"] == 8 + 4
    assert counts["patterns_kept_null_code"] == 1
    assert counts["verbs"] == 9 + 9 and counts["verbs_multiword"] == 1
    assert counts["transformations_ignored"] == 1
    assert rules["source_sha256"] == patterns.source_sha256


def test_pickling_round_trips(patterns: EventPatterns) -> None:
    back = pickle.loads(pickle.dumps(patterns))
    assert back == patterns and back.sha256 == patterns.sha256
    sentence = "they broke diplomatic relations and the truce was breached".split()
    assert back.match(sentence) == patterns.match(sentence)


def test_the_digest_is_stable_and_follows_the_dictionary(patterns: EventPatterns) -> None:
    again = EventPatterns.compile(DICTIONARY, CODES_CSV)
    assert again.sha256 == patterns.sha256 and again == patterns
    changed = EventPatterns.compile(DICTIONARY.replace("- * TIES  ", "- * BONDS "), CODES_CSV)
    assert changed.sha256 != patterns.sha256
    assert changed.source_sha256 != patterns.source_sha256
    assert changed != patterns
    # A comment changes the source, not the compiled table.
    commented = EventPatterns.compile(
        DICTIONARY.replace("- TALKS *", "# a note\n- TALKS *"), CODES_CSV
    )
    assert commented.sha256 == patterns.sha256
    assert commented.source_sha256 != patterns.source_sha256


@pytest.mark.corpora
def test_the_real_dictionary_codes_real_phrases() -> None:
    root = shared_data_dir()
    if root is None:
        pytest.skip("set ESCALATION_DATA_DIR to the corpus mirror to run the corpora tests")
    dictionary = (root / "petrarch" / "CAMEO.2.0.txt").read_text(encoding="utf-8")
    # cameo-codes.csv is not UTF-8 in its free-text columns (mis-encoded quotes).
    codes_csv = (root / "cameo" / "cameo-codes.csv").read_bytes().decode("latin-1")
    real = EventPatterns.compile(dictionary, codes_csv)

    words = "peace talks in geneva collapsed without an agreement".split()
    found = real.match(words)
    assert [m.code for m in found] == ["164"]  # COLLAPSE: - TALKS * [164:164]
    assert {words.index("talks"), words.index("collapsed")} <= set(found[0].tokens)

    threat = real.match("the president threatened 200 tariffs".split())
    assert [m.code for m in threat] == ["130"] and real.codes["130"].root == "13"

    # BREAK sits in the DESTROY block [190] and has no ceasefire pattern; BREACH has one.
    broken = real.match("the ceasefire was broken".split())
    assert [m.code for m in broken] == ["190"] and real.codes["190"].root == "19"
    assert [m.code for m in real.match("the ceasefire was breached".split())] == ["196"]

    counts = real.rules()["counts"]
    assert isinstance(counts, dict) and counts["patterns_kept"] > 4000


def test_a_form_that_is_also_a_noun_needs_a_verb_position(patterns: EventPatterns) -> None:
    """A verb's own code from a form that may be a noun ("talks") only where a verb stands."""
    assert codes(patterns, "they talk daily") == [("040", (1,))]
    assert codes(patterns, "officials talk to the press") == []
    assert codes(patterns, "envoys will talk tomorrow") == [("040", (2,))]
    assert codes(patterns, "he talks the matter over") == [("040", (1,))]
    assert codes(patterns, "long talks ended") == []
    # A form that is only a verb needs no such position; nor does a pattern's match.
    assert codes(patterns, "officials disbanded units") == [("160", (1,))]
    assert codes(patterns, "peace talks collapsed") == [("164", (1, 2))]


def sentence_words(patterns: EventPatterns) -> list[str]:
    """Words that move the matcher: its table's, the rule words, possessives and contractions,
    a negation, and words it does not know."""
    table = _flat_tables(patterns._forms, patterns._verbs, patterns._blocks, patterns._anchors)[0]
    rules = sorted(BE_FORMS | NOUN_MARKERS | VERB_BEFORE | VERB_AFTER)
    pairs = sorted({w for pair in NON_VERB_BIGRAMS for w in pair})
    return [*table, *rules, *pairs, "russia's", "it's", "allies'", "didn't", "zork", "x"]


def same_matches(patterns: EventPatterns, words: list[str]) -> None:
    assert patterns._matcher is not None
    assert patterns.match(words) == patterns.match_python(words), words


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_the_c_matcher_matches_as_the_definition_does(data: st.DataObject) -> None:
    compiled = _tiny()
    vocabulary = sentence_words(compiled)
    words = data.draw(st.lists(st.sampled_from(vocabulary), max_size=40))
    same_matches(compiled, words)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), python=st.booleans())
def test_a_text_is_matched_sentence_by_sentence(data: st.DataObject, python: bool) -> None:
    compiled = EventPatterns.compile(DICTIONARY, CODES_CSV) if python else _tiny()
    if python:
        python_only(compiled)
    vocabulary = sentence_words(compiled)
    words = data.draw(st.lists(st.sampled_from(vocabulary), max_size=60))
    cuts = data.draw(st.lists(st.integers(0, len(words)), max_size=6))
    bounds = [0, *sorted(cuts), len(words)]
    expected = [
        (k, m)
        for k in range(len(bounds) - 1)
        for m in compiled.match_python(words[bounds[k] : bounds[k + 1]])
    ]
    assert compiled.match_sentences(words, bounds) == expected


def test_sentence_bounds_must_cover_the_words() -> None:
    matcher = _tiny()._matcher
    for bounds in ([1, 3], [0, 2], [0, 2, 1, 3], [0, 4], []):
        with pytest.raises(ValueError, match="bounds"):
            matcher.match_sentences(["talks", "collapsed", "x"], bounds)
    assert matcher.match_sentences([], [0]) == []
    assert matcher.match_sentences(["peace", "talks", "collapsed"], [0, 0, 3, 3]) == [
        (1, "164", (1, 2), 2)
    ]


def test_the_c_matcher_refuses_what_it_cannot_read() -> None:
    from model._matcher import Matcher

    compiled = _tiny()
    with pytest.raises(TypeError):
        compiled._matcher.match_sentences("not a list", [0])
    with pytest.raises(TypeError):
        compiled._matcher.match_sentences(["talks", 3], [0, 2])
    with pytest.raises(TypeError):  # a str subclass could run Python while it is read
        compiled._matcher.match_sentences([type("Word", (str,), {})("talks")], [0, 1])
    with pytest.raises(ValueError, match="tables"):
        Matcher({}, (), (b"",))
    with pytest.raises(ValueError, match="int32"):
        Matcher({}, (), tuple(b"abc" for _ in range(17)))
    with pytest.raises(TypeError, match="once"):
        compiled._matcher.__init__(*_flat_tables(*_parts(compiled)))
    with pytest.raises(RuntimeError, match="not initialised"):
        Matcher.__new__(Matcher).match_sentences(["talks"], [0, 1])
    vocabulary, codes, tables = _flat_tables(*_parts(compiled))
    with pytest.raises(ValueError, match="out of range"):
        Matcher({**vocabulary, "talks": len(vocabulary)}, codes, tables).match_sentences(
            ["talks"], [0, 1]
        )
    assert compiled._matcher.match_sentences([], [0, 0]) == [] == compiled.match([])
    # long sentences: one-word verbs, and multi-word ones between them (the overlap rule)
    for long in (["talks", "collapsed", "x"] * 20_000, ["wiped", "out", "broke"] * 10_000):
        assert compiled.match(long) == compiled.match_python(long)


def _parts(p: EventPatterns) -> tuple[object, ...]:
    return (p._forms, p._verbs, p._blocks, p._anchors)


_TINY: list[EventPatterns] = []


def _tiny() -> EventPatterns:
    if not _TINY:
        _TINY.append(EventPatterns.compile(DICTIONARY, CODES_CSV))
    return _TINY[0]


@pytest.mark.corpora
def test_the_c_matcher_matches_the_real_dictionary_as_the_definition_does() -> None:
    root = shared_data_dir()
    if root is None:
        pytest.skip("set ESCALATION_DATA_DIR to the corpus mirror to run the corpora tests")
    from model.text import tokenize_clean
    from training.data.registry import load_corpus
    from training.evaluation.events import sentences

    real = EventPatterns.compile(
        (root / "petrarch" / "CAMEO.2.0.txt").read_text(encoding="utf-8"),
        (root / "cameo" / "cameo-codes.csv").read_bytes().decode("latin-1"),
    )
    vocabulary = sentence_words(real)

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.sampled_from(vocabulary), max_size=60))
    def check(words: list[str]) -> None:
        same_matches(real, words)

    check()
    # and every sentence of two training corpora
    for name in ("cameo", "ngec"):
        for sentence in sentences(load_corpus(name)):
            same_matches(real, [t.norm for t in tokenize_clean(sentence)])
