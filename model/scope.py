"""Whether the model can judge a text: warnings that travel with its score.

The model reads English news rhetoric. A text in another language, or one with too few words the
model knows, is still scored, but its result says so (`ArticleScore.warnings`), so a pipeline
can route it elsewhere instead of trusting a guess. Language comes from `py3langid` (a maintained
langid.py with its model shipped in the package). Asking it costs about 3 microseconds a
character, so it is asked only when a text's words are not almost all in the model's English
vocabulary (`ENGLISH_COVERAGE`), and only about its first `LANGUAGE_SAMPLE` characters. A long
text whose whole scores low while several of its sentences score at the top carries
`escalatory_passages`: its score is right about the whole, the warning says what it hides.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from model.types import ScopeWarning

NOT_ENGLISH = "not_english"
LITTLE_EVIDENCE = "little_evidence"
ESCALATORY_PASSAGES = "escalatory_passages"
CODES = (NOT_ENGLISH, LITTLE_EVIDENCE, ESCALATORY_PASSAGES)

MIN_KNOWN_WORDS = 5  # fewer known words (masked names aside) than this: little evidence
ENGLISH_COVERAGE = 0.9  # at least this share of words in the vocabulary: taken as English
LANGUAGE_SAMPLE = 600  # characters shown to the language identifier
LANGUAGE_CONFIDENCE = 0.5  # its probability needed to call a text not English
# A text below the second-highest level (`high`) with at least this many sentences at the highest
# (`severe`) carries escalatory passages its whole does not: 3 flags 0.6% of the annotated
# not-escalatory Wikinews articles and 0.8% of the economy ones (docs/report, "Whole articles").
MIN_PASSAGES = 3
# Read as English: py3langid's Nigerian Pidgin is what it says of some short English news items.
ENGLISH = frozenset({"en", "pcm"})


@cache
def _identifier() -> LanguageIdentifier:
    """The language identifier (about 5 s to load: once per process)."""
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def prepare() -> None:
    """Load the language identifier now (a server's master, before it forks workers)."""
    _identifier()


def language(text: str) -> tuple[str, float]:
    """The most likely language (ISO 639-1) of the text's start and its probability."""
    code, probability = _identifier().classify(text[:LANGUAGE_SAMPLE])
    return str(code), float(probability)


def warnings_for(text: str, words: int, known: int) -> tuple[ScopeWarning, ...]:
    """The warnings of a text with `words` words (masked names aside), `known` of them in the
    model's vocabulary."""
    out: list[ScopeWarning] = []
    if words and known < ENGLISH_COVERAGE * words:
        code, probability = language(text)
        if code not in ENGLISH and probability >= LANGUAGE_CONFIDENCE:
            out.append(
                ScopeWarning(
                    NOT_ENGLISH,
                    f"the text reads as language '{code}' (p={probability:.2f}); "
                    "the model reads English only",
                )
            )
    if known < MIN_KNOWN_WORDS:
        out.append(
            ScopeWarning(
                LITTLE_EVIDENCE,
                f"{known} of its words are known to the model (fewer than {MIN_KNOWN_WORDS}): "
                "too little evidence to score reliably",
            )
        )
    return tuple(out)


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
