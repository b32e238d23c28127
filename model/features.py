"""The feature specification: every rule that turns a text into model features, in one place.

`model.text` (cleaning, tokens, word forms, sentences), `model.names` (masked names) and the C
kernel apply these rules; nothing else restates them. Cleaning, tokens and sentences are the
same in every language; word forms and masked names are a language's (`language_rules`).
Training stores each language model's `spec(language)` and its digest in the artifact's manifest
(`manifest_entry`), and loading refuses a model trained under other rules (`check`): a model must
see the features it was trained on, so a change here, in `model/actors.py`, in the localized
names (`model.localnames`: babel's CLDR data, pycountry's translations) or in the look-alike
table shipped by `confusable-homoglyphs` means retraining.
`SPEC_VERSION` covers what data cannot: bump it whenever the code that applies these rules
changes what features a text gets.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from functools import cache
from importlib import metadata
from typing import Any, Final

from confusable_homoglyphs import categories, confusables
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from model import localnames
from model.actors import ACTOR_NAMES as ACTOR_NAMES  # re-exported: part of the specification
from model.actors import CAPITALS_ONLY as CAPITALS_ONLY

# Names of days and months carry no rhetoric, yet the corpora taught them weights ("tuesday" read
# +0.95 from machine-written event stories): masked like state names. "march" and "may" are
# words too (a protest march, "may strike"), so they stay features.
CALENDAR_NAMES: frozenset[str] = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february april june "
    "july august september october november december".split()
)

# Event features (English: the CAMEO dictionary is English; `model.eventfeatures`). A match gives
# the `kinds` its model was trained with; a match inside a scope (`SCOPE_RULES`) gives the
# scope's kind and its CAMEO quad class (root codes 01-05 verbal cooperation .. 14-20 material
# conflict); the Goldstein band of a score is how many of `goldstein_bands` it reaches.
EVENT_RULES: Final[dict[str, Any]] = {
    "kinds": ["root", "code", "goldstein"],
    "quad_classes": [
        [1, 5, "verbal-cooperation"],
        [6, 8, "material-cooperation"],
        [9, 13, "verbal-conflict"],
        [14, 20, "material-conflict"],
    ],
    "goldstein_bands": [-7.0, -4.0, -1.0, 1.0, 4.0],
    # With `scoped="cameo"`, a match inside a scope reads as what CAMEO codes it: a refused
    # cooperation is a rejection (120), a demanded event a demand (100), a negated event or a
    # refused conflict no event. With `scoped="quad"`, its features are the scope's kind and
    # its quad class, learned as they come.
    "scoped_modes": ["quad", "cameo"],
    "scoped_cameo": {
        "negated": {"cooperation": None, "conflict": None},
        "refused": {"cooperation": "120", "conflict": None},
        "demanded": {"cooperation": "100", "conflict": "100"},
    },
}
# Function words and bare numbers (English): a model trained with `function_words="ngrams"` or
# `"content"` gives them no feature of their own (no word unigram, no character n-grams): they
# count only inside word n-grams ("no shots", "2 billion"), so a listed phrase is never "were" or
# "60"; with "content" no n-gram or pattern match made only of them is a feature ("it would").
# scikit-learn's English stop-word list, less three words in it that report events or stances
# (measured: docs/decisions.md, "Event patterns, scopes and function words (English)").
FUNCTION_WORD_EXCEPTIONS: Final = frozenset({"fire", "against", "serious"})
FUNCTION_WORDS: Final = frozenset(ENGLISH_STOP_WORDS) - FUNCTION_WORD_EXCEPTIONS

# The languages these rules cover. Cleaning, tokens and sentences are shared; each language has
# its own word forms and masked names (`language_rules`), and a model is trained for one language.
LANGUAGES: Final = ("en", "ar", "es")
# The letters Persian, Urdu and Kurdish keyboards type for an Arabic letter, drawn like it inside a
# word, read as that letter (CAMeL Tools' `arclean` maps them so too): Farsi yeh as yeh, keheh as
# kaf, heh doachashmee, heh goal (with or without hamza), ae and heh with yeh above as heh, teh
# marbuta goal as teh marbuta (heh, as below). Not Persian پ چ ژ گ or Urdu ٹ ڈ ڑ ں ے: other
# letters.
ARABIC_KEYBOARD_LETTERS: Final = {
    "\u06cc": "\u064a",
    "\u06a9": "\u0643",
    "\u06be": "\u0647",
    "\u06c1": "\u0647",
    "\u06c2": "\u0647",
    "\u06d5": "\u0647",
    "\u06c0": "\u0647",
    "\u06c3": "\u0647",
}
# Arabic word forms: the alef variants (hamza above, below, madda, wasla) read as bare alef,
# alef maqsura as yeh, teh marbuta as heh, since writers use them interchangeably (measured:
# docs/decisions.md, "Arabic letter folds"), and the keyboard letters above.
ARABIC_LETTER_FOLDS: Final = {
    "\u0623": "\u0627",
    "\u0625": "\u0627",
    "\u0622": "\u0627",
    "\u0671": "\u0627",
    "\u0649": "\u064a",
    "\u0629": "\u0647",
    **ARABIC_KEYBOARD_LETTERS,
}

SPEC_VERSION = 13

# Reader-visible text: Unicode compatibility normalisation (fullwidth, ligatures, mathematical
# letters read as plain letters), applied per character with its combining marks, and format
# characters (category Cf: zero-width spaces and joiners, soft hyphens, bidi controls) removed.
# The combining marks NFKC leaves on a Latin letter are dropped: an underline, a stroke or a
# circle drawn over every letter ("t\u0332h\u0332e\u0332") decorates the word a reader reads,
# while an accent NFKC composes with its letter ("e\u0301" is "\u00e9") is part of the letter.
# So are those it leaves on a character of the Arabic blocks (`ARABIC_CHARACTER`): the tashkeel
# of the extended blocks and Quranic marks (U+08D3-U+08FF), a Latin accent or a hamza NFKC
# composes with no letter there, none of which a word of news needs (tashkeel is removed below);
# a hamza or madda NFKC composes with its letter is part of it.
UNICODE_FORM: Final = "NFKC"
MARKS_ON_LATIN_LETTERS: Final = "dropped after NFKC"
MARKS_ON_ARABIC_CHARACTERS: Final = "dropped after NFKC"
REMOVED_CATEGORIES = ("Cf",)
# Removed too, in every language: Unicode's other default-ignorable code points (the
# Default_Ignorable_Code_Point property of DerivedCoreProperties.txt beyond category Cf, but the
# Hangul fillers, read as spaces: `BLANKS`): the combining grapheme joiner, Khmer inherent
# vowels, Mongolian free variation
# selectors, variation selectors, and the unassigned ones Unicode reserves as invisible), which
# no reader sees, so that none splits or disguises a word; the format characters Unicode 15
# added (Egyptian hieroglyph format controls), unassigned in the Unicode of the Python the
# rules run on (`unicode_version`), so category Cf does not name them;
# Arabic short vowels and other diacritics (tashkeel: most texts leave them out, so a word reads
# the same with or without them), with their presentation forms (U+FE70-U+FE7F but the tail
# fragment, U+FC5E-U+FC63, U+FCF2-U+FCF4: NFKC would make them a space or a tatweel and the mark),
# and the tatweel and tail fragment (U+FE73, which NFKC leaves as it is) that stretch a word for
# layout. Madda and hamza above/below (U+0653-U+0655) stay: NFKC composes them with their letter
# (alef + hamza above is the letter hamza-on-alef).
REMOVED_CHARACTERS: Final = (
    (0x034F, 0x034F),
    (0x17B4, 0x17B5),
    (0x180B, 0x180D),
    (0x180F, 0x180F),
    (0x2065, 0x2065),
    (0xFE00, 0xFE0F),
    (0xFFF0, 0xFFF8),
    (0xE0000, 0xE0FFF),
    (0x13439, 0x1343F),
    (0x0610, 0x061A),
    (0x0640, 0x0640),
    (0xFE70, 0xFE7F),
    (0xFC5E, 0xFC63),
    (0xFCF2, 0xFCF4),
    (0x064B, 0x0652),
    (0x0656, 0x065F),
    (0x0670, 0x0670),
    (0x06D6, 0x06DC),
    (0x06DF, 0x06E4),
    (0x06E7, 0x06E8),
    (0x06EA, 0x06ED),
)


# Read as another character before every other rule, one for one (offsets stay):
# - the look-alikes of the ASCII punctuation the text rules name (`read_as_targets`: in the word
#   joiners, sentence ends and scope boundaries), as that character: the characters Unicode lists
#   as confusable with it (`LOOKALIKE_SOURCE`), but digits and marks, letters of a script of
#   their own (the Hebrew yod, the N'Ko tone apostrophes, the Lisu tone letters), characters of
#   a script the product reads (`READ_SCRIPTS`, the scripts of `LANGUAGES`, and Arabic's
#   presentation forms: the Arabic full stop and ornate parentheses stay themselves), and those
#   NFKC already reads as a character the rules name. So "army`s", "army\u02bcs", "army\u2032s"
#   and "army\u00b4s" read "army's" (the acute accent before NFKC, which reads it as a space and
#   a mark), "cross\u2212border" reads "cross-border", and a ratio sign "\u2236" ends a negation's
#   scope as a colon does. The typographic characters the rules name themselves (the right
#   single quotation mark, Unicode hyphens, dashes, curly double quotes) stay as they are.
# - the look-alike letters that NFKC would turn into a letter with no Latin twin (the lunate
#   sigma symbols "\u03f2" "\u03f9": a final and a capital sigma), as a look-alike of the same
#   Latin letter and case that NFKC keeps (the Cyrillic "\u0441" "\u0421"), so the look-alike
#   rule reads them where it reads the others: "a\u03f2\u03f2usations" reads "accusations", a
#   Greek word stays Greek.
# - the blanks that are not spaces, as a space: the Hangul fillers, default-ignorable yet drawn
#   as a blank by text renderers (HarfBuzz, as Uniscribe did, does not hide them as it hides
#   the others), and the braille blank.
LOOKALIKE_SOURCE = "confusable-homoglyphs"  # the confusables data of every look-alike table
READ_SCRIPTS: Final = ("LATIN", "ARABIC")
ARABIC_PRESENTATION_FORMS: Final = ((0xFB50, 0xFDFF), (0xFE70, 0xFEFF))
BLANKS: Final = ("\u115f", "\u1160", "\u2800", "\u3164", "\uffa0")


def _rule_characters() -> str:
    """The characters the text rules name: word joiners, sentence ends and closers, scope
    boundaries, word folds."""
    return (
        WORD_JOINERS
        + KERNEL_RULES["sentence_end_marks"]
        + KERNEL_RULES["sentence_closers"]
        + "".join(SCOPE_RULES["boundary_characters"])
        + "".join(WORD_FOLDS)
    )


def read_as_targets() -> str:
    """The ASCII punctuation the text rules name, whose look-alikes `read_as` reads as it."""
    return "".join(sorted({c for c in _rule_characters() if c.isascii()}))


def _reads_its_own(char: str) -> bool:
    """Whether a character belongs to a script the product reads (or Arabic's presentation
    forms), a digit or a mark, or is a letter of a script of its own: never read as another."""
    kind, script = unicodedata.category(char)[0], categories.alias(char)
    if kind in "MN" or script in READ_SCRIPTS or (script != "COMMON" and kind == "L"):
        return True
    return any(lo <= ord(char) <= hi for lo, hi in ARABIC_PRESENTATION_FORMS)


@cache
def read_as() -> dict[str, str]:
    """The characters read as another before every other cleaning rule, each to what it reads
    as: punctuation look-alikes to the punctuation, the look-alike letters NFKC would hide from
    `lookalikes` to one it keeps, blanks to " "."""
    named = set(_rule_characters())
    table = dict.fromkeys(BLANKS, " ")
    for target in read_as_targets():
        for entry in confusables.confusables_data.get(target, []):
            char = entry["c"].strip("\u200e")  # right-to-left ones are listed between marks
            if len(char) != 1 or char in named or char in table or _reads_its_own(char):
                continue
            if unicodedata.normalize(UNICODE_FORM, char) not in named:
                table[char] = target
    letters = lookalikes()
    kept = {
        (latin, char.isupper()): char
        for char, latin in sorted(letters.items(), reverse=True)
        if char.isalpha() and unicodedata.normalize(UNICODE_FORM, char) == char
    }
    for char, latin in letters.items():
        read = unicodedata.normalize(UNICODE_FORM, char)  # not itself: a look-alike is no ASCII
        if len(read) == 1 and not read.isascii() and read.isalpha() and read not in letters:
            table[char] = kept[latin, char.isupper()]
    return dict(sorted(table.items()))


# Latin letters drawn in a style NFKC leaves alone read as the plain letter, before NFKC (which
# turns a parenthesized letter into three characters and a raised small capital into a small
# capital): small capitals, raised or not ("\u1d00\u0280\u1d0d\u028f", "army" in the "fancy
# text" of social media), as small letters; parenthesized letters, and negative circled and
# squared capitals, in their case (NFKC already reads circled, squared and mathematical letters
# as plain ones). Unicode's own character names say which letter each one is: a family's prefix,
# then one letter A-Z. Not regional indicators: two of them in a row are a flag, not two letters.
STYLED_LETTER_NAMES: Final = (
    ("LATIN LETTER SMALL CAPITAL ", "lower"),
    ("MODIFIER LETTER SMALL CAPITAL ", "lower"),
    ("PARENTHESIZED LATIN SMALL LETTER ", "lower"),
    ("PARENTHESIZED LATIN CAPITAL LETTER ", "upper"),
    ("NEGATIVE CIRCLED LATIN CAPITAL LETTER ", "upper"),
    ("NEGATIVE SQUARED LATIN CAPITAL LETTER ", "upper"),
)


@cache
def styled_letters() -> dict[str, str]:
    """Each styled Latin letter (`STYLED_LETTER_NAMES`) of this Python's Unicode database, mapped
    to its plain letter."""
    table: dict[str, str] = {}
    for prefix, case in STYLED_LETTER_NAMES:
        for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
            try:
                styled = unicodedata.lookup(prefix + letter)
            except KeyError:  # no such character (no small capital X)
                continue
            table[styled] = letter.lower() if case == "lower" else letter
    return table


def removed_characters_class() -> str:
    """`REMOVED_CHARACTERS` as the body of a regular-expression character class."""
    return "".join(
        f"\\U{lo:08x}-\\U{hi:08x}" if hi > lo else f"\\U{lo:08x}" for lo, hi in REMOVED_CHARACTERS
    )


# At most this many non-starters (combining class other than 0) in a row after a character; the
# rest of the run is dropped before normalising. The stream-safe limit of Unicode Standard Annex
# 15: no text needs more, and NFKC's canonical reordering costs quadratic time in a run's length.
MAX_NON_STARTERS = 30
# Latin letters. A text with more of them than of letters of other scripts is written in Latin
# letters, and a word made only of look-alikes (`lookalikes`) reads as its Latin twin.
LATIN_LETTER = r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]"
# The characters of the Arabic blocks (Arabic, its Supplement, Extended-A and -B, presentation
# forms, mathematical letters): the combining marks NFKC leaves on one are dropped.
ARABIC_CHARACTER = (
    r"[\u0600-\u06ff\u0750-\u077f\u0870-\u08ff\ufb50-\ufdff\ufe70-\ufeff\U0001ee00-\U0001eeff]"
)

# The character classes the C kernel applies too: `setup.py` writes them into the kernel's
# generated header (`model/_rules.h`), and the kernel reports what it was built with
# (`model.kernel` refuses a kernel built from other rules). A literal: the build reads it without
# importing this module.
KERNEL_RULES: Final = {
    # A word: letters/digits joined by inner hyphens or apostrophes ("pre-emptive", "Kyiv's").
    "word_joiners": "-\u2010\u2011'\u2019",
    # A sentence ends after end marks (then closing quotes or brackets) before whitespace, or at
    # a line break.
    "sentence_end_marks": ".!?\u061f",  # with the Arabic question mark
    "sentence_closers": "\"'\u201d\u2019)]",
    "sentence_break": "\n",
    # A word's character n-grams are taken with this character before and after it.
    "char_ngram_pad": " ",
}
WORD_JOINERS = KERNEL_RULES["word_joiners"]
TOKEN_PATTERN = r"\w+(?:[" + re.escape(WORD_JOINERS) + r"]\w+)*"
CHAR_NGRAM_PAD = KERNEL_RULES["char_ngram_pad"]
# Word forms: curly apostrophes and Unicode hyphens read as their ASCII forms, then lowercase.
WORD_FOLDS = {"\u2019": "'", "\u2010": "-", "\u2011": "-"}
# A state's name may end in a possessive ("Russia's"), and a hyphenated word may hold one
# ("US-led", "pro-Russian": split at these hyphens).
POSSESSIVE_SUFFIXES = ("'s", "\u2019s")
NAME_HYPHENS = "-\u2010\u2011"
# Characters read with the one before them (cleaning normalises each character with these):
# marks (category M, or a combining class other than 0) and these Hangul vowel and final
# consonant jamo ranges, which NFKC composes with the syllable's start.
JOINING_RANGES = ((0x1160, 0x11FF), (0xD7B0, 0xD7FF))

# Sentence ends: end marks (plus closing quotes/brackets) followed by whitespace, or a line
# break. Abbreviations such as "U.S." or "Gen." are not ends.
SENTENCE_END_PATTERN = (
    f"[{re.escape(KERNEL_RULES['sentence_end_marks'])}]+"
    f"[{re.escape(KERNEL_RULES['sentence_closers'])}]*(?=\\s)"
    f"|{re.escape(KERNEL_RULES['sentence_break'])}"
)
# Counting sentences for the article map (`model.article`): a line break between two lines of text
# reads as a space there, so a hard-wrapped paragraph counts as the sentences it holds; a blank line
# still ends one. (Per-sentence scores keep splitting at every line break.)
LINE_WRAP_PATTERN = r"(?<=\S)[^\S\n]*\n[^\S\n]*(?=\S)"
ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof gen lt col maj capt sgt adm gov sen rep st jr sr vs etc inc ltd co "
    "corp dept jan feb mar apr jun jul aug sep sept oct nov dec".split()
)

# Scopes of negation, refusal and demands (English; `model.clauses` finds them): the words of an
# event that did not happen ("no shots were fired"), was refused ("refused to withdraw") or is
# demanded ("unless all sanctions were lifted"). Written-out forms, no stemming. A scope is the
# tokens after a cue, up to a boundary or the kind's `max_scope` tokens:
# - `cues`: one-word cues; `cue_suffixes`: a token ending so is a cue ("didn't", "won't");
#   `phrase_cues`: multi-word cues (words separated by a space). "decline" and "fail" are cues
#   only before "to" ("exports declined 5%", "a failed coup" are not refusals). "demand" only
#   before "that" ("demanded an immediate withdrawal" names the event it demands). "as long as" is
#   no cue ("for as long as it takes", "as long as two years"); "so long as" is.
# - `cue_followers`: a token right after a cue that belongs to it ("refused to | withdraw",
#   "denied that | its jets struck", "agreed not to | retaliate").
# - `not_cues`: phrases holding a cue that are no negation, demand or refusal: plain words.
# - `boundary_words` end every scope: conjunctions and relatives that start another clause, and
#   "and" (it mostly joins another clause or predicate: "refused to negotiate | and vowed to fight
#   on"; a demand joined by it, "unless sanctions were lifted and troops withdrew", loses its
#   second half). Not "that": the clause after "denied that", "no sign that" is the cue's. Not
#   "or" in negations and refusals ("did not threaten or attack" negates both), but in demands
#   (`kind_boundaries`): "until Friday to lay down their weapons | or face a full assault" (the
#   alternative is the threat, not the demand).
# - `boundary_characters`: any of them in the text between two tokens ends a scope. Not "."
#   ("U.S." inside a sentence) nor "'" (the possessive "the rebels' weapons").
# A cue also ends the scope it stands in (`model.clauses` gives the precedence).
SCOPE_RULES: Final[dict[str, Any]] = {
    "kinds": ["negated", "refused", "demanded"],
    "cues": {
        "negated": "no not never without nor neither none nobody no-one nothing cannot".split(),
        "refused": (
            "refuse refuses refused refusing refusal reject rejects rejected rejecting "
            "deny denies denied denying"
        ).split(),
        "demanded": ["unless", "until"],
    },
    "cue_suffixes": {"negated": ["n't"], "refused": [], "demanded": []},
    "phrase_cues": {
        "negated": ["no longer", "no one"],
        "refused": [
            "decline to",
            "declines to",
            "declined to",
            "declining to",
            "fail to",
            "fails to",
            "failed to",
            "failing to",
            "failure to",
        ],
        "demanded": [
            "unless and until",
            "demand that",
            "demands that",
            "demanded that",
            "demanding that",
            "on condition that",
            "on the condition that",
            "provided that",
            "providing that",
            "so long as",
        ],
    },
    "cue_followers": {"negated": ["to"], "refused": ["to", "that"], "demanded": []},
    "not_cues": [
        "not only",
        "not just",
        "not merely",
        "not least",
        "not to mention",
        "no doubt",
        "no matter",
        "no less",
        "no fewer",
        "no more than",
        "nothing but",
        "none other",
        "whether or not",
        "until now",
        "until recently",
        "until then",
        "until further notice",
    ],
    "boundary_words": (
        "and but while whereas although though because since if whether when where which who "
        "whom whose after before"
    ).split(),
    "kind_boundaries": {"negated": [], "refused": [], "demanded": ["or", "otherwise"]},
    # , ; : ( ) [ ] { } ! ? " “ ” « » — – - … (a hyphen between tokens is a dash: " - ")
    "boundary_characters": list(',;:()[]{}!?"\u201c\u201d\u00ab\u00bb\u2014\u2013-\u2026'),
    "max_scope": {"negated": 6, "refused": 6, "demanded": 12},
}


@cache
def lookalikes() -> dict[str, str]:
    """Letters that look like a basic Latin letter, mapped to it (from the Unicode confusables
    data shipped by `confusable-homoglyphs`): of other scripts (a Cyrillic "а"), and Latin ones
    that are no basic letter with an accent ("ǀ" dental click for "l", "ɑ" alpha, dotless "ı");
    and the digits of other scripts that look like one (the Devanagari and Myanmar zeros "०"
    "၀" for "o", the extended Arabic-Indic one "۱" for "l").
    `model.text.normalise` folds them in words that also hold a basic Latin letter: "аttack"
    with a Cyrillic "а" reads "attack"; `model.text.fold_lookalike_words`, words made only of
    them in a text of Latin letters. A run of digits that holds a digit with no Latin twin
    (an ASCII one among them) is a number and stays ("F-۱۶"), as does a word with no
    letter at all."""
    table: dict[str, str] = {}
    for char in sorted(confusables.confusables_data):
        if len(char) != 1 or char.isascii() or not (char.isalpha() or char.isdecimal()):
            continue
        if categories.alias(char) == "COMMON":
            continue
        latin = sorted(
            h["c"].lower()
            for h in confusables.confusables_data[char]
            if len(h["c"]) == 1 and h["c"].isascii() and h["c"].isalpha()
        )
        if latin:
            table[char] = latin[0]
    return table


@cache
def capital_i_lookalikes() -> frozenset[str]:
    """The capitals `lookalikes` reads as "l": Unicode's table pairs the capital I's look-alikes
    (Cyrillic "\u0406", Greek "\u0399") with the small "l", the same stroke in most fonts (a
    capital that looks like an L is paired with "L"). `model.text` reads one as "I" where a
    capital stands: first in its word, or in a word without small letters ("K\u0406LLED")."""
    return frozenset(c for c in _strokes() if c.isupper())


@cache
def caseless_i_lookalikes() -> frozenset[str]:
    """The characters without case that `lookalikes` reads as "l" and Unicode's table pairs with
    the small "l" (the dental click "\u01c0", the extended Arabic-Indic one "\u06f1", the Runic
    isaz): `model.text` reads one as "I" in a word without small letters ("K\u06f1LLED")."""
    return frozenset(c for c in _strokes() if not c.isupper() and not c.islower())


def _strokes() -> list[str]:
    """The look-alikes of "l" that Unicode's table pairs with the small "l" itself."""
    return [
        char
        for char, latin in lookalikes().items()
        if latin == "l" and any(h["c"] == "l" for h in confusables.confusables_data[char])
    ]


