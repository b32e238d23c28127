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
  Arabic blocks, zero-width non-joiners, right-to-left marks, presentation forms, the letters
  Persian, Urdu and Kurdish keyboards type for Arabic ones, and NFD.
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


def _inside_words(text: str, inserted: str, at: int = 2) -> str:
    """`inserted` after the first `at` characters of each word (words split at spaces)."""
    return " ".join(w[:at] + inserted + w[at:] for w in text.split(" "))


def disguises(text: str) -> dict[str, str]:
    """The text as a reader sees it but a naive tokeniser does not."""
    return {
        "zero-width spaces": _inside_words(text, "\u200b"),
        "soft hyphens": _inside_words(text, "\u00ad", at=3),
        "variation selectors": _inside_words(text, "\ufe0f"),
        "Hangul fillers for spaces": text.replace(" ", "\u3164"),
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
# Arabic letters as Persian, Urdu and Kurdish keyboards type them: none of them has the Arabic
# yeh, alef maqsura or kaf (Farsi yeh and keheh for them); each its own heh or teh marbuta.
_NO_ARABIC_YEH_OR_KAF = {"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9"}
KEYBOARDS: dict[str, dict[str, str]] = {
    "Persian keyboard letters": _NO_ARABIC_YEH_OR_KAF | {"\u0629": "\u06c0"},
    "Urdu keyboard letters": _NO_ARABIC_YEH_OR_KAF | {"\u0647": "\u06c1", "\u0629": "\u06c3"},
    "Kurdish keyboard letters": _NO_ARABIC_YEH_OR_KAF | {"\u0647": "\u06d5"},
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
    out = {
        "tashkeel (a fatha after each word's first letter)": _inside_words(text, "\u064e", at=1),
        "tatweel": _inside_words(text, "\u0640\u0640"),
        "tail fragments (as tatweel)": _inside_words(text, "\ufe73"),
        "tashkeel presentation forms (medial fatha)": _inside_words(text, "\ufe77"),
        "marks of the extended blocks (open fathatan)": _inside_words(text, "\u08f0"),
        "zero-width non-joiners": _inside_words(text, "\u200c"),
        "right-to-left marks": text.replace(" ", "\u200f ") + "\u200f",
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
