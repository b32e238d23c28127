"""Evaluation: grouped bootstrap, confusion, actor swap, and the report command."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from model.artifact import load_release, save_release
from tests.helpers import (
    ARABIC_COOPERATIVE,
    ARABIC_ESCALATORY,
    COOPERATIVE,
    ESCALATORY,
    TINY_MANIFEST,
    tiny_config,
    write_csv,
)
from training.data.sources import Example, LoadedSource
from training.evaluation import evaluate, languages
from training.evaluation.actor_swap import (
    ARABIC_PARAGRAPHS,
    ARABIC_SWAPS,
    PARAGRAPHS,
    actor_swap_check,
    swap_actors,
    with_proclitics,
)
from training.evaluation.checks import ARABIC_EVASION_SENTENCE, arabic_disguises
from training.evaluation.contrast import contrast_dir
from training.evaluation.contrast import read_pairs as read_contrast_pairs
from training.evaluation.intervals import confusion_at, grouped_bootstrap_ci
from training.fit import train


def test_grouped_bootstrap_interval_brackets_the_estimate_and_is_seeded() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    p = np.clip(y * 0.3 + rng.random(400) * 0.7, 0, 1)
    groups = np.arange(400) // 4
    low, high = grouped_bootstrap_ci(y, p, groups, roc_auc_score, reps=300)
    assert low < roc_auc_score(y, p) < high
    assert (low, high) == grouped_bootstrap_ci(y, p, groups, roc_auc_score, reps=300)


def test_grouped_bootstrap_moves_whole_groups() -> None:
    """One group holds every positive: a resample has both classes only when it is drawn."""
    y = np.array([1, 1, 1, 0, 0, 0, 0, 0, 0])
    p = np.linspace(0.9, 0.1, 9)
    groups = np.array([0, 0, 0, 1, 1, 2, 2, 3, 3])
    low, high = grouped_bootstrap_ci(y, p, groups, roc_auc_score, reps=200)
    assert low == high == 1.0  # rows never split from their group, so ranking stays perfect


def test_confusion_at_threshold() -> None:
    c = confusion_at(np.array([1, 1, 0, 0]), np.array([0.9, 0.4, 0.6, 0.1]), 0.5)
    assert (c["tp"], c["fp"], c["fn"], c["tn"]) == (1, 1, 1, 1)
    assert c["precision"] == c["recall"] == 0.5


def test_swap_replaces_longest_names_on_word_boundaries() -> None:
    text = "North Korean envoys met North Korea's allies in Russia; Russians and Iranians agreed."
    expected = (
        "New Zealand envoys met New Zealand's allies in Norway; Russians and Iranians agreed."
    )
    assert swap_actors(text) == expected  # plurals are not on the swap list


def test_actor_swap_check_measures_name_sensitivity() -> None:
    blind = actor_swap_check(lambda texts: np.full(len(texts), 0.5))
    assert blind.mean_abs_change == 0.0 and len(blind.original) == len(PARAGRAPHS)
    biased = actor_swap_check(
        lambda texts: np.array([0.9 if "Russia" in t else 0.1 for t in texts])
    )
    assert biased.max_abs_change == pytest.approx(0.8) and biased.mean_abs_change > 0.02


ARABIC_MARKS = re.compile("[\u064b-\u0652\u0640]")  # tashkeel and tatweel


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("روسيا", "النرويج"),
        ("وروسيا", "والنرويج"),
        ("فروسيا", "فالنرويج"),
        ("بروسيا", "بالنرويج"),
        ("لروسيا", "للنرويج"),  # ل + النرويج is written للنرويج
        ("لإيران", "للبرتغال"),
        ("وللصين", "ولكندا"),  # ل + الصين is للصين: the article goes with the name
        ("بالصين", "بكندا"),
        ("كالصين", "ككندا"),
        ("وبكين", "وأوتاوا"),
        ("لطهران", "للشبونة"),
        ("فبموسكو", "فبأوسلو"),
        ("للكرملين", "لأوسلو"),
        ("وكوريا الشمالية", "ونيوزيلندا"),
        ("وبيونغ يانغ", "وولنغتون"),
        ("لفنزويلا", "للأوروغواي"),
        ("والإيرانية", "والبرتغالية"),
        ("للقوات السورية", "للقوات الأيرلندية"),
        ("وَرُوسيا", "والنرويج"),  # diacritics on a name go with it
        ("الولايات المتحدة وروسيا", "الولايات المتحدة والنرويج"),
    ],
)
def test_arabic_swap_carries_proclitics_over(text: str, expected: str) -> None:
    assert swap_actors(text, "ar") == expected


def test_arabic_swap_keeps_other_words() -> None:
    text = "مرتبكين والروس وروسيانا والولايات المتحدة وفيتنام"  # no listed name is a whole word
    assert swap_actors(text, "ar") == text


def test_lam_before_the_article_is_written_lam_lam() -> None:
    assert with_proclitics("", "ل", "الصين") == "للصين"
    assert with_proclitics("و", "ل", "اللاذقية") == "وللاذقية"
    assert with_proclitics("ف", "ب", "الصين") == "فبالصين"
    assert with_proclitics("و", "ل", "روسيا") == "ولروسيا"


def test_arabic_paragraphs_keep_no_hostile_name_once_swapped() -> None:
    names = [name for name, _ in ARABIC_SWAPS]
    assert len(ARABIC_PARAGRAPHS) == 12
    for paragraph in ARABIC_PARAGRAPHS:
        plain = ARABIC_MARKS.sub("", paragraph)
        assert any(re.search(rf"(?<!\w)\w?\w?{n}(?!\w)", plain) for n in names), paragraph
        swapped = ARABIC_MARKS.sub("", swap_actors(paragraph, "ar"))
        # Any name, bare or with up to two proclitics (و، ف، ب، ل، ك; لل for ل + ال), as a word.
        words = swapped.split()
        for name in names:
            for i in range(len(words) - name.count(" ")):
                phrase = " ".join(words[i : i + name.count(" ") + 1]).strip("،.")
                for head in ("", "و", "ف", "ب", "ل", "ك", "وب", "ول", "وك", "فب", "فل", "فك"):
                    assert phrase != head + name, (name, swapped)
                    if name.startswith("ال"):
                        assert phrase != head + "ل" + name[1:], (name, swapped)


def test_arabic_actor_swap_check_uses_the_arabic_paragraphs() -> None:
    biased = actor_swap_check(
        lambda texts: np.array([0.9 if "روسيا" in t else 0.1 for t in texts]), language="ar"
    )
    assert len(biased.original) == len(ARABIC_PARAGRAPHS)
    assert biased.max_abs_change == pytest.approx(0.8)
    with pytest.raises(ValueError, match="language 'xx'"):
        swap_actors("Russia", "xx")


def test_english_swap_is_the_default_and_unchanged() -> None:
    assert [swap_actors(p) for p in PARAGRAPHS] == [swap_actors(p, "en") for p in PARAGRAPHS]
    assert swap_actors(PARAGRAPHS[0]).startswith("Norway warned on Tuesday")
    assert actor_swap_check(lambda texts: np.full(len(texts), 0.5), language="en").original == (
        0.5,
    ) * len(PARAGRAPHS)


def test_report_on_a_users_labelled_file(tmp_path: Path, tiny_model_path: Path) -> None:
    rows = [(t, 1, f"e{i % 4}") for i, t in enumerate(ESCALATORY)]
    rows += [(t, 0, f"c{i % 4}") for i, t in enumerate(COOPERATIVE)]
    data = write_csv(tmp_path / "held.csv", rows)
    out = tmp_path / "report"
    code = evaluate.main(
        [
            *("--model", str(tiny_model_path), "--data", str(data), "--out", str(out)),
            *("--reps", "50", "--no-ordinary-news", "--no-articles", "--no-events"),
        ]
    )
    assert code == 0
    metrics = json.loads((out / "metrics.json").read_text())
    held = metrics["sections"]["held_out"]
    m = held["metrics"]["held.csv"]
    assert m["n"] == 24 and m["roc_auc_low"] <= m["roc_auc"] <= m["roc_auc_high"]
    assert [c["threshold"] for c in held["confusion"]["held.csv"]] == [0.25, 0.5, 0.8]
    for figure in held["figures"]:
        assert (out / figure).read_bytes()[:4] == b"\x89PNG"
    report = (out / "report.md").read_text()
    assert "## Held out: " in report and "## Actor swap" in report
    assert "held.csv" in report and metrics["model"]["version"] == "tiny-1"


def test_unusable_model_is_a_clear_error(tmp_path: Path, capsys) -> None:
    assert evaluate.main(["--model", str(tmp_path / "none.joblib"), "--out", str(tmp_path)]) == 2
    assert "no model artifact" in capsys.readouterr().err


@pytest.fixture
def user_model(tmp_path: Path, monkeypatch) -> tuple[Path, Path]:
    """A model trained on a user's file (recorded by a relative path, as typed), and the file."""
    monkeypatch.chdir(tmp_path)
    rows = [(t, 1, f"e{i % 6}") for i, t in enumerate(ESCALATORY)]
    rows += [(t, 0, f"c{i % 6}") for i, t in enumerate(COOPERATIVE)]
    data = write_csv(tmp_path / "mine.csv", rows)
    out = tmp_path / "model.joblib"
    args = ["--folds", "3", "--jobs", "1", "--article-calibration", "none"]
    assert train.main([*args, "--data", "mine.csv", "--out", str(out)]) == 0
    return out, data