def _table_digest(table: dict[str, str]) -> str:
    """SHA-256 of a mapping, canonical JSON."""
    return hashlib.sha256(json.dumps(table, sort_keys=True).encode("utf-8")).hexdigest()


@cache
def language_rules(language: str) -> dict[str, Any]:
    """One language's word rules: `word_folds` (character folds of its word forms, applied
    before lowercasing), the `names` masked as state actors (lowercase word forms, words
    separated by a space), those masked only when written in capitals, and calendar names
    (masked too). English names are `model.actors`; Arabic and Spanish ones are CLDR's
    (`model.localnames`), with their folds applied."""
    if language == "en":
        return {
            "word_folds": dict(WORD_FOLDS),
            "names": ACTOR_NAMES | CALENDAR_NAMES,
            "capitals_only": CAPITALS_ONLY,
            "calendar": CALENDAR_NAMES,
        }
    if language not in LANGUAGES:
        raise ValueError(f"no text rules for language {language!r} (known: {', '.join(LANGUAGES)})")
    folds = {**WORD_FOLDS, **(ARABIC_LETTER_FOLDS if language == "ar" else {})}
    table = str.maketrans(folds)

    def form(word: str) -> str:
        return word.translate(table).lower()

    calendar = frozenset(map(form, localnames.calendar_names(language)))
    return {
        "word_folds": folds,
        "names": localnames.state_names(language, fold=form) | calendar,
        "capitals_only": frozenset[str](),
        "calendar": calendar,
    }


