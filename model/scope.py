"""Whether a model can judge a text: its language, and warnings that travel with its score.

Each language model reads its own language; `model.routing` picks one per text with what is here: a
text in Latin letters whose words are almost all in the English vocabulary (`COVERAGE`) is read by
the English model without asking anything else; otherwise `py3langid` (a maintained langid.py with
its model shipped in the package) names its language from samples of `LANGUAGE_SAMPLE` characters
of what a reader sees of it (`visible`: invisible characters and runs of blanks do not count),
at its start, and in a long text at its middle and end too (about 3 microseconds a character,
so English news, nearly all in the vocabulary, never pays for it). A text in a language
without a model is answered without a score (`UNSUPPORTED_LANGUAGE`); one with too few words
its model knows is scored, and says so (`LITTLE_EVIDENCE`). A long text whose whole scores low
while several of its sentences score at the top carries `ESCALATORY_PASSAGES`: its score is
right about the whole, the warning says what it hides.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from babel.core import get_global
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from model.text import clean
from model.types import ScopeWarning

# A requested language: an ISO 639-1 code, two lowercase letters (the whole string).
LANGUAGE_CODE = re.compile("[a-z]{2}")
UNSUPPORTED_LANGUAGE = "unsupported_language"
# Kept on results of an unsupported language, for clients written when English was the only
# model (their filter on it still drops what no model reads).
NOT_ENGLISH = "not_english"
LITTLE_EVIDENCE = "little_evidence"
ESCALATORY_PASSAGES = "escalatory_passages"
CODES = (UNSUPPORTED_LANGUAGE, NOT_ENGLISH, LITTLE_EVIDENCE, ESCALATORY_PASSAGES)

MIN_KNOWN_WORDS = 5  # fewer known words (masked names aside) than this: little evidence
COVERAGE = 0.9  # at least this share of words in a model's vocabulary: read by that model
LANGUAGE_SAMPLE = 600  # characters shown to the language identifier
# The languages the identifier chooses among: those of most of the world's news, and the
# neighbours of the supported ones (Catalan, Galician, Portuguese, Italian, French beside
# Spanish; Persian, Urdu beside Arabic), so that a neighbour is named as itself, never as the
# language it resembles. On the detection set (`bench/detection.py`) it names 99.1-100% of each
# language's texts of 50 characters or more (Portuguese 98.3%: three taken for Galician, still
# unscored); unrestricted, it took some Spanish and Arabic texts for minor neighbours (Aragonese,
# Moroccan Arabic) and left them unscored.
CANDIDATES = tuple(
    "en es ar fr pt it de nl ru uk pl tr fa ur hi bn zh ja ko id ms sw ca gl ro sv no da fi "
    "el he cs hu vi th tl".split()
)
# A text below the second-highest level (`high`) with at least this many sentences at the highest
# (`severe`) carries escalatory passages its whole does not: 3 flags 1.1% of the annotated
# not-escalatory Wikinews articles and 0.9% of the economy ones (docs/report, "Whole articles").
MIN_PASSAGES = 3


@cache
def _identifier() -> LanguageIdentifier:
    """The language identifier (about 5 s to load: once per process)."""
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(CANDIDATES))
    return identifier


def prepare() -> None:
    """Load the language identifier now (a server's master, before it forks workers)."""
    _identifier()


@cache
def _latin_candidates() -> frozenset[str]:
    """The candidates written in Latin letters: CLDR's likely script of each (through babel)."""
    likely = get_global("likely_subtags")
    return frozenset(c for c in CANDIDATES if "_Latn" in likely.get(c, ""))


def sample_starts(text: str) -> tuple[int, ...]:
    """Where the identifier reads a text: its start, and for a text longer than two samples its
    middle and its end too (`model.routing` goes where two of the three agree)."""
    if len(text) <= 2 * LANGUAGE_SAMPLE:
        return (0,)
    return (0, (len(text) - LANGUAGE_SAMPLE) // 2, len(text) - LANGUAGE_SAMPLE)


def visible(text: str) -> str:
    """The text as the models read it (`model.text.clean`: invisible characters removed,
    fullwidth or mathematical letters as plain ones), each run of blanks as one space: what
    the identifier samples, so that nothing a reader cannot see, before, inside or after the
    words, fills a sample."""
    return " ".join(clean(text).text.split())


def language(text: str, start: int = 0) -> tuple[str, float]:
    """The most likely language (ISO 639-1) of `LANGUAGE_SAMPLE` characters of the text's
    `visible` form from `start` on (a position in that form: `sample_starts` of it), and its
    probability (`identify`)."""
    return identify(visible(text)[start : start + LANGUAGE_SAMPLE])


def identify(sample: str) -> tuple[str, float]:
    """The most likely language (ISO 639-1) of a sample of visible text, and its probability. A
    sample with letters, all of them ASCII, is taken for a language written in Latin letters
    (their probabilities normalised anew), never for Arabic or Russian; one the identifier has no
    evidence about (every candidate as likely: "ok", "1234") for the first candidate, English."""
    ranked = _identifier().rank(sample)
    letters = [ch for ch in sample if ch.isalpha()]
    if letters and all(ch.isascii() for ch in letters):
        ranked = [(code, p) for code, p in ranked if code in _latin_candidates()]
        total = sum(p for _, p in ranked)
        ranked = [(code, p / total) for code, p in ranked] if total > 0 else ranked
    code, probability = ranked[0]
    if probability <= ranked[-1][1]:  # all alike: no evidence
        code = CANDIDATES[0]
    return str(code), float(probability)


def is_language_code(value: str) -> bool:
    """Whether `value` is a language a request may name (`LANGUAGE_CODE`, all of it)."""
    return LANGUAGE_CODE.fullmatch(value) is not None


def mostly_ascii(text: str, sample: int = 200) -> bool:
    """Whether at least half of the text's first `sample` characters are ASCII, as sent or as
    the models read them (`language`): a text in Latin letters, which the English model reads
    before anyone asks its language."""
    start = text[:sample]
    return _ascii_majority(start) or _ascii_majority(clean(start).text)


def _ascii_majority(text: str) -> bool:
    """Whether at least half of the text's characters are ASCII."""
    return 2 * len(text.encode("ascii", "ignore")) >= len(text)


def unsupported(code: str, probability: float | None, languages: Sequence[str]) -> ScopeWarning:
    """The warning of a text no model reads: its language, detected or requested."""
    said = f"reads as language '{code}' (p={probability:.2f})" if probability else f"is '{code}'"
    return ScopeWarning(
        UNSUPPORTED_LANGUAGE,
        f"the text {said}; this model reads {', '.join(languages)}: not scored",
    )


def evidence_warnings(known: int) -> tuple[ScopeWarning, ...]:
    """`little_evidence` when fewer than MIN_KNOWN_WORDS of a text's words (masked names aside)
    are in its model's vocabulary."""
    if known >= MIN_KNOWN_WORDS:
        return ()
    return (
        ScopeWarning(
            LITTLE_EVIDENCE,
            f"{known} of its words are known to the model (fewer than {MIN_KNOWN_WORDS}): "
            "too little evidence to score reliably",
        ),
    )


@dataclass(frozen=True)
class Coverage:
    """How many of a text's words (masked names aside) its model knows."""

    words: int
    known: int

    @property
    def enough(self) -> bool:
        """Whether the model knows at least COVERAGE of them (or there are none)."""
        return not self.words or self.known >= COVERAGE * self.words


def passage_warnings(
    score: float, sentence_scores: np.ndarray, levels: Sequence[tuple[str, float]]
) -> tuple[ScopeWarning, ...]:
    """`escalatory_passages` when the text as a whole scores below the second-highest level but
    at least `MIN_PASSAGES` of its sentences reach the highest: a long text (a digest, an
    article with one escalatory section) whose score does not say what some of it says."""
    if len(levels) < 2:
        return ()
    (alert, alert_min), (top, top_min) = levels[-2], levels[-1]
    strong = int(np.count_nonzero(sentence_scores >= top_min))
    if score >= alert_min or strong < MIN_PASSAGES:
        return ()
    return (
        ScopeWarning(
            ESCALATORY_PASSAGES,
            f"{strong} sentences score '{top}' although the whole text is below '{alert}': "
            "read them (sentences) before trusting the text's score alone",
        ),
    )
