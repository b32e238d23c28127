"""One source for the text rules: the kernel is built from the specification's character classes,
every rule is in the specification's digest, and the package reads manifests without a kernel."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from model import features
from model._kernel import RULES
from model.artifact import ArtifactError, load_artifact, read_manifest, save_artifact

REPO_ROOT = Path(__file__).resolve().parents[2]
MANIFEST = {"version": "v1", "sources": []}


def test_the_kernel_was_built_from_the_specification() -> None:
    assert RULES == features.KERNEL_RULES
    assert features.spec()["kernel"] == features.KERNEL_RULES


@pytest.mark.parametrize(
    ("name", "value", "differs_in"),
    [
        ("KERNEL_RULES", {**features.KERNEL_RULES, "sentence_closers": ")]"}, "kernel"),
        ("POSSESSIVE_SUFFIXES", ("'s",), "possessive_suffixes"),
        ("NAME_HYPHENS", "-", "name_hyphens"),
        ("JOINING_RANGES", ((0x1160, 0x11FF),), "joining_ranges"),
        ("MAX_NON_STARTERS", 31, "max_non_starters"),
    ],
)
def test_changing_a_rule_changes_the_digest_and_refuses_old_artifacts(
    tmp_path: Path,
    tiny_pipeline: object,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    value: object,
    differs_in: str,
) -> None:
    path = save_artifact(tiny_pipeline, MANIFEST, tmp_path / "m.joblib")
    before = features.digest()
    monkeypatch.setattr(features, name, value)
    features.spec.cache_clear()
    try:
        assert features.digest() != before
        with pytest.raises(ArtifactError, match=f"they differ in {differs_in}: retrain"):
            load_artifact(path)
    finally:
        monkeypatch.undo()
        features.spec.cache_clear()
    assert features.digest() == before and load_artifact(path).version == "v1"


# Run in a fresh interpreter where importing the compiled kernel fails, as after an install
# without a C compiler.
WITHOUT_KERNEL = """
import importlib.abc, sys

class NoKernel(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "model._kernel":
            raise ModuleNotFoundError("No module named 'model._kernel'", name=name)
        return None

sys.meta_path.insert(0, NoKernel())
import model
from training.fit.card import main as card

print(model.read_manifest(sys.argv[1])["version"])
assert card([sys.argv[1], "--out", sys.argv[2]]) == 0
model.Scorer
"""


@pytest.mark.corpora
def test_without_the_kernel_cards_render_and_scoring_says_what_to_install(
    tmp_path: Path, default_model: Path
) -> None:
    card = tmp_path / "card.md"
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_KERNEL, str(default_model), str(card)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout.strip() == read_manifest(default_model)["version"]
    assert card.is_file(), done.stderr
    assert read_manifest(default_model)["version"] in card.read_text(encoding="utf-8")
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: the scoring kernel model/_kernel.c is not built")
    assert "apt-get install gcc python3-dev" in last