@cache
def spec(language: str = "en") -> dict[str, Any]:
    """The rules of one language as JSON-ready data: what the manifest stores and `check`
    compares."""
    table, styled = lookalikes(), styled_letters()
    words = language_rules(language)
    if language == "en":
        named: dict[str, Any] = {
            "actors": {"names": sorted(ACTOR_NAMES), "capitals_only": sorted(CAPITALS_ONLY)},
            "calendar": sorted(CALENDAR_NAMES),
            # What a model trained with events, scopes or `function_words` other than "features"
            # applies (its manifest's n-gram settings say which it was; the patterns travel in it).
            "events": EVENT_RULES,
            "scopes": SCOPE_RULES,
            "function_words": sorted(FUNCTION_WORDS),
            "bare_numbers": "every character a decimal digit (str.isdecimal)",
        }
    else:
        names = sorted(words["names"] - words["calendar"])
        named = {
            "actors": {
                "source": f"CLDR territory names (babel {metadata.version('babel')}) and ISO "
                f"3166-1 translations (pycountry {metadata.version('pycountry')})",
                "names": len(names),
                "sha256": _table_digest(dict.fromkeys(names, "")),
            },
            "calendar": sorted(words["calendar"]),
        }
    return {
        "version": SPEC_VERSION,
        "language": language,
        "unicode_form": UNICODE_FORM,
        "unicode_version": unicodedata.unidata_version,
        "removed_categories": list(REMOVED_CATEGORIES),
        "removed_characters": [list(r) for r in REMOVED_CHARACTERS],
        "max_non_starters": MAX_NON_STARTERS,
        "marks_on_latin_letters": MARKS_ON_LATIN_LETTERS,
        "marks_on_arabic_characters": MARKS_ON_ARABIC_CHARACTERS,
        "arabic_characters": ARABIC_CHARACTER,
        "token_pattern": TOKEN_PATTERN,
        "kernel": KERNEL_RULES,
        "joining_ranges": [list(r) for r in JOINING_RANGES],
        "possessive_suffixes": list(POSSESSIVE_SUFFIXES),
        "name_hyphens": NAME_HYPHENS,
        "word_folds": words["word_folds"],
        "lowercase": True,
        "read_as": {
            "source": f"{LOOKALIKE_SOURCE} {metadata.version(LOOKALIKE_SOURCE)}",
            "characters": {f"U+{ord(c):04X}": r for c, r in read_as().items()},
        },
        "caseless_i_lookalikes": {
            "characters": sorted(f"U+{ord(c):04X}" for c in caseless_i_lookalikes()),
            "read_as_i": "in a word without small letters",
        },
        "capital_i_lookalikes": {
            "characters": sorted(f"U+{ord(c):04X}" for c in capital_i_lookalikes()),
            "read_as_i": "first in a word, or in a word without small letters",
        },
        "styled_letters": {
            "names": [list(family) for family in STYLED_LETTER_NAMES],
            "letters": len(styled),
            "sha256": _table_digest(styled),
        },
        "lookalikes": {
            "source": f"{LOOKALIKE_SOURCE} {metadata.version(LOOKALIKE_SOURCE)}",
            "letters": sum(c.isalpha() for c in table),
            "digits": sum(c.isdecimal() for c in table),
            "sha256": _table_digest(table),
            "scripts": "all but Common, Latin included",
            "whole_words_in_text_of": LATIN_LETTER,
            "in_words_with_a_basic_latin_letter": "before lowercasing",
            "kept": "a run of digits holding one with no Latin twin; a word without a letter",
        },
        "sentence_end_pattern": SENTENCE_END_PATTERN,
        "article_line_wrap_pattern": LINE_WRAP_PATTERN,
        "abbreviations": sorted(ABBREVIATIONS),
        **named,
    }