def evaluate_user_model(model: Path, data: Path, out: Path, *extra: str) -> int:
    """escalation-evaluate on the user's model, small and fast."""
    return evaluate.main(
        [
            *("--model", str(model), "--data", str(data), "--out", str(out), "--jobs", "1"),
            *("--reps", "20", "--no-ordinary-news", "--no-articles", "--no-events", *extra),
        ]
    )


def test_cv_and_baseline_rerun_on_the_users_recorded_file(
    tmp_path: Path, user_model: tuple[Path, Path]
) -> None:
    model, data = user_model
    out = tmp_path / "report"
    assert evaluate_user_model(model, data, out, "--cv", "--baseline") == 0
    sections = json.loads((out / "metrics.json").read_text())["sections"]
    for key in ("cv", "baseline"):
        assert sections[key]["metrics"]["mine.csv"]["n"] == 24
    report = (out / "report.md").read_text()
    assert "## Grouped cross-validation, this configuration" in report
    assert "## Grouped cross-validation, plain baseline" in report
    card = (tmp_path / "model.card.md").read_text()
    # trained on the user's file only: no corpus row (the CAMEO files are the event features')
    assert "the user's own data (`mine.csv`)" in card and "| cameo |" not in card


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p.unlink(), "cannot be read now"),
        (lambda p: p.write_text(p.read_text() + '"one more",1,x\n'), "changed since the model"),
    ],
)
def test_cv_refuses_a_users_file_that_is_gone_or_changed(
    tmp_path: Path, user_model: tuple[Path, Path], capsys, change, message: str
) -> None:
    model, data = user_model
    held = write_csv(tmp_path / "held.csv", [(ESCALATORY[0], 1, "a"), (COOPERATIVE[0], 0, "b")])
    change(data)
    assert evaluate_user_model(model, held, tmp_path / "report", "--cv") == 2
    err = capsys.readouterr().err
    assert "mine.csv" in err and message in err


