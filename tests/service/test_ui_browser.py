"""The analyst page in a real browser: Debian's chromium driven by Playwright, against real
gunicorn on loopback. Highlights must sit exactly on the API's spans (right-to-left Arabic with
its diacritics too), untrusted text must stay inert, a text no model reads must not look scored.
Prints the page weight and the time to first highlight; screenshots go to .cache/ui/."""

from __future__ import annotations

import json
import os
import re
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sklearn.pipeline import Pipeline

from bench.ui_page import CHROMIUM as BROWSER_PATH
from bench.ui_page import CHROMIUM_ARGS
from model.artifact import (
    ArtifactError,
    default_model_path,
    load_artifact,
    load_release,
    read_manifest,
    save_release,
)
from tests.helpers import TINY_MANIFEST, tiny_config
from tests.service import test_gunicorn
from tests.service.helpers import seed_text
from tests.service.test_gunicorn import REPO_ROOT, Server
from training.fit.pipeline import build_pipeline, fit_platt, fold_platt

try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # the ui-test extra is not installed
    sync_playwright = None

CHROMIUM = Path(BROWSER_PATH)
OUTPUT = REPO_ROOT / ".cache" / "ui"
TIMEOUT_MS = 30_000  # two shared, busy cores
# Starting gunicorn (imports, language model, preload) took 30 s on a busy shared machine.
STARTUP_SECONDS = 120
KEY = "analyst:secret-0123456789abcdef"
# Each payload would set window.__pwned if the page ever parsed article text as HTML or URL.
XSS_TEXT = (
    "<script>window.__pwned = 'script'</script> The army threatened a pre-emptive strike. "
    "<img src=x onerror=\"window.__pwned = 'img'\"> Troops mobilised at the border. "
    "<a href=\"javascript:window.__pwned='href'\">threatened</a> <svg onload=alert(1)> "
    "\"><iframe srcdoc='<script>parent.__pwned=1</script>'></iframe> attack"
)
# Astral characters (two UTF-16 units each) before and between the phrases.
EMOJI_TEXT = "🚀🚀 The army 🇺🇦 threatened a pre-emptive strike 💥 and troops mobilised. 𝔸ttack!"
# Arabic with full diacritics (tashkeel: combining marks, so spans end on marks), a sentence ending
# in the Arabic question mark, an astral character first (every offset after it differs from its
# UTF-16 index) and one English sentence, which must still read left to right.
ARABIC_TEXT = (
    "🚀 هَدَّدَ الجَيْشُ بِشَنِّ هُجُومٍ عَسْكَرِيٍّ عَلَى المَدِينَةِ. "
    "هَلْ سَتَنْسَحِبُ القُوَّاتُ مِنَ الحُدُودِ؟ "
    "The army threatened a strike. "
    "فَازَ الفَرِيقُ بِالمُبَارَاةِ وَالطَّقْسُ مُشْمِسٌ."
)
ENGLISH_SENTENCE = "The army threatened a strike."
FRENCH_TEXT = (
    "Le ministre a menacé hier de lancer une attaque contre la ville voisine. "
    "Les troupes se massent à la frontière."
)
# The tiny Arabic model's sentences (undiacritised, as most news is): threats and attacks
# against sport and weather.
ARABIC_ESCALATORY = [
    "هدد الجيش بشن هجوم عسكري على المدينة.",
    "أطلقت القوات صواريخ على العاصمة وقتل مدنيون.",
    "توعد الوزير بالانتقام بعد الهجوم على السفارة.",
    "حشدت القوات دباباتها على الحدود وسط تهديدات بالحرب.",
    "قصفت الطائرات مواقع المسلحين وأسفر القصف عن قتلى.",
    "هددت الحكومة بضربة عسكرية إذا لم تنسحب القوات.",
    "اندلعت اشتباكات عنيفة بين الجيش والمسلحين.",
    "أعلن القائد الحرب وأمر القوات بالهجوم.",
    "شن المسلحون هجوما على قاعدة عسكرية.",
    "حذر الجيش من تصعيد خطير وهدد باستخدام القوة.",
    "فرضت عقوبات جديدة بعد الهجوم الصاروخي.",
    "تعرضت المدينة لقصف مدفعي عنيف ليلة أمس.",
]
ARABIC_CALM = [
    "فاز الفريق بالمباراة النهائية في كرة القدم.",
    "الطقس مشمس ودافئ اليوم في معظم المناطق.",
    "سجل اللاعب هدفين في مباراة الأمس.",
    "تتوقع الأرصاد أمطارا خفيفة نهاية الأسبوع.",
    "احتفل المشجعون بفوز المنتخب في البطولة.",
    "درجات الحرارة معتدلة والرياح هادئة.",
    "انتقل اللاعب إلى ناد جديد هذا الموسم.",
    "الجو غائم جزئيا مع فرصة لهطول الأمطار.",
    "تأهل المنتخب إلى الدور النهائي من البطولة.",
    "يبدأ الموسم الرياضي الجديد في الشهر المقبل.",
    "تشرق الشمس صباحا وتنخفض الحرارة ليلا.",
    "فاز العداء بالميدالية الذهبية في السباق.",
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(
        sync_playwright is None, reason="playwright is not installed (pip install -e '.[ui-test]')"
    ),
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"Debian's chromium is not at {CHROMIUM} (apt-get install chromium; CI does)",
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless (Playwright downloads no browser of its own)."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@contextmanager
def gunicorn(tmp_path: Path, model_path: Path, **env: str) -> Iterator[Server]:
    """test_gunicorn's real server, with more time to start."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(test_gunicorn, "STARTUP_SECONDS", STARTUP_SECONDS)
        with test_gunicorn.gunicorn(tmp_path, model_path, **env) as server:
            patch.undo()
            yield server


@pytest.fixture(scope="module")
def tiny_server(
    tmp_path_factory: pytest.TempPathFactory, tiny_model_path: Path
) -> Iterator[Server]:
    """gunicorn serving the tiny model."""
    with gunicorn(tmp_path_factory.mktemp("tiny-server"), tiny_model_path) as server:
        yield server


def reads_arabic(path: Path) -> bool:
    """Whether the artifact at `path` is readable and has an Arabic model."""
    try:
        return "ar" in read_manifest(path)["languages"]
    except ArtifactError:
        return False


def fit_arabic() -> Pipeline:
    """A tiny Arabic pipeline (Arabic word rules), trained like `tests.helpers.fit_tiny`."""
    texts = ARABIC_ESCALATORY + ARABIC_CALM
    labels = [1] * len(ARABIC_ESCALATORY) + [0] * len(ARABIC_CALM)
    pipeline = build_pipeline(tiny_config("ar"))
    pipeline.fit(texts, labels)
    fold_platt(pipeline, fit_platt(pipeline.decision_function(texts), labels))
    return pipeline


@pytest.fixture(scope="module")
def arabic_model_path(tmp_path_factory: pytest.TempPathFactory, tiny_pipeline: Pipeline) -> Path:
    """The default model when ESCALATION_MODEL_PATH names one that reads Arabic (as
    `seed_model`), else a tiny release: the tiny English model and a tiny Arabic one."""
    if os.environ.get("ESCALATION_MODEL_PATH") and reads_arabic(default_model_path()):
        return default_model_path()

    def manifest(language: str) -> dict[str, Any]:  # the tiny models' own, one per language
        return {**TINY_MANIFEST, "version": "tiny-ar-1", "language": language}

    models = {"en": (tiny_pipeline, manifest("en")), "ar": (fit_arabic(), manifest("ar"))}
    path = save_release(models, tmp_path_factory.mktemp("model-ar") / "tiny-ar.joblib")
    load_release(path)  # an unloadable file fails here, not as a server that never gets ready
    return path


@pytest.fixture(scope="module")
def arabic_server(
    tmp_path_factory: pytest.TempPathFactory, arabic_model_path: Path
) -> Iterator[Server]:
    """gunicorn serving a model that reads English and Arabic."""
    with gunicorn(tmp_path_factory.mktemp("ar-server"), arabic_model_path) as server:
        yield server


def seed_model(tiny_model_path: Path) -> Path:
    """The default model when ESCALATION_MODEL_PATH names a readable one, else the tiny one."""
    if os.environ.get("ESCALATION_MODEL_PATH"):
        try:
            load_artifact(default_model_path())
            return default_model_path()
        except ArtifactError:
            pass
    return tiny_model_path


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page that records dialogs and console errors (a CSP refusal is one)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(TIMEOUT_MS)
    opened.dialogs = []  # type: ignore[attr-defined]
    opened.errors = []  # type: ignore[attr-defined]
    opened.on("dialog", lambda d: (opened.dialogs.append(d.message), d.dismiss()))
    opened.on("console", lambda m: m.type == "error" and opened.errors.append(m.text))
    opened.on("pageerror", lambda e: opened.errors.append(str(e)))
    yield opened
    context.close()


def url(server: Server, path: str = "/") -> str:
    """Loopback URL on the server."""
    return f"http://127.0.0.1:{server.port}{path}"


def score_in_page(page: Page, text: str) -> dict[str, Any]:
    """Paste `text`, press Score, wait for the drawing; the API answer the page received."""
    page.fill("#text", text)
    with page.expect_response(lambda r: r.url.endswith("/v1/score")) as answer:
        page.click("#score")
    page.wait_for_selector("#app[data-state=done]")
    assert answer.value.status == 200
    return answer.value.json()


def highlights(page: Page) -> list[dict[str, Any]]:
    """Every highlighted piece: offsets, weight, covering phrase keys, shown text."""
    return page.eval_on_selector_all(
        ".hl[data-start]",
        """els => els.map(e => ({start: Number(e.dataset.start), end: Number(e.dataset.end),
            weight: Number(e.dataset.weight), keys: e.dataset.phrases.split(' '),
            shown: e.textContent}))""",
    )


def assert_highlights_match(page: Page, text: str, result: dict[str, Any]) -> list[dict]:
    """Pieces show text[start:end] in code points, carry the sum of their phrases' weights, and
    each phrase's pieces tile exactly the spans the API returned for it."""
    pieces = highlights(page)
    assert pieces
    phrases = {f"u{i}": p for i, p in enumerate(result["phrases"])}
    phrases |= {f"d{i}": p for i, p in enumerate(result["deescalating_phrases"])}
    for piece in pieces:
        assert piece["shown"] == text[piece["start"] : piece["end"]]
        expected = sum(phrases[k]["weight"] for k in piece["keys"])
        assert piece["weight"] == pytest.approx(expected, abs=1e-6)
    for key, phrase in phrases.items():
        covered = sorted((p["start"], p["end"]) for p in pieces if key in p["keys"])
        tiled: list[list[int]] = []
        for start, end in covered:  # join pieces that touch into runs
            if tiled and tiled[-1][1] == start:
                tiled[-1][1] = end
            else:
                tiled.append([start, end])
        assert tiled == sorted(phrase["spans"]), phrase["text"]
        for start, _ in phrase["spans"]:
            assert page.locator(f'.hl[data-start="{start}"]').count() >= 1
    # Nothing lost or added: the article reads exactly as sent.
    assert page.locator("#article-view").text_content() == text
    return pieces


CONTRAST = """els => els.map(e => {
    const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
    const lum = (c) => rgb(c).map((v) => v / 255).map((v) =>
        v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
        .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
    const style = getComputedStyle(e);
    const [a, b] = [lum(style.color), lum(style.backgroundColor)].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
})"""


def test_seed_article_highlights_sit_on_the_api_spans(
    browser: Browser, page: Page, tmp_path: Path, tiny_model_path: Path
) -> None:
    text = seed_text()
    sizes: dict[str, int] = {}

    def count(response: Any) -> None:
        kind = response.request.resource_type
        if kind in ("document", "script", "stylesheet"):
            sizes[response.url] = len(response.body())

    with gunicorn(tmp_path, seed_model(tiny_model_path)) as server:
        page.on("response", count)
        page.goto(url(server))
        page.wait_for_selector("#app[data-state=ready]")
        page.remove_listener("response", count)
        result = score_in_page(page, text)
        assert_highlights_match(page, text, result)
        top = result["phrases"][0]
        assert page.locator(f'.hl[data-start="{top["spans"][0][0]}"]').first.is_visible()

        # Summary, level meaning, sentence strip and phrase table.
        assert page.text_content("#score-value") == f"{result['score']:.3f}"
        assert page.text_content("#level-value") == result["level"]
        assert page.text_content("#model-version") == result["model_version"]
        assert page.text_content("#level-meaning")
        assert page.locator("#strip .bar").count() == len(result["sentences"])
        for k, sentence in enumerate(result["sentences"]):
            node = page.locator(f"#sentence-{k}")
            assert node.get_attribute("data-start") == str(sentence["start"])
            shown = node.text_content()
            assert shown == text[sentence["start"] : sentence["end"]]
        last = len(result["sentences"]) - 1
        page.click(f'#strip .bar[data-sentence="{last}"]')
        assert page.evaluate("document.activeElement.id") == f"sentence-{last}"
        page.click('#phrases-up button[data-phrase="u0"]')
        focused = page.evaluate("document.activeElement.dataset.start")
        assert int(focused) == top["spans"][0][0]
        assert page.evaluate("document.activeElement.dataset.phrases").split()[0:1]

        # Every tint keeps the text readable (WCAG AA: 4.5:1).
        assert min(page.eval_on_selector_all("#article-view .hl", CONTRAST)) >= 4.5
        # Keyboard: Tab reaches a highlight, Enter opens its details.
        page.focus(".hl")
        tip = page.evaluate("getComputedStyle(document.activeElement, '::after').content")
        assert tip.strip('"') == page.evaluate("document.activeElement.dataset.tip")
        assert re.search(r"[+-]\d\.\d{3}", tip)  # the weight shows on focus
        page.keyboard.press("Enter")
        assert "covered by" in page.text_content("#details")
        assert not page.dialogs and not page.errors, page.errors

        timing, drawing = page.evaluate(
            """[performance.measure('ui', 'ui:submit', 'ui:highlighted').duration,
                performance.measure('draw', 'ui:answered', 'ui:highlighted').duration]"""
        )
        OUTPUT.mkdir(parents=True, exist_ok=True)
        page.evaluate("document.activeElement.blur()")
        page.mouse.move(0, 0)
        page.wait_for_timeout(1800)  # the focus flash (1.6 s) has faded
        page.locator("#result").screenshot(path=str(OUTPUT / "seed.png"))
        page.screenshot(path=str(OUTPUT / "seed-full.png"), full_page=True)
        figures = {
            "model_version": result["model_version"],
            "page_bytes": sum(sizes.values()),
            "page_files": {u.rsplit("/", 1)[-1] or "/": n for u, n in sizes.items()},
            "submit_to_highlight_ms": round(timing, 1),  # the API call and the drawing
            "drawing_ms": round(drawing, 1),
            "highlighted_pieces": page.locator(".hl[data-start]").count(),
        }
        (OUTPUT / "figures.json").write_text(json.dumps(figures, indent=2) + "\n")
        print("ui figures:", json.dumps(figures))
        assert figures["page_bytes"] < 100_000


def test_untrusted_text_stays_inert(page: Page, tiny_server: Server) -> None:
    page.goto(url(tiny_server))
    result = score_in_page(page, XSS_TEXT)
    assert_highlights_match(page, XSS_TEXT, result)
    # Also through a JSONL batch, where the id is untrusted too.
    rows = [
        {"id": "<img src=x onerror=\"window.__pwned='id'\">", "text": XSS_TEXT},
        {"id": "calm", "text": "Both governments signed a trade agreement and welcomed talks."},
    ]
    batch = "\n".join(json.dumps(r) for r in rows).encode()
    page.set_input_files(
        "#file", files=[{"name": "x.jsonl", "mimeType": "text/plain", "buffer": batch}]
    )
    page.wait_for_selector("#app[data-state=done]")
    page.click("#batch-table tbody tr:first-child button")
    page.focus(".hl")
    page.keyboard.press("Enter")
    time.sleep(0.2)  # any handler an injected element had would have run by now
    assert page.evaluate("window.__pwned") is None
    assert not page.dialogs
    assert page.locator("[onerror], [onload]").count() == 0
    assert page.locator("#app script, #app img, #app iframe, #app svg, #app a").count() == 0
    assert page.text_content("#batch-table tbody tr:first-child td:nth-child(2)") == rows[0]["id"]
    assert not page.errors, page.errors  # a CSP refusal would show up here
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / "xss.png"), full_page=True)


