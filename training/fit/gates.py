"""The quality gate of each language: the figures a language model must reach to ship.

Training measures every check (grouped cross-validation per corpus; held-out ordinary news
scored whole by the final model) and publishes only the languages that pass all of theirs; the
others go to the manifest's `unsupported`, with their figures. A check on a corpus the run did
not train on (the clean-licence profile leaves out the Arabic GSR; a user's own data has none of
them) is reported as skipped.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from model.scoring import DEFAULT_LEVELS

HIGH = dict(DEFAULT_LEVELS)["high"]  # the lower bound of the `high` level


@dataclass(frozen=True)
class Check:
    """One figure and its bound: `kind` "cv" (a corpus' cross-validated ROC-AUC, at least
    `bound`) or "heldout" (a held-out corpus' share of texts at `high` or above, at most
    `bound`)."""

    kind: str
    corpus: str
    bound: float
    trained: str = ""  # a held-out check: the corpus it is the held-out part of

    def applies(self, trained_on: Sequence[str]) -> bool:
        """Whether the run has this check's corpus (a run on other data, such as a user's own
        files, is judged only on what it trained on)."""
        return (self.corpus if self.kind == "cv" else self.trained) in trained_on

    @property
    def name(self) -> str:
        """How the report names it."""
        if self.kind == "cv":
            return f"{self.corpus}: CV ROC-AUC >= {self.bound:.2f}"
        return f"{self.corpus}: share at high+ <= {self.bound:.0%}"

    def passes(self, value: float) -> bool:
        """Whether the figure meets the bound."""
        compare: Callable[[float, float], bool] = operator.ge if self.kind == "cv" else operator.le
        return bool(np.isfinite(value) and compare(value, self.bound))


GATES: dict[str, tuple[Check, ...]] = {
    # The English model's figures when the gate was written, less a small margin.
    "en": (
        Check("cv", "unquad", 0.84),
        Check("cv", "multicoped", 0.90),
        Check("heldout", "wikicurrent-heldout", 0.02, trained="wikicurrent"),
    ),
    # Below the targets of 0.86 and 0.90 (docs/quality.md), which no single model measured meets
    # together (docs/decisions.md, "Arabic training data").
    "ar": (
        Check("cv", "unquad-ar", 0.82),
        Check("cv", "arabic-gsr", 0.80),
        Check("heldout", "ant-heldout", 0.01, trained="ant"),
        Check("heldout", "ant-heldout-titles", 0.01, trained="ant"),
    ),
    "es": (
        Check("cv", "unquad-es", 0.86),
        Check("heldout", "fakenews-es-heldout", 0.05, trained="fakenews-es"),
    ),
}


def heldout_corpora(language: str, trained_on: Sequence[str]) -> tuple[str, ...]:
    """The held-out corpora a language's gate scores after training on `trained_on`."""
    return tuple(
        c.corpus for c in GATES.get(language, ()) if c.kind == "heldout" and c.applies(trained_on)
    )


def high_share(scores: Sequence[float]) -> float:
    """The share of scores at `high` or above."""
    return float(np.mean(np.asarray(scores) >= HIGH)) if len(scores) else float("nan")


def judge(
    language: str,
    trained_on: Sequence[str],
    cv: Mapping[str, Mapping[str, Any]],
    heldout: Mapping[str, Sequence[float]],
) -> dict[str, Any]:
    """The gate's verdict: each check's figure, whether it passed (None when skipped: the run
    did not train on its corpus), and `passed` (every check run passed)."""
    checks = []
    for check in GATES.get(language, ()):
        value = None
        if not check.applies(trained_on):
            pass
        elif check.kind == "cv":
            value = cv.get(check.corpus, {}).get("roc_auc")
        else:
            value = high_share(heldout[check.corpus])
        passed = None if value is None else check.passes(float(value))
        checks.append({"check": check.name, "value": value, "passed": passed})
    return {"checks": checks, "passed": all(c["passed"] is not False for c in checks)}
