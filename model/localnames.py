"""State and calendar names of the Arabic and Spanish models, from maintained localized data.

English names are typed by hand (`model.actors`); Arabic and Spanish ones come from CLDR through
`babel` (territory names of the base locale and of every regional locale of the language:
es_419 adds "Costa de Marfil", "Rumania", "Arabia Saudita", "Timor Oriental"...) and from the
ISO 3166-1 translations that `pycountry` ships (name, official and common names: "Federación
Rusa", "Birmania", "Estado de Palestina", "السعودية", "الاتحاد الروسي", "دولة فلسطين"...).
babel keeps only CLDR's default name of a territory: its "-alt-short" and "-alt-variant" forms
("EE. UU.", "فلسطين") are not in its data.

Which territories: `STATES`, the ISO 3166-1 codes of the states the English list masks (the UN
members, Palestine, Kosovo, Taiwan) and the Holy See (a sovereign state, which the English list
lacks). Western Sahara is left out, as in English: "الصحراء الغربية" is also Egypt's Western
Desert.

How a source name becomes names: an inverted ISO form "A, B de" gives "A" and "B de A"
("Corea, República de"), and "A، B" gives "A" and B when B holds A ("كوريا، جمهورية كوريا");
"A (B)" gives A and B ("Myanmar (Birmania)"); "A - B" gives A, B and "A B" ("الكونغو -
كينشاسا"); Arabic "دولة X" (state of X) gives X too. Then, as `model.text` reads a text: NFKC,
Arabic diacritics and tatweel removed, apostrophe and hyphen variants folded, lowercase, words
as `model.features.TOKEN_PATTERN` splits them, joined by single spaces.

Spanish: every name also without accents ("perú" and "peru"), once keeping "ñ" and once
without it ("españa", "espana"). A leading article stays ("el salvador": "salvador" is a word).

Arabic: a name's FIRST word also takes the attached proclitics a news text writes on it: a
conjunction (و، ف) and/or a preposition (ب، ل، ك), in that order, so 12 forms per name:
روسيا وروسيا فروسيا بروسيا لروسيا كروسيا وبروسيا ولروسيا وكروسيا فبروسيا فلروسيا فكروسيا.
A name with the article "ال" takes the same ones before it (والعراق، بالعراق، كالعراق،
فبالعراق), except that ل + ال is written لل (للعراق، وللعراق، فللعراق; ل + الل... is لل...).
The article is never added to a name without it (روسيا, never الروسيا), no other word of a name
takes a proclitic, and no suffix is generated. Calendar names take the same proclitics
("والسبت").

`fold`: an optional word normaliser (the caller's, e.g. Arabic alef, alef maqsura and ta
marbuta folds) applied to every word of every generated name; the set is deduplicated after it.

Left out as common words (like English "march" and "may"): Spanish "granada" (Grenada; also
"grenade"), Arabic "مالي" (Mali; also "financial"), "مجري" (Hungarian; also "مجرى", a course,
once folded), the months "مارس" (also "he exercised", as in "مارس ضغوطا") and "آب" (which alef
folding makes "اب", "father").

Arabic relative adjectives (demonyms) are derived from the names by the regular rule
(`_arabic_adjectives`: روسيا gives الروسي، الروسية، الروسيون; إيران gives الإيراني; كوريا الشمالية
gives الكورية الشمالية), with the same proclitics.

Capitals: CLDR names a city for each time zone (its exemplar city: Europe/Moscow is موسكو in
Arabic, Moscú in Spanish). Every such city that the English list masks as a capital or a name
of the state the zone lies in (`model.actors.PLACE_STATES`; the zone's state as CLDR and ISO
3166 name it in English; America/St_Johns is in Canada, not Antigua) is masked, in every locale
of the language, with the same forms (بموسكو، والقاهرة، moscu; Asia/Gaza: غزة، بغزة, "gaza",
which the English list masks as a name of Palestine). A Spanish zone without a Spanish name
takes its English one, as CLDR does ("Beirut"); an Arabic one would be left out (none is).
145 zones are such capitals and 24 such names (most of them the state's own: الكويت);
Washington, Beijing, New Delhi, Ankara, Ottawa, Canberra, Islamabad, Doha, Abu Dhabi, Sanaa,
Rabat, Hanoi and the other capitals name none. Left out as common words: Spanish "la paz"
(also "the peace"), "asunción", "lagos" (lakes), "lima" (a file, a lime); Arabic "لا باز" (its
first word is the particle لا) and "ديلي" (also "Daily", as in ديلي تلغراف). Names of people
that are also capitals stay masked ("sofía", "santiago"), as do الرياض (also "gardens"), مسقط (also
"birthplace", مسقط رأسه) and القدس (also in فيلق القدس, the Quds Force).

Still not masked (CLDR and ISO 3166 have no such data):
- Arabic: irregular demonyms and adjectives, and those of most names of several words
  (الروس، الأمريكي، الأمريكيون، البريطاني، الإماراتي); capitals that name no time zone
  (واشنطن، بكين، أنقرة); short and informal forms no source gives (أمريكا، بريطانيا،
  الإمارات alone); the West Bank (الضفة الغربية); England, Scotland, Wales;
  institutions (البيت الأبيض، الكرملين، البنتاغون); names with pronoun suffixes (مصرنا،
  عراقنا); proclitics on a later word of a name; spellings no source has ("الولايات المتحدة
  الأمريكية" masks only its first two words: the sources write الأميركية).
- Spanish: demonyms and adjectives (ruso, rusa, estadounidense, iraní); capitals that name no
  time zone (Washington, Pekín, Ankara); short forms (EE. UU., EEUU, RU, RDC) and "Qatar"
  alone (CLDR writes "Catar"); Cisjordania; Inglaterra, Escocia, Gales; institutions
  (Casa Blanca, Kremlin, Pentágono); Grenada (see above).
Names that are also words stay masked, as English "turkey" and "china" do: Spanish "irán" (they
will go), "catar" (to taste), "sudan" (they sweat), "chile", "cuba", "china", "ecuador",
"malta"; Arabic "مصر" (insistent), "قطر", "عمان" (Oman and Amman); and the days "الاثنين" (also
"the two") and "الأحد" (also "the one").
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cache
from typing import Any, Final, Literal, NamedTuple

import pycountry
from babel import Locale, localedata
from babel.core import get_global

from model.actors import PLACE_STATES

LANGUAGES: Final = ("ar", "es")

# ISO 3166-1 alpha-2 codes of the states whose names are masked (see the module docstring).
STATES: Final = frozenset(
    """
    AD AE AF AG AL AM AO AR AT AU AZ BA BB BD BE BF BG BH BI BJ BN BO BR BS BT BW BY BZ CA CD
    CF CG CH CI CL CM CN CO CR CU CV CY CZ DE DJ DK DM DO DZ EC EE EG ER ES ET FI FJ FM FR GA
    GB GD GE GH GM GN GQ GR GT GW GY HN HR HT HU ID IE IL IN IQ IR IS IT JM JO JP KE KG KH KI
    KM KN KP KR KW KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MG MH MK ML MM MN MR MT MU
    MV MW MX MY MZ NA NE NG NI NL NO NP NR NZ OM PA PE PG PH PK PL PS PT PW PY QA RO RS RU RW
    SA SB SC SD SE SG SI SK SL SM SN SO SR SS ST SV SY SZ TD TG TH TJ TL TM TN TO TR TT TV TW
    TZ UA UG US UY UZ VA VC VE VN VU WS XK YE ZA ZM ZW
    """.split()
)

# Names that are also common words, left out (module docstring), as `_words` gives them: a
# state's name in every form generated from it, a calendar name likewise.
EXCLUDED_STATE_NAMES: Final = {
    # "مجري" (Hungarian) is also "مجرى" (course, channel) once alef maqsura folds to yeh.
    # Capitals (module docstring): "لا باز" starts with the particle لا, "ديلي" is also "Daily".
    "ar": frozenset({"مالي", "مجري", "المجري", "لا باز", "ديلي"}),
    # "la paz" is also "the peace", "lagos" lakes, "lima" a file or a lime.
    "es": frozenset({"granada", "la paz", "asunción", "lagos", "lima"}),
}
EXCLUDED_CALENDAR_NAMES: Final = {"ar": frozenset({"مارس", "آب"}), "es": frozenset[str]()}

# pycountry's ISO 3166-1 fields that hold a name of the country.
_ISO_FIELDS = ("name", "official_name", "common_name")
# Arabic proclitics: a conjunction, then a preposition, each optional (module docstring).
CONJUNCTIONS: Final = ("", "\u0648", "\u0641")  # و ف
PREPOSITIONS: Final = ("", "\u0628", "\u0644", "\u0643")  # ب ل ك
_ARTICLE = "\u0627\u0644"  # ال
_LAM = "\u0644"
# "و" written apart from the word it joins ("البوسنة و الهرسك" in ISO's Arabic): attached.
_LOOSE_AND = re.compile(r"(?<!\w)\u0648\s+(?=\w)")
_COMMA = re.compile(r"\s*[,\u060c]\s*")
_PARENTHESES = re.compile(r"\s*\(([^()]*)\)\s*")
_DASH = re.compile(r"\s+[-\u2010\u2011\u2013\u2014]\s+")
_SPANISH_HEAD = re.compile(r"\s(?:de|del)$", re.IGNORECASE)
_ARABIC_STATE_OF = "\u062f\u0648\u0644\u0629 "  # "دولة ": state of
_TILDE = "\u0303"


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"no localized names for language {language!r} (known: ar, es)")


def _locales(language: str) -> list[str]:
    """The language's CLDR locales that babel ships: the base one, then regional ones."""
    return sorted(
        (loc for loc in localedata.locale_identifiers() if loc.split("_")[0] == language),
        key=lambda loc: (loc != language, loc),
    )


