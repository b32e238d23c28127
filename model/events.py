"""CAMEO event codes from the PETRARCH-2 verb pattern dictionary, matched without a parser.

`EventPatterns.compile(dictionary, codes_csv)` turns the text of `CAMEO.2.0.txt` (its format:
PETRARCH-2's `dictionaries.rst`, "Verb Dictionary") and of `cameo-codes.csv` into word-form
tables; `match(words)` codes one tokenised sentence. The module reads no file itself.

The approximation
-----------------
PETRARCH-2 codes a verb phrase of a constituency parse. Here a sentence is a flat list of
lowercase tokens, so:

* Verb forms: every verb of a block (a plain word, or a multi-word verb whose words `_` joins
  and whose inflected word `+` marks) with all its forms from lemminflect (upos VERB; the OOV
  rules when lemminflect does not know the word) plus the irregular forms written in `{...}`.
  A form written in the file wins over a generated one, then the first in file order wins
  (PETRARCH-2 keeps the first too). A multi-word verb needs its words consecutive; the
  longest verb phrase at a token wins. A verb form right after a determiner or a possessive
  (`NOUN_MARKERS`, "russia's") is read as a noun and is no verb occurrence, nor is one in a
  few fixed news phrases (`NON_VERB_BIGRAMS`: "according to", "united states", "in march").
* A verb's own code: the `[code]` on its line, else its block header's; `---` (or none) is the
  null code: the verb alone is no event, its block's patterns still apply.
* Patterns `- BEFORE * AFTER [CODE]` apply to every verb of their block. Words are nouns: the
  regular plural is added (S; IES after a consonant + Y; ES after SS, and after CH, SH, X, Z,
  beyond dictionaries.rst) unless the word ends in `_` or already ends in a single S. `{A B}`
  and `A_B` are consecutive words (plural on the last word only); `(PREP NOUN)` is the
  preposition then its noun; `A/B` are alternatives; `&NAME` is a synonym set (members with
  their plurals unless the label or the member ends in `_`). `$`, `+`, `%`, `^` and other
  non-words need no token. A pattern with an undefined synset, no code, a code absent from
  the CAMEO table, no word at all, or the same text as an earlier pattern of its block is
  dropped and counted in `rules()`.
* Codes `[A:B]`: PETRARCH-2 reads A as the active and B as the passive meaning. The event code
  is A; it is B when the verb occurrence is passive and B is given, or when A is empty
  (`[:173]`). `---` is the null code: a pattern with it that wins emits nothing.
* Matching: the BEFORE elements in order within `WINDOW_BEFORE` tokens before the first verb
  word, the AFTER elements in order within `WINDOW_AFTER` tokens after the last verb word.
  Passive: when a form of "be" stands within `PASSIVE_LOOKBACK` tokens before the verb and the
  verb form can be a past participle, the AFTER elements may instead stand in the before
  window (and the BEFORE elements in the after window): "the ceasefire was breached" matches
  `* &CEASEFIRE`. Verb-verb combinations and transformations (`~` lines) are not applied.
* Per verb occurrence at most one match: the pattern with the most matched tokens (ties: the
  first in file order); with none, the verb's own code unless null, and for a form that is
  also a noun only where a verb stands (`VERB_BEFORE`, `VERB_AFTER`). A verb-only match whose
  verb token another match used as a pattern word ("talks" in "peace talks collapsed") is
  dropped: that token was a noun.

Cost: one dict lookup per token; pattern checks only at verb hits, each first filtered on
whether the sentence holds a first word of every element. `match` runs these rules in C
(`model/_matcher.c`, on integer tables built from the compiled table on first use) when the
extension is built; `match_python` is their definition, and tests hold the two equal.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from model._matcher import Matcher

__all__ = [
    "BE_FORMS",
    "NON_VERB_BIGRAMS",
    "NOUN_MARKERS",
    "PASSIVE_LOOKBACK",
    "VERB_AFTER",
    "VERB_BEFORE",
    "WINDOW_AFTER",
    "WINDOW_BEFORE",
    "EventCode",
    "EventPatterns",
    "Match",
    "read_codes",
]

WINDOW_BEFORE = 6
WINDOW_AFTER = 8
PASSIVE_LOOKBACK = 2
BE_FORMS = frozenset({"be", "is", "are", "was", "were", "been", "being"})
NOUN_MARKERS = frozenset(
    {"a", "an", "the", "this", "these", "those", "its", "their", "his", "our", "my", "your"}
    | {"every", "each", "no", "another"}
)
# Word pairs in which a verb form of the dictionary is a name, a month or a preposition in news
# text ("according to", "united states", "in march"): neither word is a verb occurrence there.
NON_VERB_BIGRAMS = frozenset(
    {("according", "to"), ("united", "states"), ("united", "nations"), ("united", "kingdom")}
    | {("united", "arab"), ("member", "states"), ("gulf", "states"), ("arab", "states")}
    | {(p, "march") for p in ("in", "on", "since", "until", "by", "last", "early", "late", "mid")}
)
# Tokens ending in "'s" that are contractions of "is"/"has", not possessives.
_CONTRACTIONS = frozenset(
    {"it's", "that's", "he's", "she's", "there's", "what's", "who's", "here's", "let's"}
    | {"where's", "how's"}
)
NULL_CODE = "---"
# A verb form that is also a noun ("attacks", "states", "talks") gives its verb's own code (no
# pattern matched) only where a verb stands: after one of `VERB_BEFORE` (or a word ending in
# "n't"), or before one of `VERB_AFTER`. Its noun readings are often no event ("the states",
# "his remarks"); the word features still read them.
VERB_BEFORE = frozenset(
    "i we you he she they who to will would shall should can could may might must did do does "
    "not never also reportedly allegedly then".split()
)
VERB_AFTER = frozenset("the a an its their his her this these those him them us me our".split())

Phrase = tuple[str, ...]
Slot = dict[str, tuple[Phrase, ...]]  # first word -> the rest of each phrase, longest first
Elem = tuple[Slot, ...]  # consecutive slots
Code = tuple[str | None, str | None]  # (active, passive)

_CODE_RE = re.compile(r"\[([^\]]*)\]")
_BRACES_RE = re.compile(r"\{([^}]*)\}")
_WORDISH = re.compile(r"[a-z0-9]")
_MARKERS = frozenset({"$", "+", "%", "^"})


class Match(NamedTuple):
    """One coded verb occurrence: its CAMEO code, every matched token, its first verb token."""

    code: str
    tokens: tuple[int, ...]
    verb: int


@dataclass(frozen=True)
class EventCode:
    """A CAMEO code as `cameo-codes.csv` names it."""

    code: str
    root: str
    name: str
    goldstein: float


class _Pattern(NamedTuple):
    code: Code
    before: tuple[Elem, ...]
    after: tuple[Elem, ...]
    keys: tuple[frozenset[str], ...]  # first words of each element's first slot
    line: int


class _Form(NamedTuple):
    prefix: Phrase  # verb words before the indexed (inflected) word
    suffix: Phrase  # verb words after it
    verb: int
    participle: bool  # may be a past participle (passive voice)
    noun: bool = False  # a single word that is also a noun ("attacks", "states", "talks")


class _Verb(NamedTuple):
    code: Code
    block: int


class _Drop(Exception):
    """A pattern that cannot be compiled, with the reason counted in `rules()`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _plural(word: str) -> str | None:
    if not word or not word[-1].isalpha():
        return None
    if word.endswith(("ss", "ch", "sh", "x", "z")):
        return word + "es"
    if word.endswith("s"):
        return None
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def read_codes(codes_csv: str) -> dict[str, EventCode]:
    """Every code of the CAMEO codebook's CSV text (root codes "01".."20" included)."""
    codes: dict[str, EventCode] = {}
    for row in csv.DictReader(io.StringIO(codes_csv)):
        code = (row.get("code") or "").strip()
        if not code:
            continue
        goldstein = (row.get("goldstein") or "").strip()
        codes[code] = EventCode(
            code=code,
            root=(row.get("root_code") or code[:2]).strip(),
            name=(row.get("name") or "").strip(),
            goldstein=float(goldstein) if goldstein not in ("", "NA") else float("nan"),
        )
    return codes


