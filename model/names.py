"""Which words of a text name a state actor (or a day or month), so they produce no features.

One `Names` per language (`model.features.language_rules`): its masked names as a trie of word
forms. The scorer (`model.compiled`) asks `role` and `continues` once per word form, and
`runs` only where a word's role leaves the matter open; training's analyzers ask `mask`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from model.features import NAME_HYPHENS, POSSESSIVE_SUFFIXES

# How `Names.runs` treats a word, from its normalised form alone (`Names.role`).
NEVER, ALONE, PREFIX, MAYBE = 0, 1, 2, 3

_Trie = dict[str, Any]  # word -> sub-trie, and "" -> the name that ends here
_NAME_HYPHEN = re.compile(f"[{re.escape(NAME_HYPHENS)}]")


def _bare(word: str) -> str:
    """A word without a trailing possessive ("'s")."""
    for suffix in POSSESSIVE_SUFFIXES:
        if word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _name_trie(names: frozenset[str]) -> _Trie:
    """Names as a trie of words; a node's "" key holds the name that ends there."""
    root: _Trie = {}
    for name in names:
        node = root
        for word in name.split(" "):
            node = node.setdefault(word, {})
        node[""] = name
    return root


class Names:
    """The masked names of one language."""

    def __init__(self, names: frozenset[str], capitals_only: frozenset[str]) -> None:
        """`names`: lowercase word forms separated by spaces; `capitals_only`: those that are
        also ordinary words ("us"), masked only when written in capitals."""
        self.names, self.capitals_only = names, capitals_only
        self._trie = _name_trie(names)
        # Words that occur in a name after its first word (possessives match via `_bare`).
        self._later = frozenset(w for name in names for w in name.split(" ")[1:])

    def _hyphen_actor(self, text: str, norm: str, start: int, end: int) -> bool:
        """Whether a hyphenated word holds a state name ("US-led", "pro-Russian")."""
        surfaces = _NAME_HYPHEN.split(text[start:end])
        for part, surface in zip(norm.split("-"), surfaces, strict=False):
            name = _bare(part)
            if name in self.names and (name not in self.capitals_only or self.in_capitals(surface)):
                return True
        return False

    def may_start(self, norm: str) -> bool:
        """Whether a name can start at a word with this normalised form: the first word of a
        name (or its possessive), or a hyphenated word holding a name. No name starts at any
        other word, so `runs` need look only at these."""
        if norm in self._trie or _bare(norm) in self._trie:
            return True
        return "-" in norm and any(_bare(part) in self.names for part in set(norm.split("-")))

    def role(self, norm: str) -> int:
        """NEVER: no name starts here. ALONE: a whole name by itself, never part of a longer
        one, not capitals-only: `runs` always makes it a run of its own. PREFIX: not a name by
        itself, only the start of longer ones, so a name starts here only if the next word
        `continues` it. MAYBE: anything else; `runs` must look."""
        if not self.may_start(norm):
            return NEVER
        node = self._trie.get(norm)
        hyphen = "-" in norm
        if node is not None:
            name = node.get("")
            if len(node) == 1 and name is not None and name not in self.capitals_only:
                return ALONE
            bare = self._trie.get(_bare(norm), {}).get("")
            if name is None and bare is None and not hyphen:
                return PREFIX
            return MAYBE
        name = self._trie.get(_bare(norm), {}).get("")
        return ALONE if name is not None and name not in self.capitals_only else MAYBE

    def by_capitals(self, norm: str) -> bool:
        """Whether a word with this form is a capitals-only name by itself ("us"), never the
        start of a longer name: `runs` settles it by its capitals alone (a run of its own in
        capitals, "US", else none)."""
        node = self._trie.get(norm)
        return node is not None and len(node) == 1 and node.get("") in self.capitals_only

    def in_capitals(self, word: str) -> bool:
        """Whether a word as written is in capitals (a trailing possessive aside), as `runs`
        asks of a capitals-only name."""
        return _bare(word).isupper()

    def continues(self, norm: str) -> bool:
        """Whether a word with this form can be the second or a later word of a name."""
        return norm in self._later or _bare(norm) in self._later

    def runs(
        self,
        text: str,
        norms: Sequence[str],
        starts: Sequence[int] | np.ndarray,
        ends: Sequence[int] | np.ndarray,
        candidates: Iterable[int] | None = None,
    ) -> list[tuple[int, int]]:
        """`[start, end)` runs of words (normalised forms and spans) that name a state actor,
        longest match first, scanning left to right. `candidates`: ascending indices of the
        words where `may_start` holds (computed when not given).

        The last word of a name may be possessive ("Russia's"); hyphenated words holding a
        name ("US-led", "Russia-Ukraine") count; names that are also words ("us") count only
        in capitals ("US", "U.S.").
        """
        if candidates is None:
            candidates = [i for i, norm in enumerate(norms) if self.may_start(norm)]
        trie, capitals_only = self._trie, self.capitals_only
        runs: list[tuple[int, int]] = []
        covered = 0  # words before this are inside an earlier run
        size = len(norms)
        for i in candidates:
            if i < covered:
                continue
            # path[j]: the trie node of words i..i+j-1 as written.
            path, node = [trie], trie.get(norms[i])
            while node is not None:
                path.append(node)
                j = i + len(path) - 1  # the next word
                node = node.get(norms[j]) if j < size else None
            for n in range(min(len(path), size - i), 0, -1):
                last = path[n] if n < len(path) else None
                name = last.get("") if last is not None else None
                if name is None:  # the last word's possessive form
                    last = path[n - 1].get(_bare(norms[i + n - 1]))
                    name = last.get("") if last is not None else None
                if name is not None:
                    if name not in capitals_only or all(
                        self.in_capitals(text[starts[j] : ends[j]]) for j in range(i, i + n)
                    ):
                        runs.append((i, i + n))
                        covered = i + n
                        break
            else:
                if "-" in norms[i] and self._hyphen_actor(text, norms[i], starts[i], ends[i]):
                    runs.append((i, i + 1))
        return runs

    def mask(
        self, text: str, norms: Sequence[str], starts: Sequence[int], ends: Sequence[int]
    ) -> list[bool]:
        """Which words belong to a state actor's name (`runs`)."""
        mask = [False] * len(norms)
        for start, end in self.runs(text, norms, starts, ends):
            mask[start:end] = [True] * (end - start)
        return mask
