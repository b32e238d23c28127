"""Actor-swap check: does the score follow the rhetoric or the country named?

Paragraphs written for this check name often-hostile actors; each is scored as written and with
those names replaced by neutral ones (Russia -> Norway, Tehran -> Lisbon, ...). A model that reads
rhetoric changes little: the target is a mean absolute change of at most 0.02.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

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


def swap_actors(text: str) -> str:
    """The text with often-hostile actors replaced by neutral ones."""
    return _SWAP_RE.sub(lambda m: _SWAP_TO[m.group(1)], text)


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
    paragraphs: Sequence[str] = PARAGRAPHS,
) -> SwapResult:
    """Score each paragraph as written and swapped with `predict` (texts -> probabilities)."""
    swapped = [swap_actors(p) for p in paragraphs]
    both = np.asarray(predict([*paragraphs, *swapped]), dtype=float)
    n = len(paragraphs)
    return SwapResult(tuple(both[:n].tolist()), tuple(both[n:].tolist()))
