"""In-process timings through the public API: `Pipeline.predict_proba` (the reference), `score`
(score + phrases + spans + sentences) and `score_many`; and cost against article length.

Each figure is the median wall time of repeated calls, each on a fresh variant of the text
(`texts.variant`), after one warm-up call. Loops stop at a call count or a time budget, whichever
comes first (but never before a minimum count).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from scipy.special import expit

from bench.texts import KB, of_length, variant, variants
from model import Scorer
from model.article import reference_logits

WARMUP = 10**6  # variant numbers used for warm-up calls, away from the measured ones


@dataclass(frozen=True)
class Budget:
    """How long to measure one figure: at least `min_calls`, then up to `max_calls`/`seconds`."""

    min_calls: int
    max_calls: int
    seconds: float


@dataclass(frozen=True)
class Timing:
    """One in-process figure."""

    method: str  # predict_proba | score | score, cold (word caches emptied first) | score_many
    text: str  # seed | sentence
    batch: int  # articles per call
    calls: int
    per_call_ms: float  # median

    @property
    def per_article_ms(self) -> float:
        """Median time per article."""
        return self.per_call_ms / self.batch

    @property
    def articles_per_s(self) -> float:
        """Articles per second at that median."""
        return 1000.0 / self.per_article_ms


@dataclass(frozen=True)
class LengthPoint:
    """Cost of one article of a given length."""

    kb: float
    chars: int
    predict_proba_ms: float
    score_ms: float


def time_calls(
    call: Callable[[int], object], budget: Budget, before: Callable[[], object] | None = None
) -> list[float]:
    """Seconds per call of `call(i)` for i = 0, 1, ... within `budget`, after one warm-up;
    `before` runs untimed before each call."""
    call(WARMUP)
    timings: list[float] = []
    deadline = time.perf_counter() + budget.seconds
    for i in range(budget.max_calls):
        if i >= budget.min_calls and time.perf_counter() > deadline:
            break
        if before is not None:
            before()
        started = time.perf_counter()
        call(i)
        timings.append(time.perf_counter() - started)
    return timings


def median_ms(timings: Sequence[float]) -> float:
    """Median of `timings` (seconds) in milliseconds."""
    ordered = sorted(timings)
    mid = len(ordered) // 2
    middle = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    return middle * 1000.0


def _timing(method: str, label: str, batch: int, timings: Sequence[float]) -> Timing:
    return Timing(method, label, batch, len(timings), median_ms(timings))


def single_and_batch(
    scorer: Scorer, texts: dict[str, str], batch: int, single: Budget, batched: Budget
) -> list[Timing]:
    """predict_proba and score on one article per call; predict_proba and score_many on
    `batch` articles per call; for each named text."""
    pipeline = scorer.artifact.pipeline
    rows: list[Timing] = []
    for label, text in texts.items():

        def one_pp(i: int, text: str = text) -> object:
            return pipeline.predict_proba([variant(text, i)])

        def one_score(i: int, text: str = text) -> object:
            return scorer.score(variant(text, i))

        def many_pp(i: int, text: str = text) -> object:
            return pipeline.predict_proba(variants(text, i * batch, batch))

        def many_score(i: int, text: str = text) -> object:
            return scorer.score_many(variants(text, i * batch, batch))

        rows.append(_timing("predict_proba", label, 1, time_calls(one_pp, single)))
        rows.append(_timing("score", label, 1, time_calls(one_score, single)))
        cold = time_calls(one_score, single, before=scorer.clear_caches)
        rows.append(_timing("score, cold", label, 1, cold))
        rows.append(_timing("predict_proba", label, batch, time_calls(many_pp, batched)))
        rows.append(_timing("score_many", label, batch, time_calls(many_score, batched)))
    return rows


def agreement(scorer: Scorer, texts: Sequence[str]) -> float:
    """Largest |score - reference| over `texts`: `predict_proba` through the article map (the
    fast path must agree)."""
    reference = expit(reference_logits(scorer.artifact.pipeline, scorer.article, list(texts)))
    ours = [s.score for s in scorer.score_many(list(texts))]
    return max(abs(a - float(b)) for a, b in zip(ours, reference, strict=True))


def by_length(
    scorer: Scorer, seed: str, sizes_kb: Sequence[float], budget: Budget
) -> list[LengthPoint]:
    """Median time of score and predict_proba on one article of each size."""
    pipeline = scorer.artifact.pipeline
    points = []
    for kb in sizes_kb:
        text = of_length(seed, kb)

        def pp(i: int, text: str = text) -> object:
            return pipeline.predict_proba([variant(text, i)])

        def score(i: int, text: str = text) -> object:
            return scorer.score(variant(text, i))

        pp_ms = median_ms(time_calls(pp, budget))
        score_ms = median_ms(time_calls(score, budget))
        points.append(LengthPoint(kb, len(text), pp_ms, score_ms))
    return points


def growth_exponent(points: Sequence[LengthPoint], attr: str, from_kb: float = 10) -> float:
    """Least-squares slope of log(time) against log(length) over sizes >= `from_kb`:
    1 is linear, 2 quadratic. Small sizes are left out, where fixed costs dominate."""
    chosen = [p for p in points if p.kb >= from_kb] or list(points)
    if len(chosen) < 2:
        return math.nan
    xs = [math.log(p.chars / KB) for p in chosen]
    ys = [math.log(getattr(p, attr)) for p in chosen]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var
