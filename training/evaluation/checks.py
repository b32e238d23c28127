"""Checks of what a score means on any news: texts written for them, scored by a model.

- `OFF_TOPIC_PROBES`: the five texts a new user tried (weather, sport, markets, a greeting, a
  Spanish threat), which must not read as escalatory (the Spanish one, in a language without a
  model, must be answered unscored).
- `evasion_check`: an escalatory sentence disguised with characters a reader cannot see or tell
  apart (zero-width spaces, soft hyphens, variation selectors, Hangul fillers for spaces,
  accents for apostrophes, minus signs for hyphens, look-alike letters (capital I look-alikes
  and lunate sigmas among them), other scripts' zeros for "o", fullwidth forms, small capitals,
  parenthesized and negative squared letters, underlined letters, capitals in Greek
  look-alikes, Latin look-alikes such as "ǀ" for "l", NFD), each of which must score within
  0.02 of the plain sentence.
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

OFF_TOPIC_PROBES: tuple[tuple[str, str], ...] = (
    ("weather", "The weather in the city was sunny on Tuesday."),
    (
        "sport",
        "The striker's attack crushed the defence as United won 3-0 to stay top of the league.",
    ),
    (
        "markets",
        "Steel makers warned of a price escalation as iron ore costs rose for a third month.",
    ),
    ("greeting", "hi there"),
    (
        "Spanish threat",
        "El ministro de Defensa amenazó con una respuesta militar si el ejército vecino cruza la "
        "frontera.",
    ),
)

EVASION_SENTENCE = (
    "The defence minister threatened a pre-emptive strike and warned that the army's troops "
    "would attack unless the enemy withdrew."
)


def _fullwidth(text: str) -> str:
    """ASCII letters and punctuation as their fullwidth forms."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _styled(text: str, prefix: str, letters: str) -> str:
    """`letters` of the text written as the styled letters Unicode names `prefix` + letter."""

    def letter(c: str) -> str:
        try:
            return unicodedata.lookup(prefix + c.upper()) if c in letters else c
        except KeyError:  # no such styled letter (no small capital X)
            return c

    return "".join(map(letter, text))


def disguises(text: str) -> dict[str, str]:
    """The text as a reader sees it but a naive tokeniser does not."""
    words = text.split(" ")
    return {
        "zero-width spaces": " ".join(w[:2] + "\u200b" + w[2:] for w in words),
        "soft hyphens": " ".join(w[:3] + "\u00ad" + w[3:] for w in words),
        "variation selectors": " ".join(w[:2] + "\ufe0f" + w[2:] for w in words),
        "Hangul fillers for spaces": "\u3164".join(words),
        "apostrophe look-alikes": text.replace("'", "\u00b4"),
        "minus signs for hyphens": text.replace("-", "\u2212"),
        "capital I look-alikes": text.upper().replace("I", "\u0406"),
        "capital I look-alikes for l": text.replace("l", "\u0406"),
        "lunate sigmas": text.replace("c", "\u03f2"),
        "zeros of other scripts for o": text.replace("o", "\u0966"),
        "Cyrillic look-alikes": text.replace("e", "\u0435").replace("o", "\u043e"),
        "fullwidth": _fullwidth(text),
        "small capitals": _styled(text, "LATIN LETTER SMALL CAPITAL ", string.ascii_lowercase),
        "parenthesized letters": _styled(
            text, "PARENTHESIZED LATIN SMALL LETTER ", string.ascii_lowercase
        ),
        "negative squared capitals": _styled(
            text.upper(), "NEGATIVE SQUARED LATIN CAPITAL LETTER ", string.ascii_uppercase
        ),
        "underlined letters": "".join(c + "\u0332" if c.isalpha() else c for c in text),
        "Greek capital look-alikes": text.upper().replace("E", "\u0395").replace("N", "\u039d"),
        "Latin look-alikes": text.replace("l", "\u01c0").replace("a", "\u0251"),
    }


@dataclass(frozen=True)
class EvasionResult:
    """The plain sentence's score, each disguise's, and an accented twin's in NFC and NFD."""

    plain: float
    disguised: dict[str, float]
    nfc: float
    nfd: float

    @property
    def max_abs_change(self) -> float:
        """The largest change any disguise (or NFD against NFC) makes."""
        return max(
            [abs(v - self.plain) for v in self.disguised.values()] + [abs(self.nfd - self.nfc)]
        )


def evasion_check(score: Callable[[Sequence[str]], Sequence[float]]) -> EvasionResult:
    """Score the evasion sentence plain and disguised, and an accented twin in NFC and NFD."""
    variants = disguises(EVASION_SENTENCE)
    accented = unicodedata.normalize("NFC", EVASION_SENTENCE.replace("defence", "d\u00e9fense"))
    texts = [EVASION_SENTENCE, *variants.values(), accented, unicodedata.normalize("NFD", accented)]
    scores = [float(s) for s in score(texts)]
    return EvasionResult(
        scores[0], dict(zip(variants, scores[1:-2], strict=True)), scores[-2], scores[-1]
    )
