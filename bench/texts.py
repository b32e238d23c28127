"""The benchmark's inputs: the seed article (read at run time), one sentence, and variants.

Every timed call gets a text it has not seen before in that measurement ("Dispatch 17: " in
front of the same article), so a cache, if the scorer ever grows one, cannot flatter a figure.
The prefix adds no sentence and two tokens; the article is otherwise unchanged.
"""

from __future__ import annotations

from pathlib import Path

SENTENCE = "Troops massed at the border as the minister threatened a pre-emptive strike."
KB = 1024  # characters (the seed has a few non-ASCII ones, so slightly more bytes)


def read_seed(path: Path) -> str:
    """The seed article's text (never copied into the repository)."""
    text = path.read_text(encoding="utf-8")
    if not text.strip():
        raise ValueError(f"{path} is empty")
    return text


def variant(text: str, i: int) -> str:
    """Copy number `i` of `text`: same content, a distinct string."""
    return f"Dispatch {i}: {text}"


def variants(text: str, start: int, count: int) -> list[str]:
    """Copies `start` .. `start + count - 1` of `text`."""
    return [variant(text, i) for i in range(start, start + count)]


def of_length(seed: str, kb: float) -> str:
    """About `kb` KB of text: the seed article repeated, cut at the last space before the size."""
    size = round(kb * KB)
    copies = -(-size // (len(seed) + 2)) + 1
    text = "\n\n".join([seed.strip()] * copies)[:size]
    cut = text.rfind(" ")
    return text[:cut] if cut > size // 2 else text