def test_astral_characters_map_code_points_to_utf16(page: Page, tiny_server: Server) -> None:
    page.goto(url(tiny_server))
    result = score_in_page(page, EMOJI_TEXT)
    pieces = assert_highlights_match(page, EMOJI_TEXT, result)
    # The offsets are code points: past the emoji they differ from UTF-16 indices.
    first = min(p["start"] for p in pieces)
    assert len(EMOJI_TEXT[:first].encode("utf-16-le")) // 2 > first


def test_txt_upload_is_scored_exactly_as_in_the_file(page: Page, tiny_server: Server) -> None:
    """A .txt file is sent as read (CRLF kept, which a textarea would turn into LF)."""
    text = EMOJI_TEXT.replace(". ", ".\r\n") + "\r\nThe minister threatened force.\r\n"
    page.goto(url(tiny_server))
    with page.expect_response(lambda r: r.url.endswith("/v1/score")) as answer:
        page.set_input_files(
            "#file",
            files=[{"name": "a.txt", "mimeType": "text/plain", "buffer": text.encode("utf-8")}],
        )
    page.wait_for_selector("#app[data-state=done]")
    assert json.loads(answer.value.request.post_data)["text"] == text
    assert_highlights_match(page, text, answer.value.json())


def test_jsonl_batch_is_sorted_by_score_and_opens_each_row(page: Page, tiny_server: Server) -> None:
    rows = [
        {"id": "calm", "text": "Both governments signed a trade agreement and welcomed talks."},
        {"id": "war", "text": "The army threatened a pre-emptive strike and troops mobilised."},
        {"id": "mixed", "text": "Talks on aid collapsed after the minister threatened force."},
    ]
    lines = [json.dumps(r) for r in rows] + ["not json", ""]
    page.goto(url(tiny_server))
    page.set_input_files(
        "#file",
        files=[{"name": "a.jsonl", "mimeType": "text/plain", "buffer": "\n".join(lines).encode()}],
    )
    page.wait_for_selector("#app[data-state=done]")
    table = page.eval_on_selector_all(
        "#batch-table tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )
    scores = [float(r[2]) for r in table if r[2] != "-"]
    assert scores == sorted(scores, reverse=True) and len(scores) == 3
    assert table[-1][3].startswith("not JSON (line 4)")
    ids = [r[1] for r in table[:3]]
    for k, article_id in enumerate(ids):
        page.click(f"#batch-table tbody tr:nth-child({k + 1}) button")
        assert page.text_content("#article-id") == article_id
        text = next(r["text"] for r in rows if r["id"] == article_id)
        assert page.locator("#article-view").text_content() == text


def test_api_key_is_asked_for_and_sent(page: Page, tmp_path: Path, tiny_model_path: Path) -> None:
    with gunicorn(tmp_path, tiny_model_path, ESCALATION_API_KEYS=KEY) as server:
        page.goto(url(server))
        page.fill("#api-key", "wrong-key-0123456789")
        page.fill("#text", EMOJI_TEXT)
        page.click("#score")
        page.wait_for_selector("#app[data-state=error]")
        assert page.text_content("#status").startswith("401")
        page.fill("#api-key", KEY.split(":", 1)[1])
        result = score_in_page(page, EMOJI_TEXT)
        assert result["model_version"] == "tiny-1"
        assert page.evaluate("sessionStorage.getItem('escalation.apiKey')") == KEY.split(":")[1]
        assert page.evaluate("localStorage.length") == 0


def test_warnings_are_shown(page: Page, tiny_server: Server) -> None:
    page.goto(url(tiny_server))
    result = score_in_page(page, "Der Minister drohte gestern mit einem Angriff auf die Stadt.")
    assert result["warnings"]
    shown = page.eval_on_selector_all("#warnings li", "items => items.map(i => i.textContent)")
    assert shown == [f"{w['code']}: {w['message']}" for w in result["warnings"]]


DIRECTIONS = """els => els.map(e => ({dir: e.getAttribute('dir'), lang: e.lang,
    direction: getComputedStyle(e).direction, text: e.textContent}))"""


def test_arabic_reads_right_to_left_with_exact_highlights(
    page: Page, arabic_server: Server
) -> None:
    page.goto(url(arabic_server))
    result = score_in_page(page, ARABIC_TEXT)
    assert result["language"] == "ar" and result["score"] is not None
    pieces = assert_highlights_match(page, ARABIC_TEXT, result)
    # Diacritics stay with their letters: spans end on a combining mark, shown as sent.
    marked = [p for p in pieces if unicodedata.category(ARABIC_TEXT[p["end"] - 1]) == "Mn"]
    assert marked
    # Offsets are code points: past the astral character they differ from UTF-16 indices.
    first = min(p["start"] for p in pieces)
    assert len(ARABIC_TEXT[:first].encode("utf-16-le")) // 2 > first

    # The whole text: right to left, in Arabic; each sentence finds its own direction.
    (view,) = page.eval_on_selector_all("#article-view", DIRECTIONS)
    assert (view["dir"], view["direction"], view["lang"]) == ("rtl", "rtl", "ar")
    sentences = page.eval_on_selector_all("#article-view .sentence", DIRECTIONS)
    assert len(sentences) == len(result["sentences"])
    for shown, sentence in zip(sentences, result["sentences"], strict=True):
        assert shown["text"] == ARABIC_TEXT[sentence["start"] : sentence["end"]]
        assert shown["dir"] == "auto"
        assert shown["direction"] == ("ltr" if shown["text"] == ENGLISH_SENTENCE else "rtl")
    assert any(s["text"].endswith("؟") for s in sentences)
    assert ENGLISH_SENTENCE in [s["text"] for s in sentences]
    # Each phrase chip finds its own direction: an Arabic phrase right to left, a phrase of the
    # English sentence (a real model may list one) left to right.
    chips = page.eval_on_selector_all(".phrases button.link", DIRECTIONS)
    assert chips and all(c["dir"] == "auto" for c in chips)
    for chip in chips:
        arabic = re.search("[\u0600-\u06ff]", chip["text"]) is not None
        assert chip["direction"] == ("rtl" if arabic else "ltr"), chip
    assert any(c["direction"] == "rtl" for c in chips)
    assert page.eval_on_selector("#text", "e => e.matches(':dir(rtl)')")  # as typed, too
    # The page around it stays left to right; the language is named.
    assert page.eval_on_selector("#summary", "e => getComputedStyle(e).direction") == "ltr"
    assert page.text_content("#language-value") == "Arabic (ar)"
    assert page.text_content("#score-value") == f"{result['score']:.3f}"
    assert page.is_hidden("#unscored-note")
    page.focus(".hl")
    page.keyboard.press("Enter")
    words = page.text_content("#details span[dir=auto]")
    assert words and words in ARABIC_TEXT
    assert not page.dialogs and not page.errors, page.errors
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / "arabic.png"), full_page=True)