def _phrase(text: str) -> Phrase:
    return tuple(w for w in re.split(r"[_\s]+", text.lower()) if w)


class _Builder:
    """Reads the dictionary text line by line into blocks, verbs and patterns."""

    def __init__(self, known: dict[str, EventCode]) -> None:
        self.known = known
        self.synsets: dict[str, list[Phrase]] = {}
        self.synset_slots: dict[str, Slot] = {}
        self.slots: dict[frozenset[Phrase], Slot] = {}
        self.keys: dict[int, frozenset[str]] = {}
        self.blocks: list[list[_Pattern]] = []
        self.signatures: list[set[tuple[str, str, str]]] = []
        self.block_codes: list[Code] = []
        self.verbs: list[tuple[Phrase, int, list[tuple[Phrase, int]], Code, int]] = []
        self.dropped: dict[str, int] = {}
        self.counts = {"transformations_ignored": 0, "stray_lines": 0, "verb_codes_dropped": 0}
        self.patterns_null = 0
        self.slash_alternatives = 0

    # --- lines -----------------------------------------------------------------------------

    def feed(self, text: str) -> None:
        mode = ""
        label = ""
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            if line.startswith("---"):
                mode = "block"
                codes = _CODE_RE.findall(line)
                self.block_codes.append(self._verb_code(codes[0]) if codes else (None, None))
                self.blocks.append([])
                self.signatures.append(set())
            elif line.startswith("-"):
                self._pattern(line[1:], number)
            elif line.startswith("&"):
                mode, label = "synset", line.split()[0].upper()
                self.synsets.setdefault(label, [])
            elif line.startswith("~"):
                self.counts["transformations_ignored"] += 1
            elif mode == "synset" and line.startswith("+"):
                self._member(label, line[1:])
            elif mode == "block":
                self._verb_line(line)
            else:
                self.counts["stray_lines"] += 1

    def _member(self, label: str, text: str) -> None:
        text = text.strip().replace(" ", "_")
        words = _phrase(text)
        if not words:
            return
        members = self.synsets[label]
        members.append(words)
        if not text.endswith("_") and not label.endswith("_"):
            plural = _plural(words[-1])
            if plural:
                members.append((*words[:-1], plural))

    def _verb_code(self, text: str) -> Code:
        try:
            return self._code(text)
        except _Drop:
            self.counts["verb_codes_dropped"] += 1
            return (None, None)

    def _code(self, text: str) -> Code:
        parts = [p.strip() for p in text.split(":")]
        if len(parts) > 2:
            raise _Drop("malformed_code")
        found = [None if p in ("", NULL_CODE) else p for p in parts]
        for code in found:
            if code is not None and code not in self.known:
                raise _Drop("unknown_code")
        return (found[0], found[1] if len(found) > 1 else None)

    def _verb_line(self, line: str) -> None:
        codes = _CODE_RE.findall(line)
        text = _CODE_RE.sub(" ", line)
        braces = _BRACES_RE.search(text)
        head = _BRACES_RE.sub(" ", text).split()
        if not head:
            self.counts["stray_lines"] += 1
            return
        code = self._verb_code(codes[-1]) if codes else self.block_codes[-1]
        words, index = self._verb_words(head[0], 0)
        if not words:
            self.counts["stray_lines"] += 1
            return
        extra = [self._verb_words(t, index) for t in braces.group(1).split()] if braces else []
        extra = [(w, i) for w, i in extra if w]
        self.verbs.append((words, index, extra, code, len(self.blocks) - 1))

    @staticmethod
    def _verb_words(token: str, default: int) -> tuple[Phrase, int]:
        parts = [p for p in token.lower().split("_") if p]
        index = next((k for k, p in enumerate(parts) if p.startswith("+")), default)
        return tuple(p.lstrip("+") for p in parts), min(index, max(len(parts) - 1, 0))

    # --- patterns --------------------------------------------------------------------------

    def _pattern(self, body: str, number: int) -> None:
        try:
            if not self.blocks:
                raise _Drop("outside_block")
            codes = _CODE_RE.findall(body)
            if not codes:
                raise _Drop("no_code")
            text = body[: body.rfind("[")]
            if text.count("*") != 1:
                raise _Drop("malformed")
            before_text, after_text = text.split("*")
            before = self._elements(before_text)
            after = self._elements(after_text)
            if not before and not after:
                raise _Drop("no_words")
            code = self._code(codes[-1])
            signature = (" ".join(before_text.split()), " ".join(after_text.split()), codes[-1])
            if signature in self.signatures[-1]:
                raise _Drop("duplicate")
        except _Drop as drop:
            self.dropped[drop.reason] = self.dropped.get(drop.reason, 0) + 1
            return
        self.signatures[-1].add(signature)
        if code == (None, None):
            self.patterns_null += 1
        keys = tuple(self._keys(elem[0]) for elem in (*before, *after))
        self.blocks[-1].append(_Pattern(code, tuple(before), tuple(after), keys, number))

    def _keys(self, slot: Slot) -> frozenset[str]:
        key = self.keys.get(id(slot))
        if key is None:
            key = self.keys[id(slot)] = frozenset(slot)
        return key

    def _elements(self, text: str) -> list[Elem]:
        tokens = re.sub(r"([(){}])", r" \1 ", text).split()
        out: list[Elem] = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token in "({":
                close = ")" if token == "(" else "}"
                try:
                    j = tokens.index(close, i + 1)
                except ValueError:
                    raise _Drop("malformed") from None
                inner = tokens[i + 1 : j]
                if any(t in "(){}" for t in inner if len(t) == 1) and token == "{":
                    raise _Drop("malformed")
                if token == "{":
                    slots = [s for t in inner for s in self._slots(t, plural=False)]
                    if inner and _WORDISH.search(inner[-1].lower()) and slots:
                        slots[-1:] = self._slots(inner[-1], plural=True)[-1:]
                    if slots:
                        out.append(tuple(slots))
                else:
                    if inner and inner[0] not in "{}" and not inner[0].startswith("&"):
                        prep = self._slots(inner[0], plural=False)
                        if prep:
                            out.append(tuple(prep))
                        inner = inner[1:]
                    out.extend(self._elements(" ".join(inner)))
                i = j + 1
            elif token in ")}":
                raise _Drop("malformed")
            else:
                slots = self._slots(token, plural=True)
                if slots:
                    out.append(tuple(slots))
                i += 1
        return out

    def _slots(self, token: str, plural: bool) -> list[Slot]:
        """The consecutive slots of one token (`A_B`, `&SET`, `A/B`); markers give none."""
        upper = token.upper()
        if upper in _MARKERS or not (upper.startswith("&") or _WORDISH.search(token.lower())):
            return []
        if upper.startswith("&"):
            name = upper.rstrip(")}")
            if name in self.synsets:
                return [self._synset(name)]
            raise _Drop("undefined_synset")
        plural = plural and not token.endswith("_")
        parts = [p for p in upper.split("_") if p]
        slots: list[Slot] = []
        for k, part in enumerate(parts):
            if part.startswith("&"):
                if part not in self.synsets:
                    raise _Drop("undefined_synset")
                slots.append(self._synset(part))
                continue
            words = [w for w in part.lower().split("/") if _WORDISH.search(w)]
            if len(words) > 1:
                self.slash_alternatives += 1
            phrases: set[Phrase] = {(w,) for w in words}
            if plural and k == len(parts) - 1:
                phrases |= {(p,) for w in words if (p := _plural(w))}
            if phrases:
                slots.append(self._slot(phrases))
        return slots

    def _synset(self, name: str) -> Slot:
        slot = self.synset_slots.get(name)
        if slot is None:
            slot = self.synset_slots[name] = self._slot(set(self.synsets[name]))
        return slot

    def _slot(self, phrases: set[Phrase]) -> Slot:
        key = frozenset(phrases)
        slot = self.slots.get(key)
        if slot is None:
            tails: dict[str, list[Phrase]] = {}
            for phrase in phrases:
                tails.setdefault(phrase[0], []).append(phrase[1:])
            slot = self.slots[key] = {
                first: tuple(sorted(rest, key=lambda t: (-len(t), t)))
                for first, rest in sorted(tails.items())
            }
        return slot


