"""Actor-swap check: does the score follow the rhetoric or the country named?

Paragraphs written for this check name often-hostile actors; each is scored as written and with
those names replaced by neutral ones (Russia -> Norway, Tehran -> Lisbon, ...). A model that reads
rhetoric changes little: the target is a mean absolute change of at most 0.02.

Two languages: English (`PARAGRAPHS`, `SWAPS`) and Arabic (`ARABIC_PARAGRAPHS`, `ARABIC_SWAPS`);
`swap_actors` and `actor_swap_check` take the `language`.

English names are replaced as whole words, longest first; plurals ("Russians") are not on the list.

Arabic names are replaced as whole words too, but a word may carry proclitics on the name's FIRST
word: a conjunction (و، ف), then a preposition (ب، ل، ك), each optional. The same proclitics are
written on the neutral name, which may differ in having the article ال:
- و، ف، ب، ك attach as they are: وروسيا -> والنرويج، بالصين -> بكندا، وبكين -> وأوتاوا.
- ل before the article ال is written لل (the article's alef drops): لـ + الصين is للصين, لـ +
  النرويج is للنرويج; so لإيران -> للبرتغال and للصين -> لكندا. Before an article on a word
  that starts with lam, لـ + الل is لل too (لـ + اللاذقية is للاذقية).
- Only the proclitics carry over: each name keeps its own spelling, with the article or
  without it (روسيا -> النرويج، الصين -> كندا). Adjectives are listed with the article and
  without it (القوات الروسية، قاذفات روسية).
Diacritics (tashkeel) and tatweel inside a name are accepted and dropped with it (the neutral name
is written bare). Not replaced: suffixed forms (روسيانا), plural demonyms (الروس، الإيرانيون),
spellings without hamza (ايران), and the indefinite "سورية", which is also a spelling of Syria.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from model.features import removed_characters_class
from model.localnames import CONJUNCTIONS, PREPOSITIONS, with_proclitics

PARAGRAPHS: tuple[str, ...] = (
    "Russia warned on Tuesday that it would respond with force if the alliance moved troops "
    "closer to its border, and Russian officials accused Western governments of provoking a "
    "confrontation.",
    "China and Vietnam signed an agreement to expand rail links and cut tariffs on farm goods, "
    "and Chinese ministers praised the talks as a model of good-neighbourly cooperation.",
    "Iran threatened to close the strait to shipping after new sanctions were announced, and an "
    "Iranian commander said the navy was ready to strike any vessel that violated its waters.",
    "North Korea released two detained fishermen on humanitarian grounds, and Pyongyang said it "
    "hoped the gesture would open the way to talks on family reunions.",
    "Moscow expelled four diplomats and denounced what it called a hostile campaign of "
    "sabotage, vowing retaliation against those responsible.",
    "Beijing sent medical teams and emergency aid to the earthquake zone and offered long-term "
    "loans for reconstruction, which the recipient government welcomed.",
    "Tehran and its neighbours agreed to resume consultations on water sharing, with Iranian "
    "negotiators calling the first round constructive.",
    "North Korean state media threatened a pre-emptive nuclear strike and said the army was "
    "mobilising along the border in response to military drills.",
    "Syria accused rebels of shelling civilian districts, and Syrian forces launched an "
    "offensive to retake the town, killing dozens of fighters.",
    "Venezuela and Colombia reopened their border crossings and agreed to exchange prisoners, "
    "and Venezuelan officials thanked mediators for the dialogue.",
    "The Kremlin rejected the ultimatum as unacceptable and ordered snap exercises near the "
    "frontier, while Russian bombers were intercepted over international waters.",
    "Chinese coast guard vessels rammed a fishing boat and fired water cannon, and Beijing "
    "demanded that the other side withdraw from the disputed reef.",
)

# Longest names first, so "North Korean" is replaced before "North Korea" could match.
SWAPS: tuple[tuple[str, str], ...] = (
    ("North Korean", "New Zealand"),
    ("North Korea", "New Zealand"),
    ("Pyongyang", "Wellington"),
    ("Russian", "Norwegian"),
    ("Russia", "Norway"),
    ("Moscow", "Oslo"),
    ("Kremlin", "Oslo"),
    ("Chinese", "Canadian"),
    ("China", "Canada"),
    ("Beijing", "Ottawa"),
    ("Iranian", "Portuguese"),
    ("Iran", "Portugal"),
    ("Tehran", "Lisbon"),
    ("Syrian", "Irish"),
    ("Syria", "Ireland"),
    ("Venezuelan", "Uruguayan"),
    ("Venezuela", "Uruguay"),
)
_SWAP_RE = re.compile(r"\b(" + "|".join(re.escape(a) for a, _ in SWAPS) + r")\b")
_SWAP_TO = dict(SWAPS)
TARGET_MEAN_ABS_CHANGE = 0.02

# Modern Standard Arabic, news style: six hostile paragraphs (1, 3, 5, 8, 9, 11), six cooperative.
ARABIC_PARAGRAPHS: tuple[str, ...] = (
    "حذّرت روسيا يوم الثلاثاء من أنها سترد بالقوة إذا حرّك الحلف قواته نحو حدودها، واتهمت "
    "الخارجية الروسية الحكومات الغربية بالسعي إلى المواجهة.",
    "وقّعت الصين وفيتنام اتفاقاً لتوسيع خطوط السكك الحديدية وخفض الرسوم الجمركية على المنتجات "
    "الزراعية، وأشاد وزير التجارة الصيني بالمحادثات بوصفها نموذجاً لحسن الجوار والتعاون.",
    "هددت إيران بإغلاق المضيق أمام الملاحة بعد الإعلان عن عقوبات جديدة، وقال قائد في البحرية "
    "الإيرانية إن قواته مستعدة لضرب أي سفينة تنتهك المياه الإقليمية.",
    "أفرجت كوريا الشمالية عن صيادَين محتجزَين لأسباب إنسانية، وأعربت بيونغ يانغ عن أملها في أن "
    "تفتح هذه البادرة الطريق أمام محادثات بشأن لمّ شمل العائلات.",
    "طردت موسكو أربعة دبلوماسيين وندّدت بما وصفته بحملة تخريب عدائية، متوعدةً بالرد على "
    "المسؤولين عنها، فيما قال المتحدث باسم الكرملين إن الإجراءات الغربية إهانة لروسيا.",
    "أرسلت بكين فرقاً طبية ومساعدات عاجلة إلى منطقة الزلزال، وعرضت قروضاً طويلة الأجل لإعادة "
    "الإعمار، ووجّهت الحكومة المتلقية الشكر للصين على دعمها.",
    "اتفقت طهران وجيرانها على استئناف المشاورات بشأن تقاسم المياه، ووصف الوفد الإيراني الجولة "
    "الأولى بأنها بنّاءة.",
    "هددت وسائل الإعلام الرسمية الكورية الشمالية بتوجيه ضربة نووية استباقية، وقالت إن الجيش "
    "يحشد قواته على طول الحدود رداً على المناورات المشتركة بين سيول والولايات المتحدة.",
    "اتهمت سوريا المتمردين بقصف أحياء مدنية، وشنّت القوات السورية هجوماً لاستعادة البلدة أسفر "
    "عن مقتل العشرات من المسلحين.",
    "أعادت فنزويلا وكولومبيا فتح المعابر الحدودية بينهما واتفقتا على تبادل السجناء، وشكرت "
    "الحكومة الفنزويلية الوسطاء على رعاية الحوار.",
    "رفضت موسكو الإنذار ووصفته بأنه غير مقبول وأمرت بمناورات مفاجئة قرب الحدود، في حين "
    "اعتُرضت قاذفات روسية فوق المياه الدولية، وتوعّد السفير الروسي بردّ حازم.",
    "أعربت الأمم المتحدة عن شكرها لإيران على استضافة اللاجئين، وأعلنت أن جولة جديدة من محادثات "
    "السلام ستُعقد بالصين الشهر المقبل بمشاركة الهند وروسيا والولايات المتحدة.",
)

# Each name as written without proclitics; `_arabic_forms` adds them (module docstring).
ARABIC_SWAPS: tuple[tuple[str, str], ...] = (
    ("كوريا الشمالية", "نيوزيلندا"),
    ("الكورية الشمالية", "النيوزيلندية"),
    ("الكوري الشمالي", "النيوزيلندي"),
    ("كورية شمالية", "نيوزيلندية"),
    ("كوري شمالي", "نيوزيلندي"),
    ("بيونغ يانغ", "ولنغتون"),
    ("بيونغيانغ", "ولنغتون"),
    ("روسيا", "النرويج"),
    ("الروسية", "النرويجية"),
    ("الروسي", "النرويجي"),
    ("روسية", "نرويجية"),
    ("روسي", "نرويجي"),
    ("موسكو", "أوسلو"),
    ("الكرملين", "أوسلو"),  # as English: Kremlin -> Oslo
    ("الصين", "كندا"),
    ("الصينية", "الكندية"),
    ("الصيني", "الكندي"),
    ("صينية", "كندية"),
    ("صيني", "كندي"),
    ("بكين", "أوتاوا"),
    ("إيران", "البرتغال"),
    ("الإيرانية", "البرتغالية"),
    ("الإيراني", "البرتغالي"),
    ("إيرانية", "برتغالية"),
    ("إيراني", "برتغالي"),
    ("طهران", "لشبونة"),
    ("سوريا", "أيرلندا"),
    ("السورية", "الأيرلندية"),
    ("السوري", "الأيرلندي"),
    ("سوري", "أيرلندي"),
    ("فنزويلا", "الأوروغواي"),
    ("الفنزويلية", "الأوروغويانية"),
    ("الفنزويلي", "الأوروغوياني"),
    ("فنزويلية", "أوروغويانية"),
    ("فنزويلي", "أوروغوياني"),
)
# What cleaning removes (tashkeel, Quranic marks, tatweel, invisible characters): never part of a
# name's spelling.
_ARABIC_MARKS = removed_characters_class()
_ARABIC_MARKS_RE = re.compile(f"[{_ARABIC_MARKS}]")


def _arabic_forms() -> Iterator[tuple[str, str]]:
    """(name as written, neutral name as written) with every proclitic combination."""
    for name, neutral in ARABIC_SWAPS:
        for conjunction in CONJUNCTIONS:
            for preposition in PREPOSITIONS:
                yield (
                    with_proclitics(conjunction, preposition, name),
                    with_proclitics(conjunction, preposition, neutral),
                )


def _arabic_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for form, neutral in _arabic_forms():
        if table.setdefault(form, neutral) != neutral:
            raise ValueError(f"{form!r} is written the same for two names")
    return table


def _arabic_pattern(form: str) -> str:
    """A form's letters, each possibly followed by diacritics; a space is any whitespace."""
    return "".join(r"\s+" if c == " " else re.escape(c) + f"[{_ARABIC_MARKS}]*" for c in form)