class _Reading(NamedTuple):
    """What `_words` applies, in its order."""

    read_as: dict[int, str]
    form: Literal["NFC", "NFD", "NFKC", "NFKD"]  # the Unicode normalisation form
    removed: re.Pattern[str]
    folds: dict[int, str]
    token: re.Pattern[str]


@cache
def _reading() -> _Reading:
    """The text rules `_words` applies, built once from `model.features`."""
    # Imported here: model.features imports this module.
    from model.features import (
        TOKEN_PATTERN,
        UNICODE_FORM,
        WORD_FOLDS,
        read_as,
        removed_characters_class,
    )

    return _Reading(
        str.maketrans(read_as()),
        UNICODE_FORM,
        re.compile(f"[{removed_characters_class()}]"),
        str.maketrans(WORD_FOLDS),
        re.compile(TOKEN_PATTERN),
    )


def _words(text: str) -> str:
    """A name as `model.text` reads it: `read_as` (look-alike punctuation, blanks), NFKC, Arabic
    diacritics removed, apostrophe and hyphen variants folded, lowercase, its words
    (`TOKEN_PATTERN`) joined by single spaces; a loose "و" is attached to the word after it."""
    rules = _reading()
    text = rules.removed.sub("", unicodedata.normalize(rules.form, text.translate(rules.read_as)))
    text = _LOOSE_AND.sub("\u0648", text)
    return " ".join(rules.token.findall(text.translate(rules.folds).lower()))


