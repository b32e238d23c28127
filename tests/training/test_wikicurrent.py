"""Tests of training.data.wikicurrent: heading topics, item cleaning, day split, parsing errors."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from training.data.sources import DataError
from training.data.wikicurrent import (
    TOPICS,
    clean_item,
    heading_topic,
    is_heldout,
    wikicurrent_items,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "data"
DAYS = {str(p.relative_to(FIXTURES)): p for p in sorted(FIXTURES.glob("wikicurrent/*/*/*.yaml"))}


@pytest.mark.parametrize(
    ("heading", "topic"),
    [
        ("Sports", "sport"),
        ("Sport", "sport"),
        ("Business and economy", "business"),
        ("Business and Economics", "business"),
        ("Science and technology", "science"),
        ("Science", "science"),
        ("Arts and culture", "arts"),
        ("Arts & Culture", "arts"),
        ("Health and environment", "health"),
        ("Health", "health"),
        ("Disasters and accidents,", "disasters"),
        ("Disasters", "disasters"),
        ("Armed conflicts and attacks", "conflict"),
        ("armed conflict and attacks", "conflict"),
        ("International Relations", "international"),
        ("Politics and elections", "politics"),
        ("Law and Crime", "crime"),
        ("Uncategorized", "other"),
        ("Syrian civil war", "other"),
        ("Israeli–Palestinian conflict", "other"),
    ],
)
def test_heading_topic(heading, topic):
    assert heading_topic(heading) == topic


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Rain floods the valley. (River Post) (Wire Service)", "Rain floods the valley."),
        ("Rain floods the valley. (River Post|Wire)(TV One)", "Rain floods the valley."),
        ("Rain floods the valley. (River Post), (Wire Service)", "Rain floods the valley."),
        ("Rain floods the valley. (Wire Service)]", "Rain floods the valley."),
        (
            "Rain floods the valley. [https://example.invalid/a (River Post)",
            "Rain floods the valley.",
        ),
        ("Rain floods the valley. (https://example.invalid/a)", "Rain floods the valley."),
        ("Rain floods the valley. https://example.invalid/a", "Rain floods the valley."),
        (
            "Rain of 80 mm () floods the [[valley]]. (River Post)",
            "Rain of 80 mm floods the valley.",
        ),
        # no full stop, but it had sources and reads as a sentence
        (
            "Rain floods the valley of the Great River (River Post)",
            ("Rain floods the valley of the Great River"),
        ),
        ("Great River floods", ""),  # a story name, not an item
        ("Great River floods (2099)", ""),
        ("Rain floods the valley.", "Rain floods the valley."),
    ],
)
def test_clean_item(raw, clean):
    assert clean_item(raw) == clean


def test_heldout_rule_is_the_documented_one():
    for day in ("2099-01-01", "2099-01-02", "2099-01-04", "2015-03-10"):
        expected = hashlib.sha256(day.encode()).hexdigest()[-1] in "0123"
        assert is_heldout(day) is expected
    assert is_heldout("2099-01-04") and not is_heldout("2099-01-01")


def test_items_of_any_topic_and_part():
    every = list(wikicurrent_items(DAYS))
    assert {e.topic for e in every} == {
        "conflict", "sport", "business", "politics", "science", "other", "crime", "health",
        "international", "disasters",
    }  # fmt: skip
    assert all(e.label == (e.topic == "conflict") for e in every)
    assert not any("Reef dispute" in e.text for e in every)  # story-name line dropped
    picked = list(wikicurrent_items(DAYS, topics={"international", "crime"}, part="heldout"))
    assert [(e.topic, e.group) for e in picked] == [("international", "2099-01-04")]
    train = {e.group for e in wikicurrent_items(DAYS, part="train")}
    held = {e.group for e in wikicurrent_items(DAYS, part="heldout")}
    assert train == {"2099-01-01", "2099-01-02"} and held == {"2099-01-04"}
    with pytest.raises(ValueError, match="bad topics"):
        list(wikicurrent_items(DAYS, topics={"weather"}))
    assert set(TOPICS) >= {e.topic for e in every}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("Date: '2099-01-02'\nIntelligence_Payload: {}\n", "expected a mapping with Date"),
        ("Date: '2099-01-01'\nIntelligence_Payload: [a]\n", "is not a mapping"),
        ("Date: '2099-01-01'\nIntelligence_Payload:\n  Sports: x\n", "not a list of strings"),
        ("Date: '2099-01-01'\nIntelligence_Payload: {a: [b\n", "cannot read as YAML"),
    ],
)
def test_bad_day_file_is_an_error(tmp_path, content, problem):
    path = tmp_path / "2099-01-01.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=problem):
        list(wikicurrent_items({"wikicurrent/2099/01/2099-01-01.yaml": path}))