def test_cv_of_a_model_without_recorded_sources_is_a_clear_error(
    tmp_path: Path, tiny_model_path: Path, capsys
) -> None:
    held = write_csv(tmp_path / "held.csv", [(ESCALATORY[0], 1, "a"), (COOPERATIVE[0], 0, "b")])
    assert evaluate_user_model(tiny_model_path, held, tmp_path / "r", "--cv") == 2
    assert "records no training sources" in capsys.readouterr().err


def test_protocol_link_is_relative_inside_the_repository_and_named_outside(
    tmp_path: Path,
) -> None:
    root = evaluate.PROTOCOL.parents[1]
    assert evaluate.protocol_link(root / "docs" / "report") == (
        "[docs/evaluation.md](../evaluation.md)"
    )
    assert evaluate.protocol_link(root / "build" / "r") == (
        "[docs/evaluation.md](../../docs/evaluation.md)"
    )
    assert "[" not in evaluate.protocol_link(tmp_path)
    assert "docs/evaluation.md" in evaluate.protocol_link(tmp_path)


CV_ROW = {"roc_auc": 0.9, "average_precision": 0.8, "brier": 0.1, "ece": 0.05, "f1": 0.7}


def _two_language_release(path: Path, en_pipeline, ar_pipeline) -> Path:
    """A tiny artifact of an English and an Arabic model (gate and CV figures made up), with
    Spanish listed as trained but unsupported, as `escalation-train` writes them."""
    ar_config = tiny_config("ar", article_calibration="none")
    cv = {"arabic-gsr": dict(CV_ROW, n=24), "pooled": dict(CV_ROW, n=24)}
    gate = {
        "checks": [
            {"check": "arabic-gsr: CV ROC-AUC >= 0.80", "value": 0.9, "passed": True},
            {"check": "ant-heldout: share at high+ <= 1%", "value": 0.0, "passed": True},
        ],
        "passed": True,
    }
    arabic = {
        **TINY_MANIFEST,
        "sources": [{"name": "arabic-gsr", "rows": 24, "positives": 12, "files": []}],
        "hyperparameters": ar_config.to_dict(),
        "metrics": {"cv": cv},
        "gate": gate,
    }
    unsupported = {
        "es": {
            "sources": [],
            "hyperparameters": {},
            "metrics": {"cv": {"unquad-es": dict(CV_ROW, n=30)}},
            "gate": {
                "checks": [
                    {"check": "unquad-es: CV ROC-AUC >= 0.86", "value": 0.5, "passed": False}
                ],
                "passed": False,
            },
        }
    }
    models = {"en": (en_pipeline, dict(TINY_MANIFEST)), "ar": (ar_pipeline, arabic)}
    return save_release(models, path, unsupported)


