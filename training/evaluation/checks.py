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
  0.02 of the plain sentence. Arabic (`language="ar"`) has a sentence and disguises of its own:
  tashkeel (and its presentation forms), tatweel and tail fragments, marks of the extended
  Arabic blocks, zero-width
  non-joiners, right-to-left marks, presentation forms, the letters Persian, Urdu and Kurdish
  keyboards type for Arabic ones, and NFD.
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


# The English sentence in Arabic: the defence minister threatened a pre-emptive strike and
# warned that the army's troops would attack all the positions unless the enemy withdrew.
ARABIC_EVASION_SENTENCE = (
    "هدد وزير الدفاع بضربة استباقية وحذر من أن قوات الجيش ستهاجم المواقع كلها ما لم ينسحب العدو."
)
# Arabic letters as Persian, Urdu and Kurdish keyboards type them (none of them has the Arabic
# yeh, alef maqsura or kaf).
KEYBOARDS: dict[str, dict[str, str]] = {
    "Persian keyboard letters": {
        "\u064a": "\u06cc",
        "\u0649": "\u06cc",
        "\u0643": "\u06a9",
        "\u0629": "\u06c0",
    },
    "Urdu keyboard letters": {
        "\u064a": "\u06cc",
        "\u0649": "\u06cc",
        "\u0643": "\u06a9",
        "\u0647": "\u06c1",
        "\u0629": "\u06c3",
    },
    "Kurdish keyboard letters": {
        "\u064a": "\u06cc",
        "\u0649": "\u06cc",
        "\u0643": "\u06a9",
        "\u0647": "\u06d5",
    },
    "heh doachashmee for heh": {"\u0647": "\u06be"},
}


def keyboard_typed(text: str, keyboard: str) -> str:
    """An Arabic text with each letter as `keyboard` (a key of `KEYBOARDS`) types it."""
    return text.translate({ord(a): b for a, b in KEYBOARDS[keyboard].items()})


def _isolated_forms(text: str) -> str:
    """Each Arabic letter written as its isolated presentation form, where Unicode has one."""

    def form(c: str) -> str:
        try:
            return unicodedata.lookup(f"{unicodedata.name(c, '')} ISOLATED FORM")
        except KeyError:
            return c

    return "".join(map(form, text))


def arabic_disguises(text: str) -> dict[str, str]:
    """The Arabic text as a reader sees it but a naive tokeniser does not."""
    words = text.split(" ")
    out = {
        "tashkeel (a fatha after each word's first letter)": " ".join(
            w[:1] + "\u064e" + w[1:] for w in words
        ),
        "tatweel": " ".join(w[:2] + "\u0640\u0640" + w[2:] for w in words),
        "tail fragments (as tatweel)": " ".join(w[:2] + "\ufe73" + w[2:] for w in words),
        "tashkeel presentation forms (medial fatha)": " ".join(
            w[:2] + "\ufe77" + w[2:] for w in words
        ),
        "marks of the extended blocks (open fathatan)": " ".join(
            w[:2] + "\u08f0" + w[2:] for w in words
        ),
        "zero-width non-joiners": " ".join(w[:2] + "\u200c" + w[2:] for w in words),
        "right-to-left marks": " ".join(w + "\u200f" for w in words),
        "presentation forms (isolated)": _isolated_forms(text),
    }
    return out | {name: keyboard_typed(text, name) for name in KEYBOARDS}


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


def evasion_check(
    score: Callable[[Sequence[str]], Sequence[float]], language: str = "en"
) -> EvasionResult:
    """Score the language's evasion sentence plain and disguised, and an accented twin in NFC and
    NFD (Arabic: the sentence itself, whose hamza letters NFD decomposes)."""
    if language == "ar":
        plain, variants = ARABIC_EVASION_SENTENCE, arabic_disguises(ARABIC_EVASION_SENTENCE)
        accented = plain
    else:
        plain, variants = EVASION_SENTENCE, disguises(EVASION_SENTENCE)
        accented = unicodedata.normalize("NFC", plain.replace("defence", "d\u00e9fense"))
    texts = [plain, *variants.values(), accented, unicodedata.normalize("NFD", accented)]
    scores = [float(s) for s in score(texts)]
    return EvasionResult(
        scores[0], dict(zip(variants, scores[1:-2], strict=True)), scores[-2], scores[-1]
    )