def assert_unscored_shown(page: Page, text: str, result: dict[str, Any]) -> None:
    """An unscored result: the language and the plain reason, no score, no level colour, no
    sentence bars, no highlights, the text as sent."""
    assert result["score"] is None and result["level"] == "unscored"
    name = page.text_content("#language-value")
    assert name == f"French ({result['language']})"
    assert page.text_content("#score-value") == "not scored"
    assert page.text_content("#level-value") == "unscored"
    level_style = page.eval_on_selector(
        "#level-value", "e => [e.className, getComputedStyle(e).backgroundColor]"
    )
    assert level_style == ["level-none", "rgba(0, 0, 0, 0)"]
    assert page.is_visible("#unscored-note")
    assert f"no model reads {name}" in page.text_content("#unscored-note")
    assert page.text_content("#level-meaning") == ""
    assert page.is_hidden("#strip") and page.locator("#strip .bar").count() == 0
    assert page.locator("#article-view .hl").count() == 0
    assert page.text_content("#article-view") == text
    assert page.eval_on_selector("#article-view", "e => getComputedStyle(e).direction") == "ltr"
    shown = page.eval_on_selector_all(
        "#warnings li strong", "items => items.map(i => i.textContent)"
    )
    assert "unsupported_language" in shown


def test_unscored_language_says_so_without_a_score(page: Page, arabic_server: Server) -> None:
    page.goto(url(arabic_server))
    result = score_in_page(page, FRENCH_TEXT)
    assert result["language"] == "fr"
    assert_unscored_shown(page, FRENCH_TEXT, result)
    assert not page.dialogs and not page.errors, page.errors
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / "unscored.png"), full_page=True)

    # In a batch: scored rows first, the unscored one after them, each row's language shown;
    # opening the unscored row and then a scored one redraws each as it should be.
    rows = [
        {"id": "fr", "text": FRENCH_TEXT},
        {"id": "ar", "text": ARABIC_TEXT},
        {"id": "en", "text": "The army threatened a pre-emptive strike and troops mobilised."},
    ]
    batch = "\n".join(json.dumps(r) for r in rows).encode()
    with page.expect_response(lambda r: r.url.endswith("/v1/score/batch")) as answer:
        page.set_input_files(
            "#file", files=[{"name": "mixed.jsonl", "mimeType": "text/plain", "buffer": batch}]
        )
    page.wait_for_selector("#app[data-state=done]")
    results = {r["id"]: r for r in answer.value.json()["results"]}
    table = page.eval_on_selector_all(
        "#batch-table tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )
    ids = [r[1] for r in table]
    assert ids[-1] == "fr" and sorted(ids) == ["ar", "en", "fr"]
    assert table[-1][2:5] == ["not scored", "unscored", "fr"]
    assert [r[4] for r in table] == [results[i]["language"] for i in ids]
    assert all(re.fullmatch(r"\d\.\d{3}", r[2]) for r in table[:2])
    page.click("#batch-table tbody tr:last-child button")
    assert page.text_content("#article-id") == "fr"
    assert_unscored_shown(page, FRENCH_TEXT, results["fr"])
    page.click(f"#batch-table tbody tr:nth-child({ids.index('ar') + 1}) button")
    assert page.text_content("#article-id") == "ar"
    assert_highlights_match(page, ARABIC_TEXT, results["ar"])
    assert page.is_visible("#strip") and page.is_hidden("#unscored-note")
    assert page.eval_on_selector("#level-value", "e => e.className").startswith("level level-")
    assert page.eval_on_selector("#article-view", "e => getComputedStyle(e).direction") == "rtl"
    assert not page.errors, page.errors
