"""Arabic and Spanish state and calendar names from CLDR (babel) and ISO 3166 (pycountry)."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from babel import Locale

from model.actors import ACTOR_NAMES
from model.features import TOKEN_PATTERN
from model.localnames import (
    EXCLUDED_STATE_NAMES,
    LANGUAGES,
    STATES,
    calendar_names,
    state_names,
)
from model.text import clean

ARABIC_FOLDS = str.maketrans(
    {"\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627"}
    | {"\u0649": "\u064a", "\u0629": "\u0647"}
)
ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")


def arabic_fold(word: str) -> str:
    return word.translate(ARABIC_FOLDS)


def all_sets() -> list[tuple[str, frozenset[str]]]:
    return [
        (f"{kind.__name__} {lang}", kind(lang))
        for lang in LANGUAGES
        for kind in (state_names, calendar_names)
    ]


def words_of(text: str) -> str:
    """A name as model.text reads it: NFKC, no Arabic diacritics ("عُمان" in CLDR), lowercase,
    tokens joined by single spaces."""
    text = ARABIC_MARKS.sub("", unicodedata.normalize("NFKC", text)).replace("\u2019", "'").lower()
    return " ".join(re.findall(TOKEN_PATTERN, text))


def test_arabic_names_with_proclitics() -> None:
    names = state_names("ar")
    for name in (
        "روسيا",
        "وروسيا",
        "لروسيا",
        "العراق",
        "للعراق",
        "بالعراق",
        "والعراق",
        "وللعراق",
        "فبالعراق",
        "كالعراق",
        "الولايات المتحدة",
        "والولايات المتحدة",
        "للولايات المتحدة",
        "السعودية",  # pycountry's ISO name
        "المملكة العربية السعودية",
        "فلسطين",  # from ISO's "دولة فلسطين"
        "الأراضي الفلسطينية",
        "الاتحاد الروسي",
        "الكونغو",  # CLDR's "الكونغو - كينشاسا"
        "بورما",  # CLDR's "ميانمار (بورما)"
        "البوسنة والهرسك",  # ISO's loose "و" attached
        "مصر",
    ):
        assert name in names, name


def test_arabic_proclitics_are_bounded() -> None:
    """Exactly the 12 conjunction/preposition forms on the first word; the article is never
    added to a name without it, and ل + ال is written لل."""
    names = state_names("ar")
    russia = {n for n in names if " " not in n and n.endswith("روسيا")}
    assert russia == {
        c + p + "روسيا"
        for c in ("", "\u0648", "\u0641")
        for p in ("", "\u0628", "\u0644", "\u0643")
    }
    assert "الروسيا" not in names and "بالروسيا" not in names
    assert "لالعراق" not in names and "ولالعراق" not in names
    # Only the first word takes a proclitic.
    assert "الولايات والمتحدة" not in names
    assert "الولايات المتحدة" in names and "الولايات" not in names


def test_spanish_names() -> None:
    names = state_names("es")
    for name in (
        "rusia",
        "estados unidos",
        "perú",
        "peru",
        "españa",
        "espana",
        "japón",
        "japon",
        "reino unido",
        "países bajos",
        "paises bajos",
        "el salvador",
        "costa de marfil",  # CLDR es_419
        "arabia saudita",  # CLDR es_419
        "arabia saudí",
        "birmania",  # CLDR's "Myanmar (Birmania)"
        "palestina",  # ISO's "Palestina, Estado de"
        "república de corea",  # ISO's "Corea, República de"
        "federación rusa",
        "timor-leste",
        "irán",
    ):
        assert name in names, name
    # ISO's "Taiwán, Provincia de China" gives only Taiwán.
    assert "taiwán" in names and "provincia de china" not in names
    assert "taiwán provincia de china" not in names


def test_no_english_only_names() -> None:
    spanish = state_names("es")
    for english in ("russia", "germany", "united states", "spain", "japan", "algeria", "egypt"):
        assert english not in spanish
    assert not any(re.search("[a-z]", n) for n in state_names("ar") | calendar_names("ar"))
    assert not any(re.search("[\u0600-\u06ff]", n) for n in spanish | calendar_names("es"))


@pytest.mark.parametrize("kind", ["state_names", "calendar_names"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_entries_read_as_model_text_reads_them(kind: str, lang: str) -> None:
    """Every name is lowercase words as TOKEN_PATTERN splits them, joined by one space, and a
    text made of it cleans to itself (NFKC, no Arabic diacritics)."""
    names = state_names(lang) if kind == "state_names" else calendar_names(lang)
    for name in names:
        assert name
        assert " ".join(re.findall(TOKEN_PATTERN, name)) == name, name
        assert name == name.lower()
        assert unicodedata.is_normalized("NFKC", name)
        assert not ARABIC_MARKS.search(name)
        assert clean(name).text == name


def test_set_sizes() -> None:
    assert 12_000 < len(state_names("ar")) < 25_000  # names and their adjectives, with proclitics
    assert 400 < len(state_names("es")) < 1_000
    assert 300 < len(calendar_names("ar")) < 800
    assert 19 <= len(calendar_names("es")) < 40


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_state_is_named(lang: str) -> None:
    """CLDR's name of each state (without a bracketed alternative) is in the set, bar the
    names that are left out as common words."""
    names = state_names(lang)
    territories = Locale.parse(lang).territories
    for code in sorted(STATES):
        name = words_of(re.sub(r"\(.*?\)", " ", territories[code]))
        assert name in names or name in EXCLUDED_STATE_NAMES[lang], (code, name)


def test_states_are_the_english_lists() -> None:
    """STATES are the territories whose English CLDR name the English list masks, and the Holy
    See (which it lacks)."""
    english = Locale.parse("en").territories

    def name(code: str) -> str:
        text = english[code].split(" - ")[0].replace("&", "and").replace("St. ", "Saint ")
        return words_of(re.sub(r"\(.*?\)", " ", text))

    unlike = {"PS": "palestine", "VC": "saint vincent and the grenadines"}
    for code in sorted(STATES - {"VA"}):
        assert unlike.get(code, name(code)) in ACTOR_NAMES, code
    masked = {c for c in english if len(c) == 2 and c != "ZZ" and name(c) in ACTOR_NAMES}
    assert masked <= STATES


def test_capitals_named_by_a_time_zone_are_masked() -> None:
    """The English list's capitals and other names of a state that CLDR names as a time zone's
    city, in Arabic (with proclitics) and Spanish (with and without accents; the English name
    where CLDR's Spanish has none); the capitals that name no zone are not (the documented gap),
    nor those that are common words."""
    arabic, spanish = state_names("ar"), state_names("es")
    for name in (
        "موسكو",
        "بموسكو",
        "طهران",
        "القاهرة",
        "بالقاهرة",
        "للقاهرة",
        "بيونغ يانغ",
        "كييف",
    ):
        assert name in arabic, name
    for name in ("moscú", "moscu", "teherán", "el cairo", "beirut", "bagdad", "kiev"):
        assert name in spanish, name
    # Gaza: one of Palestine's names in the English list, and the city of Asia/Gaza, whose
    # territory CLDR calls the Palestinian Territories and ISO 3166 "Palestine, State of"
    assert {"غزة", "بغزة", "لغزة", "وغزة"} <= arabic and "gaza" in spanish
    # a zone's city that is no capital or name of its state stays: Hebron
    assert "الخليل" not in arabic and "hebrón" not in spanish
    assert "واشنطن" not in arabic and "washington" not in spanish and "pekín" not in spanish
    # a zone's city counts only as a capital of the state the zone lies in: St. John's in
    # Newfoundland is not Antigua's
    assert "san juan de terranova" not in spanish
    # capitals that are also common words are left out; a name in brackets is a name of its own
    assert not {"la paz", "lagos", "lima", "asunción", "asuncion"} & spanish
    assert not {"لا باز", "بلا باز", "ديلي"} & arabic
    assert {"yangón", "rangún"} <= spanish and "yangón rangún" not in spanish


def test_common_words_left_out() -> None:
    assert "granada" not in state_names("es")
    assert not {"مالي", "ومالي", "بمالي"} & state_names("ar")
    assert not {"مارس", "ومارس", "آب", "وآب"} & calendar_names("ar")


def test_calendar_names() -> None:
    spanish = calendar_names("es")
    for name in ("enero", "mayo", "setiembre", "lunes", "miércoles", "miercoles", "sábado"):
        assert name in spanish
    arabic = calendar_names("ar")
    for name in (
        "يناير",
        "فبراير",
        "كانون الثاني",  # ar_SY, ar_IQ, ar_LB...
        "شباط",
        "آذار",
        "أيار",
        "تشرين الأول",
        "جانفي",  # ar_DZ, ar_TN
        "غشت",  # ar_MA
        "الأحد",
        "السبت",
        "والسبت",
        "ويناير",
    ):
        assert name in arabic, name
    assert "كانون" not in arabic and "الثاني" not in arabic


def test_fold_applies_to_every_word_and_dedupes() -> None:
    plain = state_names("ar")
    folded = state_names("ar", fold=arabic_fold)
    assert "اسرائيل" in folded and "إسرائيل" not in folded
    assert "بالامارات العربيه المتحده" in folded
    assert folded == {" ".join(map(arabic_fold, n.split(" "))) for n in plain}
    assert len(folded) < len(plain)
    assert calendar_names("ar", fold=arabic_fold) >= {"اذار", "ايار"}
    assert state_names("es", fold=str.upper) >= {"RUSIA", "ESTADOS UNIDOS"}


def test_fold_must_give_one_word() -> None:
    with pytest.raises(ValueError, match="one word"):
        state_names("es", fold=lambda word: "")
    with pytest.raises(ValueError, match="one word"):
        calendar_names("es", fold=lambda word: f"{word} {word}")


@pytest.mark.parametrize("lang", ["en", "fr", "ar_SY"])
def test_unknown_language(lang: str) -> None:
    with pytest.raises(ValueError, match="no localized names"):
        state_names(lang)
    with pytest.raises(ValueError, match="no localized names"):
        calendar_names(lang)


def _digest() -> str:
    lines = [f"{kind} {name}" for kind, names in all_sets() for name in sorted(names)]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def test_same_names_in_another_process() -> None:
    """Nothing depends on hashing order: another process with another hash seed agrees."""
    code = "from tests.model.test_localnames import _digest; print(_digest())"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == _digest()


def test_arabic_adjectives_follow_the_regular_rule() -> None:
    """Relative adjectives of one-word names, with their article and proclitics; none of a name
    left out as a common word, and none of a name of several words."""
    names = state_names("ar")
    for adjective in ("روسي", "الروسية", "والروسية", "الإيراني", "للعراقيين", "الصينيون", "فرنسي"):
        assert adjective in names, adjective
    assert "مجري" not in names and "المجري" not in names  # "مجرى" (a course), once folded
    assert not {"مالي", "مالية", "المالية", "ماليون"} & names  # Mali's: also "financial"
    assert "الولايات المتحدي" not in names and "ولاياتي" not in names
    for adjective in ("الكورية الشمالية", "الكوري الشمالي", "والكورية الشمالية"):
        assert adjective in names, adjective  # two words: the definite singulars