def _plain_arabic(found: str) -> str:
    """A matched name without diacritics, its words separated by one space."""
    return " ".join(_ARABIC_MARKS_RE.sub("", found).split())


_ARABIC_TO = _arabic_table()
_ARABIC_RE = re.compile(
    f"(?<![\\w{_ARABIC_MARKS}])("
    + "|".join(_arabic_pattern(f) for f in sorted(_ARABIC_TO, key=len, reverse=True))
    + r")(?!\w)"
)


@dataclass(frozen=True)
class _Language:
    paragraphs: tuple[str, ...]
    pattern: re.Pattern[str]
    replace: Callable[[re.Match[str]], str]


_LANGUAGES: dict[str, _Language] = {
    "en": _Language(PARAGRAPHS, _SWAP_RE, lambda m: _SWAP_TO[m.group(1)]),
    "ar": _Language(ARABIC_PARAGRAPHS, _ARABIC_RE, lambda m: _ARABIC_TO[_plain_arabic(m.group(1))]),
}
LANGUAGES = tuple(_LANGUAGES)


def _language(language: str) -> _Language:
    try:
        return _LANGUAGES[language]
    except KeyError:
        known = ", ".join(LANGUAGES)
        raise ValueError(
            f"no actor-swap check for language {language!r} (known: {known})"
        ) from None


