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

class Scopes:
    """The scope rules of negation, refusal and demands on flat tables."""

    def __init__(
        self,
        vocabulary: dict[str, int],
        suffixes: tuple[tuple[str, int], ...],
        tables: tuple[ReadableBuffer, ...],
    ) -> None: ...
    def find(
        self,
        words: list[str],
        bounds: ReadableBuffer,
        text: str,
        starts: ReadableBuffer,
        ends: ReadableBuffer,
        /,
    ) -> list[tuple[int, int, int, int, int]]:
        """`model.clauses.scopes` of each sentence `words[bounds[k]:bounds[k + 1]]`, as
        (k, kind, cue, first, last)."""

class Events:
    """The event block of a compiled model: occurrences, their weights and phrases."""

    def __init__(
        self,
        codes: dict[str, int],
        function_words: frozenset[str],
        tables: tuple[ReadableBuffer, ...],
        idf: ReadableBuffer,
        coef: ReadableBuffer,
    ) -> None: ...
    def score(
        self,
        matches: list[tuple[int, str, tuple[int, ...], int]],
        scopes: list[tuple[int, int, int, int, int]],
        words: list[str],
        bounds: ReadableBuffer,
        starts: ReadableBuffer,
        ends: ReadableBuffer,
        entries: ReadableBuffer,
        heads: ReadableBuffer,
        logits: ReadableBuffer | None,
        /,
    ) -> tuple[float, list[tuple[int, float]], list[tuple[int, ...]], bytes, bytes, bytes] | None:
        """The event block of one text: its share of the logit, the kernel phrases its phrases
        read as (row, weight), and its other phrases (first tokens, weights, span counts,
        spans); None when the model weighs none of its events. Adds each sentence's share to
        `logits`, where given."""