def _split(name: str) -> Iterator[str]:
    """The names one source name stands for (module docstring: inverted, bracketed, dashed)."""
    head, *tails = _COMMA.split(name.strip(), maxsplit=1)
    if tails:
        yield from _split(head)
        tail = tails[0]
        if _SPANISH_HEAD.search(tail):
            yield from _split(f"{tail} {head}")
        elif f" {_words(head)} " in f" {_words(tail)} ":
            yield from _split(tail)
        return
    bracketed = _PARENTHESES.search(name)
    if bracketed:
        yield from _split(_PARENTHESES.sub(" ", name))
        yield from _split(bracketed.group(1))
        return
    parts = _DASH.split(name)
    if len(parts) > 1:
        for part in parts:
            yield from _split(part)
    if name.startswith(_ARABIC_STATE_OF):
        yield from _split(name[len(_ARABIC_STATE_OF) :])
    yield name


def _source_names(language: str) -> list[tuple[str, str]]:
    """`(code, name)` of every state name in CLDR (all the language's locales) and in
    pycountry's ISO 3166-1 translations, as given."""
    names: list[tuple[str, str]] = []
    for loc in _locales(language):
        territories = Locale.parse(loc).territories
        names += [(code, territories[code]) for code in sorted(STATES) if code in territories]
    iso = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    for country in sorted(pycountry.countries, key=lambda c: str(c.alpha_2)):
        code = str(country.alpha_2)
        if code not in STATES:
            continue
        for field in _ISO_FIELDS:
            english = getattr(country, field, None)
            if isinstance(english, str) and (local := iso.gettext(english)) != english:
                names.append((code, local))
    return names