def _fit(slots: Elem, k: int, words: tuple[str, ...], p: int, hi: int) -> int:
    """End (exclusive) of the longest fit of slots[k:] at p, or -1."""
    if k == len(slots):
        return p
    if p >= hi:
        return -1
    tails = slots[k].get(words[p])
    if tails is None:
        return -1
    for tail in tails:
        q = p + 1 + len(tail)
        if q <= hi and words[p + 1 : q] == tail:
            end = _fit(slots, k + 1, words, q, hi)
            if end >= 0:
                return end
    return -1


def _in_order(
    elems: tuple[Elem, ...], words: tuple[str, ...], lo: int, hi: int
) -> list[int] | None:
    """Token indices of the elements found in order within [lo, hi), or None."""
    out: list[int] = []
    pos = lo
    for elem in elems:
        for p in range(pos, hi):
            end = _fit(elem, 0, words, p, hi)
            if end >= 0:
                out.extend(range(p, end))
                pos = end
                break
        else:
            return None
    return out


def _pick(code: Code, passive: bool) -> str | None:
    active, passive_code = code
    if passive_code is not None and (passive or active is None):
        return passive_code
    return active


@dataclass(frozen=True, eq=False)
class EventPatterns:
    """The compiled dictionary: immutable after compile, picklable, small."""

    source_sha256: str
    sha256: str
    codes: dict[str, EventCode] = field(repr=False)
    _forms: dict[str, tuple[_Form, ...]] = field(repr=False)
    _verbs: tuple[_Verb, ...] = field(repr=False)
    _blocks: tuple[tuple[_Pattern, ...], ...] = field(repr=False)
    _counts: dict[str, object] = field(repr=False)

    @classmethod
    def compile(cls, dictionary: str, codes_csv: str) -> EventPatterns:
        """Compile the verb dictionary text against the CAMEO codes table text."""
        # A training-time dependency, without type hints.
        from lemminflect import (  # type: ignore[import-untyped]
            getAllInflections,
            getAllInflectionsOOV,
            getAllLemmas,
        )

        def inflections(word: str) -> dict[str, tuple[str, ...]]:
            found: dict[str, tuple[str, ...]] = getAllInflections(word, upos="VERB")
            return found or getAllInflectionsOOV(word, upos="VERB")

        def is_noun(word: str) -> bool:
            return "NOUN" in getAllLemmas(word)

        known = read_codes(codes_csv)
        builder = _Builder(known)
        builder.feed(dictionary)
        return cls._assemble(dictionary, known, builder, inflections, is_noun)

    @classmethod
    def _assemble(
        cls,
        dictionary: str,
        known: dict[str, EventCode],
        builder: _Builder,
        inflections: Callable[[str], dict[str, tuple[str, ...]]],
        is_noun: Callable[[str], bool] = lambda word: False,
    ) -> EventPatterns:
        verbs = tuple(_Verb(code, block) for _w, _i, _e, code, block in builder.verbs)
        # Pass 1: forms written in the file; pass 2: lemminflect's. First wins.
        written: list[tuple[Phrase, int, int, bool]] = []
        generated: list[tuple[Phrase, int, int, bool]] = []
        for vid, (words, index, extra, _code, _block) in enumerate(builder.verbs):
            written.append((words, index, vid, False))
            for form, at in extra:
                inflected = form[at]
                participle = not inflected.endswith(("ing", "s")) or inflected.endswith("ss")
                written.append((form, at, vid, participle))
            for tag, inflected_forms in inflections(words[index]).items():
                for inflected in inflected_forms:
                    phrase = (*words[:index], inflected.lower(), *words[index + 1 :])
                    generated.append((phrase, index, vid, tag in ("VBD", "VBN")))
        seen: dict[Phrase, _Form] = {}
        index_of: dict[Phrase, int] = {}
        shadowed = 0
        for phrase, index, vid, participle in (*written, *generated):
            if phrase in seen:
                old = seen[phrase]
                if old.verb == vid and participle and not old.participle:
                    seen[phrase] = old._replace(participle=True)
                elif old.verb != vid:
                    shadowed += 1
                continue
            noun = len(phrase) == 1 and is_noun(phrase[0])
            seen[phrase] = _Form(phrase[:index], phrase[index + 1 :], vid, participle, noun)
            index_of[phrase] = index
        by_word: dict[str, list[_Form]] = {}
        for phrase, entry in seen.items():
            by_word.setdefault(phrase[index_of[phrase]], []).append(entry)
        forms = {
            word: tuple(sorted(found, key=lambda f: -(len(f.prefix) + len(f.suffix))))
            for word, found in sorted(by_word.items())
        }
        blocks = tuple(tuple(b) for b in builder.blocks)
        emitted = {
            c
            for code in (*(v.code for v in verbs), *(p.code for b in blocks for p in b))
            for c in code
            if c is not None
        }
        codes = {c: known[c] for c in sorted(emitted)}
        kept = sum(len(b) for b in blocks)
        counts: dict[str, object] = {
            "blocks": len(blocks),
            "synsets": len(builder.synsets),
            "verbs": len(verbs),
            "verbs_multiword": sum(1 for w, *_ in builder.verbs if len(w) > 1),
            "verbs_with_own_event": sum(1 for v in verbs if v.code != (None, None)),
            "verb_forms": len(seen),
            "verb_forms_written": len(written),
            "verb_forms_shadowed": shadowed,
            "patterns_kept": kept,
            "patterns_kept_null_code": builder.patterns_null,
            "patterns_dropped": dict(sorted(builder.dropped.items())),
            "patterns_slash_alternatives": builder.slash_alternatives,
            "codes_emittable": len(codes),
            **builder.counts,
        }
        table = {
            "constants": _constants(),
            "forms": forms,
            "verbs": verbs,
            "patterns": blocks,
            "codes": codes,
        }
        digest = hashlib.sha256(
            json.dumps(_table_json(table), sort_keys=True, separators=(",", ":")).encode("utf-8")
        ).hexdigest()
        return cls(
            source_sha256=hashlib.sha256(dictionary.encode("utf-8")).hexdigest(),
            sha256=digest,
            codes=codes,
            _forms=forms,
            _verbs=verbs,
            _blocks=blocks,
            _counts=counts,
        )

    @cached_property
    def _anchors(self) -> tuple[dict[str, tuple[int, ...]], ...]:
        """Per block, each word that can start a pattern's first element and the patterns (by
        index, file order) it can start: built on first use, never pickled."""
        out = []
        for block in self._blocks:
            index: dict[str, list[int]] = {}
            for k, pattern in enumerate(block):
                for word in pattern.keys[0]:
                    index.setdefault(word, []).append(k)
            out.append({w: tuple(ks) for w, ks in index.items()})
        return tuple(out)

    @cached_property
    def _matcher(self) -> Matcher | None:
        """The C matcher (`model/_matcher.c`) on this table, or None when it was not built:
        built on first use, never pickled."""
        try:
            from model._matcher import Matcher
        except ImportError:
            return None
        return Matcher(*_flat_tables(self._forms, self._verbs, self._blocks, self._anchors))

    def __getstate__(self) -> dict[str, object]:
        """The compiled table without the indexes built from it."""
        return {k: v for k, v in self.__dict__.items() if k not in ("_anchors", "_matcher")}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EventPatterns):
            return NotImplemented
        return self.sha256 == other.sha256 and self.source_sha256 == other.source_sha256

    def __hash__(self) -> int:
        return hash(self.sha256)

    def rules(self) -> dict[str, object]:
        """The matching rules, their constants and the compile counts, ready for JSON."""
        return {
            **_constants(),
            "source_sha256": self.source_sha256,
            "sha256": self.sha256,
            "counts": json.loads(json.dumps(self._counts)),
        }

    def match(self, words: Sequence[str]) -> list[Match]:
        """The coded verb occurrences of one sentence of normalised tokens, by verb position:
        by the C matcher when it is built, else by `match_python`, its definition."""
        if self._matcher is None:
            return self.match_python(words)
        return [found for _, found in self.match_sentences(words, (0, len(words)))]

    def match_sentences(
        self, words: Sequence[str], bounds: Sequence[int]
    ) -> list[tuple[int, Match]]:
        """`match` of each sentence `words[bounds[k]:bounds[k + 1]]`, as (k, match) in text
        order; a match's tokens count from its sentence's first word. One call for a text."""
        if self._matcher is None:
            return [
                (k, found)
                for k in range(len(bounds) - 1)
                for found in self.match_python(words[bounds[k] : bounds[k + 1]])
            ]
        return [
            (k, Match(code, tokens, verb))
            for k, code, tokens, verb in self.match_tuples(words, bounds)
        ]

    def match_tuples(
        self, words: Sequence[str], bounds: Sequence[int]
    ) -> list[tuple[int, str, tuple[int, ...], int]]:
        """`match_sentences` as plain tuples (k, code, tokens, verb), as the C matcher gives
        them (and `model._matcher.Events.score` reads them)."""
        matcher = self._matcher
        if matcher is None:
            return [(k, m.code, m.tokens, m.verb) for k, m in self.match_sentences(words, bounds)]
        return matcher.match_sentences(
            words if isinstance(words, list) else list(words),
            bounds if isinstance(bounds, list) else list(bounds),
        )

    def match_python(self, words: Sequence[str]) -> list[Match]:
        """`match` in Python: the definition the C matcher follows token for token."""
        ws = tuple(words)
        n = len(ws)
        spans: list[tuple[int, int, _Form]] = []
        get = self._forms.get
        for i, word in enumerate(ws):
            found = get(word)
            if found is None:
                continue
            for form in found:
                s, e = i - len(form.prefix), i + len(form.suffix)
                if s < 0 or e >= n:
                    continue
                if (form.prefix and ws[s:i] != form.prefix) or (
                    form.suffix and ws[i + 1 : e + 1] != form.suffix
                ):
                    continue
                spans.append((s, e, form))
                break
        if not spans:
            return []
        if any(e > s for s, e, _ in spans):
            spans = _non_overlapping(spans)
        present = set(ws)
        results: list[tuple[Match, bool]] = []
        for s, e, form in spans:
            if s > 0 and (_is_noun_marker(ws[s - 1]) or (ws[s - 1], ws[s]) in NON_VERB_BIGRAMS):
                continue
            if e + 1 < n and (ws[e], ws[e + 1]) in NON_VERB_BIGRAMS:
                continue
            passive = form.participle and any(
                ws[k] in BE_FORMS for k in range(max(0, s - PASSIVE_LOOKBACK), s)
            )
            found_match = self._best(ws, s, e, form, passive, present)
            if found_match is not None:
                results.append(found_match)
        used = {t for m, by_pattern in results if by_pattern for t in m.tokens}
        return [m for m, by_pattern in results if by_pattern or used.isdisjoint(m.tokens)]

    def _best(
        self,
        ws: tuple[str, ...],
        s: int,
        e: int,
        form: _Form,
        passive: bool,
        present: set[str],
    ) -> tuple[Match, bool] | None:
        verb = self._verbs[form.verb]
        n = len(ws)
        b_lo, b_hi = max(0, s - WINDOW_BEFORE), s
        a_lo, a_hi = e + 1, min(n, e + 1 + WINDOW_AFTER)
        best: list[int] | None = None
        best_code: Code = (None, None)
        # Only the patterns whose first element can start inside the windows (file order, as
        # the first of equally good patterns wins): any other one cannot be placed.
        anchors = self._anchors[verb.block]
        block = self._blocks[verb.block]
        found = {k for w in ws[b_lo:a_hi] for k in anchors.get(w, ())}
        for k in sorted(found):
            pattern = block[k]
            if any(present.isdisjoint(key) for key in pattern.keys):
                continue
            got = _place(pattern, ws, b_lo, b_hi, a_lo, a_hi)
            if got is None and passive:
                got = _place(pattern, ws, a_lo, a_hi, b_lo, b_hi)
            if got is not None and (best is None or len(got) > len(best)):
                best, best_code = got, pattern.code
        verb_tokens = range(s, e + 1)
        if best is not None:
            code = _pick(best_code, passive)
            if code is None:
                return None
            return Match(code, tuple(sorted({*best, *verb_tokens})), s), True
        code = _pick(verb.code, passive)
        if code is None or (form.noun and not passive and not _verbal(ws, s, e)):
            return None
        return Match(code, tuple(verb_tokens), s), False


