"""The studies run from the repository root as modules, and name only registered corpora."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from studies import language_study
from studies.diplomatic_study import GENRE_EXPERTS, GENRE_ROUTES
from studies.experiments import EXPERIMENTS
from studies.language_study import STEMMERS
from training.data.registry import LANGUAGE_TRAINING, REGISTRY
from training.data.sources import Corpus, Example, LoadedSource
from training.fit.train import LANGUAGE_BOOSTS

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("studies.experiments", "frontier"),
        ("studies.article_study", "--ngec"),
        ("studies.tagger_study", "verbs"),
        ("studies.language_study", "{ar,es}"),
    ],
)
def test_a_study_runs_as_a_module_from_the_repository_root(module: str, expected: str) -> None:
    run = run_module(module, "--help")
    assert run.returncode == 0, run.stderr
    assert expected in run.stdout


def run_module(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m module args` from the repository root, its output captured."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_variant_trains_on_registered_corpora() -> None:
    for name, variants in EXPERIMENTS.items():
        for variant in variants:
            for corpus in variant.corpora:
                named = corpus.name if isinstance(corpus, Corpus) else corpus
                assert named in REGISTRY, f"{name}: {variant.name}: {named}"
                assert REGISTRY[named].for_training, f"{name}: {variant.name}: {named}"
    for rows in (*GENRE_EXPERTS.values(), *GENRE_ROUTES):
        assert set(rows) <= set(REGISTRY)
    for language in STEMMERS:
        for name, variant in language_study.variants(language).items():
            boosted = {corpus for corpus, _ in variant.config.corpus_boost}
            assert boosted <= set(LANGUAGE_TRAINING[language]), f"{language}: {name}"


def test_the_written_pairs_variants_change_their_weight_only() -> None:
    """Arabic trains its ANT news at 0.2 and its written pairs at 0.5, Spanish its pairs at 2; a
    "pairs xN" variant changes the pairs' weight alone, and "no pairs" and the news-weight
    variants (measured before the pairs existed) train without them."""
    assert LANGUAGE_BOOSTS == {
        "ar": (("ant", 0.2), ("pairs-ar", 0.5)),
        "es": (("pairs-es", 2.0),),
    }
    ar = language_study.variants("ar")
    assert ar["shipped"].written and ar["shipped"].config.corpus_boost == LANGUAGE_BOOSTS["ar"]
    assert ar["pairs x0.5"].written
    assert ar["pairs x0.5"].config.corpus_boost == (("ant", 0.2), ("pairs-ar", 0.5))
    assert not ar["no pairs"].written and ar["no pairs"].config.corpus_boost == (("ant", 0.2),)
    assert not ar["ant x0.5"].written and not ar["stems"].written
    es = language_study.variants("es")
    assert es["pairs x4.0"].config.corpus_boost == (("pairs-es", 4.0),)
    assert es["no pairs"].config.corpus_boost == ()


def test_spanish_news_rows_split_into_title_and_sentences() -> None:
    news = LoadedSource(
        "fakenews-es",
        (
            Example("Sube el precio\n\nEl precio sube. Los clientes protestan.", 0, "g1", "n"),
            Example("Gana el equipo", 0, "g2", "n", topic="Sport"),
        ),
        (),
    )
    rows = language_study.other_rows("es", news).examples
    assert [(e.text, e.group) for e in rows] == [
        ("Sube el precio", "g1"),
        ("El precio sube.", "g1"),
        ("Los clientes protestan.", "g1"),
        ("Gana el equipo", "g2"),
    ]
    assert rows[-1].topic == "Sport" and {e.label for e in rows} == {0}


def test_the_cost_comparison_runs_two_checkouts_alternately(tiny_model_path: Path) -> None:
    """`bench.compare` with this checkout on both sides: each side's rounds and their ratio."""
    seed = tiny_model_path.parent / "seed.txt"
    seed.write_text("Troops massed at the border. Talks collapsed.", encoding="utf-8")
    run = run_module(
        "bench.compare",
        "--before",
        str(ROOT),
        "--before-model",
        str(tiny_model_path),
        "--model",
        str(tiny_model_path),
        "--seed",
        str(seed),
        "--calls",
        "3",
        "--rounds",
        "2",
    )
    assert run.returncode == 0, run.stderr
    assert "before: median of the round medians" in run.stdout
    assert "ratio after/before: median" in run.stdout and "2 rounds of 3 calls" in run.stdout
