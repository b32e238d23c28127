"""Typed stub of the C scoring kernel (`model/_kernel.c`); mypy reads it instead of the
compiled module. Methods parsed with `PyArg_ParseTuple` take positional arguments only."""

from _typeshed import ReadableBuffer

RULES: dict[str, str]
"""The character classes the kernel was built with (`KERNEL_RULES` of model/features.py)."""

def split_sentences(text: str, abbreviations: frozenset[str], /) -> bytes:
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
        vocabulary: dict[str, int],
        ngram_ids: dict[str, int],
        char_grams: list[str],
        char_min_n: int,
        char_max_n: int,
    ) -> None: ...
    def tokenize(self, text: str, /) -> list[str]:
        """The word forms of `text` this kernel does not know, first-seen order."""
    def resolve(
        self, norms: list[str], flags: ReadableBuffer, /
    ) -> tuple[bytes, bytes, bytes, bytes]:
        """Entries for the last `tokenize`'s new forms (their normalised forms and flag bytes);
        its tokens' (starts int64, ends int64, entries int32, flags uint8)."""
    def score(
        self,
        entries: ReadableBuffer,
        starts: ReadableBuffer,
        ends: ReadableBuffer,
        mask: ReadableBuffer,
        sentence_mask: ReadableBuffer,
        bounds: ReadableBuffer,
        /,
    ) -> tuple[bytes, bytes, bytes, bytes, bytes]:
        """(logits, weights, heads, offsets, spans): see `model.compiled.Scored`."""
    def words(self) -> list[str]:
        """Each entry's normalised form (a new list after `clear`)."""
    def char_columns(self, norm: str, /) -> bytes:
        """The character n-gram columns of a normalised word, as int32 bytes."""
    def clear(self) -> None:
        """Forget every entry and word form."""
    def size(self) -> tuple[int, int, int, int]:
        """(entries, word forms, character n-gram columns, code points of forms) held."""