def _place(
    pattern: _Pattern, ws: tuple[str, ...], b_lo: int, b_hi: int, a_lo: int, a_hi: int
) -> list[int] | None:
    before = _in_order(pattern.before, ws, b_lo, b_hi)
    if before is None:
        return None
    after = _in_order(pattern.after, ws, a_lo, a_hi)
    if after is None:
        return None
    return before + after


def _verbal(ws: tuple[str, ...], s: int, e: int) -> bool:
    """Whether a word that may be a noun or a verb stands where a verb does: after a subject
    pronoun, a modal, an auxiliary, "to" or a negation, or before a determiner or an object
    pronoun ("they attack", "to strike", "targets the depot")."""
    before = ws[s - 1] if s > 0 else ""
    after = ws[e + 1] if e + 1 < len(ws) else ""
    return before in VERB_BEFORE or before.endswith("n't") or after in VERB_AFTER


def _is_noun_marker(word: str) -> bool:
    if word in NOUN_MARKERS:
        return True
    return word.endswith(("'s", "s'")) and word not in _CONTRACTIONS and len(word) > 2


def _non_overlapping(
    spans: list[tuple[int, int, _Form]],
) -> list[tuple[int, int, _Form]]:
    chosen: list[tuple[int, int, _Form]] = []
    taken: set[int] = set()
    for span in sorted(spans, key=lambda t: (t[0] - t[1], t[0])):
        if taken.isdisjoint(range(span[0], span[1] + 1)):
            chosen.append(span)
            taken.update(range(span[0], span[1] + 1))
    return sorted(chosen, key=lambda t: t[0])