def digest(rules: dict[str, Any] | None = None, language: str = "en") -> str:
    """SHA-256 of a specification (this code's for `language` when none is given), canonical
    JSON."""
    text = json.dumps(spec(language) if rules is None else rules, sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def manifest_entry(ngrams: dict[str, Any], language: str = "en") -> dict[str, Any]:
    """A language model's manifest `features`: the rules, their digest and its n-gram
    settings."""
    return {"spec": spec(language), "sha256": digest(language=language), "ngrams": ngrams}


class FeatureSpecError(ValueError):
    """An artifact was trained under feature rules this code does not apply."""


def check(manifest: dict[str, Any], language: str = "en") -> None:
    """Refuse a language model's manifest whose feature rules differ from this code's
    (`FeatureSpecError`)."""
    entry = manifest.get("features")
    if not isinstance(entry, dict) or not isinstance(entry.get("spec"), dict):
        raise FeatureSpecError(
            "the model carries no feature specification (trained by an older version): "
            "retrain it with escalation-train"
        )
    stored = entry["spec"]
    if digest(stored) != entry.get("sha256"):
        raise FeatureSpecError("the model's feature specification does not match its digest")
    if language not in LANGUAGES:
        raise FeatureSpecError(f"this code has no text rules for language {language!r}")
    if entry["sha256"] != digest(language=language):
        current = spec(language)
        changed = sorted(
            k for k in stored.keys() | current.keys() if stored.get(k) != current.get(k)
        )
        raise FeatureSpecError(
            f"the {language} model was trained under feature rules {entry['sha256'][:12]} "
            f"(version {stored.get('version')}), this code applies "
            f"{digest(language=language)[:12]} (version {SPEC_VERSION}); they differ in "
            f"{', '.join(changed)}: retrain the model"
        )
