"""Typed stub of the C event pattern matcher (`model/_matcher.c`); mypy reads it instead of
the compiled module."""

from _typeshed import ReadableBuffer

class Matcher:
    """The CAMEO verb pattern matcher on the flat tables of one compiled dictionary."""

    def __init__(
        self, vocabulary: dict[str, int], codes: tuple[str, ...], tables: tuple[ReadableBuffer, ...]
    ) -> None: ...
    def match_sentences(
        self, words: list[str], bounds: list[int], /
    ) -> list[tuple[int, str, tuple[int, ...], int]]:
        """`model.events.EventPatterns.match_python`'s matches of each sentence
        `words[bounds[k]:bounds[k + 1]]`, as tuples led by its index k."""