def _flat_tables(
    forms: dict[str, tuple[_Form, ...]],
    verbs: tuple[_Verb, ...],
    blocks: tuple[tuple[_Pattern, ...], ...],
    anchors: tuple[dict[str, tuple[int, ...]], ...],
) -> tuple[dict[str, int], tuple[str, ...], tuple[bytes, ...]]:
    """The compiled table as the C matcher reads it: its vocabulary (word -> id), the codes a
    match may carry, and the int32 tables in the order and layout `model/_matcher.c` lists."""
    vocabulary: dict[str, int] = {}

    def word(w: str) -> int:
        return vocabulary.setdefault(w, len(vocabulary))

    pool: list[int] = []

    def words(ws: Sequence[str]) -> tuple[int, int]:
        off = len(pool)
        pool.extend(word(w) for w in ws)
        return off, len(ws)

    codes: dict[str, int] = {}

    def code(c: str | None) -> int:
        return -1 if c is None else codes.setdefault(c, len(codes))

    flag_sets = (
        (1, BE_FORMS),
        (2, NOUN_MARKERS),
        (4, VERB_BEFORE),
        (8, VERB_AFTER),
        (16, _CONTRACTIONS),
    )
    for _, members in flag_sets:
        for w in sorted(members):
            word(w)
    bigrams = [word(w) for pair in sorted(NON_VERB_BIGRAMS) for w in pair]
    verb_rows = [x for v in verbs for x in (code(v.code[0]), code(v.code[1]), v.block)]
    elem_rows: list[int] = []
    slot_rows: list[int] = []
    entry_rows: list[int] = []
    tail_rows: list[int] = []
    key_rows: list[int] = []
    slot_entries: dict[int, tuple[int, int]] = {}  # id(slot) -> its entries: synsets are shared

    def entries_of(slot: Slot) -> tuple[int, int]:
        found = slot_entries.get(id(slot))
        if found is None:
            entries = sorted((word(first), tails) for first, tails in slot.items())
            found = slot_entries[id(slot)] = (len(entry_rows) // 3, len(entries))
            for first, tails in entries:
                entry_rows.extend((first, len(tail_rows) // 2, len(tails)))
                for tail in tails:
                    tail_rows.extend(words(tail))
        return found

    def elems(es: tuple[Elem, ...]) -> tuple[int, int]:
        off = len(elem_rows) // 2
        for slots in es:
            elem_rows.extend((len(slot_rows) // 2, len(slots)))
            for slot in slots:
                slot_rows.extend(entries_of(slot))
        return off, len(es)

    block_rows = [0]
    pattern_rows: list[int] = []
    for block in blocks:
        for pattern in block:
            before, after = elems(pattern.before), elems(pattern.after)
            pattern_rows += [code(pattern.code[0]), code(pattern.code[1]), *before, *after]
            pattern_rows += [len(key_rows) // 2, len(pattern.keys)]
            for key in pattern.keys:
                ids = sorted(word(w) for w in key)
                key_rows.extend((len(pool), len(ids)))
                pool.extend(ids)
        block_rows.append(len(pattern_rows) // 8)
    anchor_index = [0]
    anchor_rows: list[int] = []
    anchor_pool: list[int] = []
    for index in anchors:
        for wid, ks in sorted((word(w), ks) for w, ks in index.items()):
            anchor_rows.extend((wid, len(anchor_pool), len(ks)))
            anchor_pool.extend(ks)
        anchor_index.append(len(anchor_rows) // 3)
    form_rows: dict[int, list[int]] = {}
    for w, found in forms.items():
        rows = form_rows.setdefault(word(w), [])
        for f in found:
            rows += [*words(f.prefix), *words(f.suffix), f.verb, int(f.participle), int(f.noun)]
    size = len(vocabulary)  # every word is known from here on
    flags = [0] * size
    for bit, members in flag_sets:
        for w in members:
            flags[vocabulary[w]] |= bit
    form_index = [0]
    flat_forms: list[int] = []
    for wid in range(size):
        flat_forms += form_rows.get(wid, [])
        form_index.append(len(flat_forms) // 7)
    tables = (
        flags,
        [WINDOW_BEFORE, WINDOW_AFTER, PASSIVE_LOOKBACK],
        bigrams,
        form_index,
        flat_forms,
        verb_rows,
        block_rows,
        pattern_rows,
        elem_rows,
        slot_rows,
        entry_rows,
        tail_rows,
        key_rows,
        anchor_index,
        anchor_rows,
        anchor_pool,
        pool,
    )
    return (
        vocabulary,
        tuple(codes),
        tuple(array("i", t).tobytes() for t in tables),
    )


def _constants() -> dict[str, object]:
    return {
        "window_before": WINDOW_BEFORE,
        "window_after": WINDOW_AFTER,
        "passive_lookback": PASSIVE_LOOKBACK,
        "be_forms": sorted(BE_FORMS),
        "noun_markers": sorted(NOUN_MARKERS),
        "noun_forms": "lemminflect's lemmas: a single-word verb form that is also a NOUN",
        "verb_before": sorted(VERB_BEFORE),
        "verb_after": sorted(VERB_AFTER),
        "possessive_marks_noun": True,
        "non_verb_bigrams": sorted(" ".join(pair) for pair in NON_VERB_BIGRAMS),
        "code": "[A:B]: A, or B when the verb is passive (or A is empty); '---' is no event",
        "plural": "S; IES after consonant+Y; ES after SS/CH/SH/X/Z; none after a single S or _",
        "pick": "most matched tokens, then first in file order; else the verb's own code",
        "verb_forms": "lemminflect VERB forms + {...} forms; written forms first, then file order",
    }


def _table_json(value: object) -> object:
    """Canonical JSON-ready form of the compiled table (dataclasses as lists of fields)."""
    if isinstance(value, _Pattern):
        # Not the line number: a comment added above a pattern leaves the table as it was.
        return [list(value.code), _table_json(value.before), _table_json(value.after)]
    if isinstance(value, _Form):
        return [list(value.prefix), list(value.suffix), value.verb, value.participle, value.noun]
    if isinstance(value, _Verb):
        return [list(value.code), value.block]
    if isinstance(value, EventCode):
        return [value.root, value.name, value.goldstein]
    if isinstance(value, dict):
        return {str(k): _table_json(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_table_json(v) for v in value]
    return value
