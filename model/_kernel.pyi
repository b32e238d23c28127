"""Typed stub of the C scoring kernel (`model/_kernel.c`)."""

from collections.abc import Callable

from _typeshed import ReadableBuffer

def split_sentences(text: str, abbreviations: frozenset[str]) -> bytes:
    """`[start, end)` spans of `model.text.split_sentences`, as bytes of int64 pairs."""

class Kernel:
    """Tokenising, feature lookup and TF-IDF arithmetic of one compiled model."""

    def __init__(
        self,
        word_idf: ReadableBuffer,
        word_coef: ReadableBuffer,
        char_idf: ReadableBuffer,
        char_coef: ReadableBuffer,
        ngram_keys: ReadableBuffer,
        ngram_cols: ReadableBuffer,
        width: int,
        max_n: int,
    ) -> None: ...
    def tokenize(self, text: str, resolve: Callable[[str], int]) -> tuple[bytes, bytes, bytes]:
        """(starts int64, ends int64, entries int32) of the text's tokens."""
    def score(
        self,
        entries: ReadableBuffer,
        starts: ReadableBuffer,
        ends: ReadableBuffer,
        mask: ReadableBuffer,
        sentence_mask: ReadableBuffer,
        bounds: ReadableBuffer,
    ) -> tuple[bytes, bytes, bytes, bytes, bytes]:
        """(logits, weights, heads, offsets, spans): see `model.compiled.Scored`."""
    def add_entry(self, unigram: int, ngram_id: int, chars: ReadableBuffer) -> int:
        """The new entry's id."""
    def clear(self) -> None:
        """Forget every entry and surface form."""
    def size(self) -> tuple[int, int, int]:
        """(entries, surface forms, character n-gram columns) held."""