def _source(name: str, texts: list[str], labels: list[int], topics: list[str]) -> LoadedSource:
    examples = tuple(
        Example(t, y, f"g{i % 6}", name, topic=topic)
        for i, (t, y, topic) in enumerate(zip(texts, labels, topics, strict=True))
    )
    return LoadedSource(name, examples, ())


def _tiny_corpora(name: str) -> LoadedSource:
    """Stand-ins for the ANT articles: cooperative sentences (one held-out category of three
    sentences in one text), two of them as titles and, unlabelled, escalatory ones."""
    if name == "ant-heldout":
        texts = [*ARABIC_COOPERATIVE[:6], " ".join(ARABIC_COOPERATIVE[6:9])]
        return _source(name, texts, [0] * 7, ["sport"] * 4 + ["economy"] * 3)
    if name == "ant-heldout-titles":
        return _source(name, ARABIC_COOPERATIVE[:2], [0, 0], ["sport", "sport"])
    assert name == "ant-mixed"
    texts = ARABIC_ESCALATORY[:5]
    return _source(name, texts, [0] * 5, ["politic", "politic", "localNews", "politic", "politic"])


def _tiny_gsr(manifest) -> list[LoadedSource]:
    """The Arabic model's recorded training source, the tiny Arabic sentences as the GSR."""
    assert [s["name"] for s in manifest["sources"]] == ["arabic-gsr"]
    texts = [*ARABIC_ESCALATORY, *ARABIC_COOPERATIVE]
    labels = [1] * len(ARABIC_ESCALATORY) + [0] * len(ARABIC_COOPERATIVE)
    return [_source("arabic-gsr", texts, labels, ["ASSAULT"] * len(texts))]