def _exemplar_city(zones: Mapping[str, Any], zone: str, fallback: bool) -> str | None:
    """A locale's name for a time zone's city (`Locale.time_zones`); without one, the zone ID's
    last part when `fallback` (CLDR's rule: "Asia/Beirut" is "Beirut"), else None."""
    name = zones.get(zone, {}).get("city")
    if name or not fallback:
        return str(name) if name else None
    return zone.rpartition("/")[2].replace("_", " ")


@cache
def _english_state_names(code: str) -> frozenset[str]:
    """A territory's English names as the English list writes them: CLDR's ("Palestinian
    Territories") and ISO 3166-1's ("Palestine, State of": "palestine", "state of palestine")."""
    cldr = Locale.parse("en").territories.get(code, "").split(" - ")[0]
    names = [re.sub(r"\(.*?\)", " ", cldr.replace("&", "and").replace("St. ", "Saint "))]
    country = pycountry.countries.get(alpha_2=code)
    for field in _ISO_FIELDS if country is not None else ():
        if isinstance(english := getattr(country, field, None), str):
            names += _split(english)
    return frozenset(_words(name) for name in names)


def _place_names(language: str) -> list[str]:
    """The capitals and names of states in `PLACE_STATES` that CLDR names as the exemplar city
    of a time zone of their own state, as each of the language's locales names them (module
    docstring)."""
    english = Locale.parse("en").time_zones
    territories = get_global("zone_territories")
    zones = [
        zone
        for zone in sorted(territories)
        if _english_state_names(territories[zone])
        & PLACE_STATES.get(_words(_exemplar_city(english, zone, True) or ""), frozenset())
    ]
    names: list[str] = []
    for loc in _locales(language):
        local = Locale.parse(loc).time_zones
        names += [n for zone in zones if (n := _exemplar_city(local, zone, language != "ar"))]
    return names


def _strip_accents(name: str, keep_tilde: bool) -> str:
    """A Spanish name without accents; "ñ" kept when `keep_tilde`."""
    kept: list[str] = []
    for char in unicodedata.normalize("NFD", name):
        if unicodedata.combining(char) and not (keep_tilde and char == _TILDE and kept[-1] == "n"):
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


def _spanish_forms(name: str) -> Iterator[str]:
    yield name
    yield _strip_accents(name, keep_tilde=True)
    yield _strip_accents(name, keep_tilde=False)


def with_proclitics(conjunction: str, preposition: str, word: str) -> str:
    """An Arabic word with a conjunction and a preposition (each may be "") written on it:
    ل + ال is لل (للعراق), ل + الل is لل too; the others attach as they are."""
    if preposition == _LAM and word.startswith(_ARTICLE):
        bare = word[len(_ARTICLE) :]
        return conjunction + _LAM + (bare if bare.startswith(_LAM) else _LAM + bare)
    return conjunction + preposition + word


def _arabic_forms(name: str) -> Iterator[str]:
    """The name with each proclitic combination on its first word (module docstring)."""
    first, space, rest = name.partition(" ")
    for conjunction in CONJUNCTIONS:
        for preposition in PREPOSITIONS:
            yield with_proclitics(conjunction, preposition, first) + space + rest


def _nisba_stem(word: str) -> str | None:
    """The stem of a state name's relative adjective: the word without its article and without
    a final "يا" or "ا" (روسيا: روس; إيران: إيران); None when it ends in another vowel (the
    adjective is irregular)."""
    base = word[len(_ARTICLE) :] if word.startswith(_ARTICLE) else word
    if base.endswith("\u064a\u0627"):  # يا
        base = base[:-2]
    elif base.endswith("\u0627"):  # ا
        base = base[:-1]
    elif base.endswith(("\u0648", "\u064a", "\u0649", "\u0629", "\u0647")):  # و ي ى ة ه
        return None
    return base if len(base) >= 2 else None


