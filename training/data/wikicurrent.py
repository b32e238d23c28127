"""Wikipedia "Current events" days: one YAML file per day, news items under topic headings.

Headings are the portal's topics, not rhetoric labels: ordinary news (sport, business, science,
arts, health, disasters) trains as 0, armed conflict as 1. Days are split once, by a fixed rule on
the date, into a training part and a held-out part used for evaluation only.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

import yaml

from training.data.adapters import collapse
from training.data.sources import DataError, Example

WIKICURRENT_DIR = "wikicurrent"
TOPICS = (
    "sport",
    "business",
    "science",
    "arts",
    "health",
    "disasters",
    "conflict",
    "international",
    "politics",
    "crime",
    "other",
)
ORDINARY_NEWS = frozenset({"sport", "business", "science", "arts", "health", "disasters"})
CONFLICT = frozenset({"conflict"})
# A day is held out when the last hex digit of sha256(date) is one of these (~25% of days).
HELDOUT_DIGITS = "0123"

Part = Literal["all", "train", "heldout"]

# Normalised heading (lower case, "&" as "and", no trailing punctuation) -> topic. The portal's
# standard headings and their spelling variants; anything else (story names such as "Syrian civil
# war", "Uncategorized", "Religion") is "other".
HEADING_TOPICS: dict[str, str] = {
    **dict.fromkeys(("sports", "sport", "sporting events", "sports and recreation"), "sport"),
    **dict.fromkeys(
        (
            "business and economy",
            "business and economics",
            "business and economic",
            "business and economies",
            "businesses and economy",
            "business and the economy",
            "business and finance",
            "economics and business",
            "economy and finance",
            "business",
            "economics",
        ),
        "business",
    ),
    **dict.fromkeys(
        (
            "science and technology",
            "science",
            "technology and science",
            "technology",
            "science and research",
            "science and nature",
        ),
        "science",
    ),
    **dict.fromkeys(
        (
            "arts and culture",
            "art and culture",
            "arts and cultures",
            "arts, culture",
            "arts, culture and entertainment",
            "arts and entertainment",
            "culture",
        ),
        "arts",
    ),
    **dict.fromkeys(
        (
            "health and environment",
            "health",
            "health and medicine",
            "environment and health",
            "environment",
            "medicine",
        ),
        "health",
    ),
    **dict.fromkeys(
        (
            "disasters and accidents",
            "disasters",
            "disaster and accidents",
            "disasters and accident",
            "disasters and incidents",
            "accidents and disasters",
            "natural disasters",
            "disaster",
        ),
        "disasters",
    ),
    **dict.fromkeys(
        (
            "armed conflicts and attacks",
            "armed conflict and attacks",
            "armed conflicts and incidents",
            "armed attacks and conflicts",
            "armed conflicts",
            "armed conflict",
            "attacks and conflicts",
            "attacks and armed conflicts",
            "armed conflict and attack",
            "armed conflicts and attack",
            "armed conflict and incidents",
            "conflicts and attacks",
        ),
        "conflict",
    ),
    "international relations": "international",
    **dict.fromkeys(
        (
            "politics and elections",
            "politics and election",
            "politics",
            "politics and government",
            "elections and politics",
        ),
        "politics",
    ),
    **dict.fromkeys(
        (
            "law and crime",
            "law and crimes",
            "laws and crimes",
            "laws and crime",
            "crime and law",
            "legal and crime",
            "crime",
        ),
        "crime",
    ),
}

_HEADING_JUNK = re.compile(r"[\s,;:.]+\Z")
# "(https://...)" and "[https://... (Source)": links the archive kept as text
_URL = re.compile(r"\(?\[?https?://[^\s)\]]*[)\]]?")
# Trailing source parentheses, e.g. " (BBC News) (Reuters)", "(Reuters|AP)(RT)", "(A), (B)"
_SOURCES = re.compile(r"(?:[\s,;|]*\((?:[^()]|\([^()]*\))*\))+[\s.,;|\]]*\Z")
_EMPTY_PARENS = re.compile(r"\s*\(\s*\)")  # a template (e.g. a converted unit) that rendered empty
_LINK_RESIDUE = re.compile(r"\[\[|\]\]")
_SENTENCE_END = (".", "!", "?", '"', "'", "”", "’")
_MIN_WORDS = 6
_DAY_PATH = re.compile(rf"{WIKICURRENT_DIR}/\d{{4}}/\d{{2}}/(\d{{4}}-\d{{2}}-\d{{2}})\.yaml")
# libyaml's parser is ~10x faster than the pure-Python one: 4,017 days in about 3 s.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def heading_topic(heading: str) -> str:
    """The topic of a portal heading (case- and variant-insensitive), "other" when unknown."""
    key = _HEADING_JUNK.sub("", collapse(heading).lower().replace("&", "and"))
    return HEADING_TOPICS.get(key, "other")


def is_heldout(date: str) -> bool:
    """True for the days held out for evaluation: sha256(date) ends in 0-3 (about a quarter)."""
    return hashlib.sha256(date.encode("utf-8")).hexdigest()[-1] in HELDOUT_DIGITS


def clean_item(raw: str) -> str:
    """The news sentence of one item without its sources and wiki residue; "" for a story name
    (a sub-heading such as "Syrian civil war") that is not a news sentence."""
    text = _LINK_RESIDUE.sub("", _URL.sub(" ", raw)).strip()
    stripped = _SOURCES.sub("", text)
    had_sources = stripped != text
    text = collapse(_EMPTY_PARENS.sub("", stripped))
    if text.endswith(_SENTENCE_END) or (had_sources and len(text.split()) >= _MIN_WORDS):
        return text
    return ""


def read_day(path: Path, date: str) -> dict[str, list[str]]:
    """`Intelligence_Payload` of one day's file: heading -> items; a bad file raises DataError."""
    try:
        day = yaml.load(path.read_bytes(), Loader=_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"{path}: cannot read as YAML: {exc}") from exc
    if not isinstance(day, dict) or str(day.get("Date")) != date:
        raise DataError(f"{path}: expected a mapping with Date {date!r}")
    payload = day.get("Intelligence_Payload")
    if not isinstance(payload, dict):
        raise DataError(f"{path}: Intelligence_Payload is not a mapping")
    for heading, items in payload.items():
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise DataError(f"{path}: heading {heading!r} is not a list of strings")
    return payload


def wikicurrent_items(
    paths: Mapping[str, Path],
    *,
    topics: Collection[str] = TOPICS,
    part: Part = "all",
    source: str = WIKICURRENT_DIR,
) -> Iterator[Example]:
    """News items of the given topics and part of the days, in date order.

    Label 1 for the conflict topic, else 0; group = the day; `topic` is set on every example.
    """
    unknown = set(topics) - set(TOPICS)
    if unknown or part not in ("all", "train", "heldout"):
        raise ValueError(f"bad topics {sorted(unknown)} or part {part!r}")
    days = sorted((m.group(1), p) for k, p in paths.items() if (m := _DAY_PATH.fullmatch(k)))
    for date, path in days:
        if part != "all" and is_heldout(date) != (part == "heldout"):
            continue
        for heading, items in read_day(path, date).items():
            topic = heading_topic(str(heading))
            if topic not in topics:
                continue
            for raw in items:
                if text := clean_item(raw):
                    yield Example(text, int(topic == "conflict"), date, source, topic=topic)