def test_language_sections_of_a_two_language_artifact(
    tmp_path: Path, tiny_pipeline, tiny_arabic_pipeline
) -> None:
    path = _two_language_release(tmp_path / "two.joblib", tiny_pipeline, tiny_arabic_pipeline)
    release = load_release(path)
    scorers = languages.compile_router(release).scorers
    options = languages.LanguageOptions(
        cv=True, news=True, corpus=_tiny_corpora, training=_tiny_gsr
    )
    steps: list[str] = []
    sections = languages.language_sections(release, scorers, options, steps.append)
    assert steps == [
        "Arabic (ar): cross-validation",
        "Arabic (ar): news articles, actor swap, explanation",
    ]
    assert len(steps) == languages.language_steps(release, cv=True)
    assert list(sections["published"]) == ["ar"] and list(sections["unsupported"]) == ["es"]
    ar = sections["published"]["ar"]

    gsr = ar["gsr"]["figures"]
    assert (gsr["n_yes"], gsr["n_no"], gsr["negatives"]) == (12, 12, "easy no")
    assert 0 <= gsr["yes_at_high"] <= 1 and gsr["mean_yes"] > gsr["mean_no"]

    news = ar["news"]["figures"]
    assert list(news["by_topic"]) == [
        "ant-heldout: all",
        "ant-heldout: economy",
        "ant-heldout: sport",
        "ant-heldout-titles: all",
        "ant-heldout-titles: sport",
        "ant-mixed: all",
        "ant-mixed: localNews",
        "ant-mixed: politic",
    ]
    assert news["by_topic"]["ant-heldout: all"]["n"] == 7
    assert list(news["by_topic"]["ant-mixed: all"]["at_or_above"]) == ["elevated", "high", "severe"]
    heldout_lengths = news["by_length"]["ant-heldout"]
    assert [b["n"] for b in heldout_lengths.values()] == [6, 1, 0, 0, 0]  # 1, 2-3, 4-7, ...
    assert heldout_lengths["4-7"]["mean"] is None
    assert ar["article_map"] is None  # the Arabic model scores texts of any length as trained

    swap = ar["actor_swap"]
    assert len(swap["original"]) == len(ARABIC_PARAGRAPHS)
    assert swap["max_abs_change"] >= swap["mean_abs_change"] >= 0

    evasion = ar["evasion"]  # the Arabic sentence, disguised, scored by the Arabic model
    assert list(evasion["disguised"]) == list(arabic_disguises(ARABIC_EVASION_SENTENCE))
    assert evasion["plain"] == pytest.approx(scorers["ar"].score(ARABIC_EVASION_SENTENCE).score)
    assert evasion["max_abs_change"] < 1e-9  # each disguise reads as the plain sentence
    assert languages.render_evasion(None) == []

    contrast = ar["contrast"]  # the Arabic contrast set, scored by the Arabic model
    assert contrast["files"] == ["docs/contrast/ar/pairs-a.tsv"]
    every = contrast["summary"]["all"]
    assert every["pairs"] == 90 and list(contrast["summary"])[-1] == "all"
    assert [c["pairs"] for n, c in contrast["summary"].items() if n != "all"] == [10] * 9
    pairs = read_contrast_pairs(contrast_dir("ar"))
    scored = [(scorers["ar"].score(p.escalatory), scorers["ar"].score(p.calm)) for p in pairs]
    assert every["ordered_right"] == sum(up.score > down.score for up, down in scored)
    assert every["calm_high"] == sum(down.score >= 0.5 for _, down in scored)
    assert every["shares"]["calm_high"] == every["calm_high"] / 90
    assert languages.render_language_contrast(None) == []

    explained = ar["explanation"]
    text = explained["text"]
    assert text == languages.EXPLAINED["ar"] and ARABIC_MARKS.search(text)
    assert explained["level"] in ("low", "elevated", "high", "severe")
    rows = explained["phrases"] + explained["deescalating_phrases"]
    assert rows and all(row["checked"] for row in rows)
    for row in rows:
        assert row["as_written"] == [text[s:e] for s, e in row["spans"]]
    assert any(ARABIC_MARKS.search(w) for row in rows for w in row["as_written"])

    markdown = "\n".join(languages.render_languages(sections, ["elevated", "high", "severe"]))
    assert markdown.index("## Arabic (ar)") < markdown.index("## Spanish (es)")
    for expected in (
        "| arabic-gsr: CV ROC-AUC >= 0.80 | 0.900 | yes |",
        "| arabic-gsr | 0.900 | 0.800 | 0.100 | 0.050 | 0.700 | 24 |",
        "| yes | 12 |",
        "| easy no | 12 |",
        "| ant-heldout: sport | 4 |",
        "| ant-heldout-titles: sport | 2 |",
        "headlines a monitor sends",
        "| 16+ | 0 | - | - | 0 | - | - |",
        "The Arabic model has no article map",
        "no labels, so a distribution",
        "(target ≤ 0.02)",
        "| Persian keyboard letters | ",
        "| NFD against NFC (hamza letters decomposed) | ",
        "Every span checked",
        "### Contrast set",
        "90 minimal pairs in `docs/contrast/ar/pairs-a.tsv`",
        f"| **all** | 90 | {100 * every['shares']['ordered_right']:.1f}% |",
        "Not published: missed its gate.",
        "| unquad-es: CV ROC-AUC >= 0.86 | 0.500 | **no** |",
        "(`fakenews-es-heldout`) and the mixed articles (`fakenews-es-mixed`): not computable",
    ):
        assert expected in markdown, expected
    for phrase in rows:  # each span's text, as written, is in the table
        assert ", ".join(phrase["as_written"]) in markdown

    # Deterministic: the same sections (CV included) and the same Markdown on a second run.
    again = languages.language_sections(release, scorers, options)
    assert json.dumps(again, sort_keys=True) == json.dumps(sections, sort_keys=True)

    # Without --cv the GSR figures say what they need; without the news corpora, so does that.
    lean = languages.LanguageOptions(cv=False, news=False, corpus=_tiny_corpora)
    plain = languages.language_sections(release, scorers, lean)
    markdown = "\n".join(languages.render_languages(plain, ["elevated", "high", "severe"]))
    assert "they need --cv" in markdown and "Not scored (--no-ordinary-news)" in markdown
    assert languages.language_steps(release, cv=False) == 1