_MASCULINE, _FEMININE = "\u064a", "\u064a\u0629"  # ي، ية
_NISBA_ENDINGS = (_MASCULINE, _FEMININE, "\u064a\u0648\u0646", "\u064a\u064a\u0646")  # ي ية يون يين


def _arabic_adjectives(name: str) -> Iterator[str]:
    """The relative adjectives (nisba) of an Arabic state name, by the regular rule: the stem
    (`_nisba_stem`) then "ي" (masculine), "ية" (feminine), "يون" and "يين" (plural), each also
    with the article: روسيا gives روسي، الروسية، الروسيون...; إيران gives إيراني، الإيرانية...
    A name of two words whose second is an adjective with the article (كوريا الشمالية) gives
    its definite singulars (الكوري الشمالي، الكورية الشمالية). Other names give none."""
    words = name.split(" ")
    stem = _nisba_stem(words[0])
    if stem is None:
        return
    if len(words) == 1:
        for ending in _NISBA_ENDINGS:
            yield stem + ending
            yield _ARTICLE + stem + ending
        return
    second = words[1]
    if len(words) == 2 and second.startswith(_ARTICLE) and second.endswith(_FEMININE):
        yield f"{_ARTICLE}{stem}{_FEMININE} {second}"
        yield f"{_ARTICLE}{stem}{_MASCULINE} {second[:-1]}"


def _forms(language: str, names: Iterable[str], excluded: frozenset[str]) -> frozenset[str]:
    """Every written form of these names (`_words` of each), bar the excluded ones."""
    expand = _arabic_forms if language == "ar" else _spanish_forms
    out: set[str] = set()
    for name in names:
        words = _words(name)
        if words and words not in excluded:
            out.update(expand(words))
    return frozenset(out)


def _apply(names: frozenset[str], fold: Callable[[str], str] | None) -> frozenset[str]:
    """Each word of each name through `fold`, deduplicated."""
    if fold is None:
        return names
    out = set()
    for name in names:
        words = [fold(word) for word in name.split(" ")]
        if not all(words) or any(" " in word for word in words):
            raise ValueError(f"fold must map a word to one word: {name!r} -> {words!r}")
        out.add(" ".join(words))
    return frozenset(out)


@cache
def _state_names(language: str) -> frozenset[str]:
    names = [part for _, name in _source_names(language) for part in _split(name)]
    if language == "ar":  # with their relative adjectives (demonyms)
        excluded = EXCLUDED_STATE_NAMES[language]
        names += [
            adjective
            for name in names
            if (words := _words(name)) not in excluded
            for adjective in _arabic_adjectives(words)
        ]
    names += [part for name in _place_names(language) for part in _split(name)]
    return _forms(language, names, EXCLUDED_STATE_NAMES[language])


@cache
def state_names(language: str, fold: Callable[[str], str] | None = None) -> frozenset[str]:
    """Every written form of every state's name in `language` ("ar" or "es"): lowercase words
    separated by single spaces, as `model.text` reads them (module docstring), each word passed
    through `fold` when given. The same set on every run (sort it to serialise it)."""
    _check_language(language)
    return _apply(_state_names(language), fold)


@cache
def _calendar_names(language: str) -> frozenset[str]:
    names: list[str] = []
    for loc in _locales(language):
        locale = Locale.parse(loc)
        for context in ("format", "stand-alone"):
            names += locale.months[context]["wide"].values()
            names += locale.days[context]["wide"].values()
    return _forms(language, names, EXCLUDED_CALENDAR_NAMES[language])


@cache
def calendar_names(language: str, fold: Callable[[str], str] | None = None) -> frozenset[str]:
    """Every written form of the names of days and months (wide forms, format and stand-alone)
    in `language`, in the Gregorian calendar of every CLDR locale of the language: Arabic has
    the Egyptian and Gulf (يناير), Levantine and Iraqi (كانون الثاني، شباط، آذار), Algerian and
    Tunisian (جانفي، فيفري) and Moroccan (غشت، شتنبر) months. Forms and `fold` as
    `state_names`; names that are also common words are left out (module docstring)."""
    _check_language(language)
    return _apply(_calendar_names(language), fold)
