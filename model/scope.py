"""Whether the model can judge a text: warnings that travel with its score.

The model reads English news rhetoric. A text in another language, or one with too few words the
model knows, is still scored, but its result says so (`ArticleScore.warnings`), so a pipeline
can route it elsewhere instead of trusting a guess. Language comes from `py3langid` (a maintained
langid.py with its model shipped in the package). Asking it costs about 3 microseconds a
character, so it is asked only when a text's words are not almost all in the model's English
vocabulary (`ENGLISH_COVERAGE`), and only about its first `LANGUAGE_SAMPLE` characters.
"""

from __future__ import annotations

from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from model.types import ScopeWarning

NOT_ENGLISH = "not_english"
LITTLE_EVIDENCE = "little_evidence"
CODES = (NOT_ENGLISH, LITTLE_EVIDENCE)

MIN_KNOWN_WORDS = 5  # fewer known words (state names aside) than this: little evidence
ENGLISH_COVERAGE = 0.9  # at least this share of words in the vocabulary: taken as English
LANGUAGE_SAMPLE = 600  # characters shown to the language identifier
LANGUAGE_CONFIDENCE = 0.5  # its probability needed to call a text not English
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
    """The warnings of a text with `words` words (state names aside), `known` of them in the
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