def test_a_second_language_adds_sections_after_the_english_report_unchanged(
    tmp_path: Path, tiny_model_path: Path, tiny_pipeline, tiny_arabic_pipeline
) -> None:
    rows = [(t, 1, f"e{i % 4}") for i, t in enumerate(ESCALATORY)]
    rows += [(t, 0, f"c{i % 4}") for i, t in enumerate(COOPERATIVE)]
    data = write_csv(tmp_path / "held.csv", rows)
    two = _two_language_release(tmp_path / "two.joblib", tiny_pipeline, tiny_arabic_pipeline)
    reports = []
    for model in (tiny_model_path, two):
        out = tmp_path / model.stem
        args = ["--model", str(model), "--data", str(data), "--out", str(out), "--reps", "50"]
        code = evaluate.main(
            [*args, "--no-ordinary-news", "--no-articles", "--no-events", "--jobs", "1"]
        )
        assert code == 0
        text = (out / "report.md").read_text(encoding="utf-8")
        reports.append(text.split("\n", 3)[3])  # after the title and the run's own line
    english, both = reports
    assert both.startswith(english.rstrip("\n"))  # the English part as an English-only model's
    added = both[len(english.rstrip("\n")) :]
    assert added.startswith("\n\n## Arabic (ar)\n") and "\n## Spanish (es)\n" in added
    assert "they need --cv" in added and "Not scored (--no-ordinary-news)" in added