def paragraphs_for(language: str = "en") -> tuple[str, ...]:
    """The check's paragraphs in `language`."""
    return _language(language).paragraphs


def swap_actors(text: str, language: str = "en") -> str:
    """The text with often-hostile actors replaced by neutral ones."""
    rules = _language(language)
    return rules.pattern.sub(rules.replace, text)


@dataclass(frozen=True)
class SwapResult:
    """Scores as written and swapped, per paragraph, and the change summary."""

    original: tuple[float, ...]
    swapped: tuple[float, ...]

    @property
    def changes(self) -> np.ndarray:
        """Swapped minus original score, per paragraph."""
        return np.array(self.swapped) - np.array(self.original)

    @property
    def mean_abs_change(self) -> float:
        """Mean absolute score change."""
        return float(np.abs(self.changes).mean())

    @property
    def max_abs_change(self) -> float:
        """Largest absolute score change."""
        return float(np.abs(self.changes).max())


def actor_swap_check(
    predict: Callable[[Sequence[str]], np.ndarray],
    paragraphs: Sequence[str] | None = None,
    language: str = "en",
) -> SwapResult:
    """Score each paragraph (by default the language's own) as written and swapped with
    `predict` (texts -> probabilities)."""
    if paragraphs is None:
        paragraphs = paragraphs_for(language)
    swapped = [swap_actors(p, language) for p in paragraphs]
    both = np.asarray(predict([*paragraphs, *swapped]), dtype=float)
    n = len(paragraphs)
    return SwapResult(tuple(both[:n].tolist()), tuple(both[n:].tolist()))
