"""Fixtures for the engine integrations: rows written for the tests, skips without the extras."""

from __future__ import annotations

import shutil

import pytest

from tests.helpers import COOPERATIVE, ESCALATORY


def need_spark() -> None:
    """Skip unless pyspark (the spark extra) and a Java runtime are installed."""
    pytest.importorskip(
        "pyspark", reason="pyspark is not installed (the spark extra: make test-engines)"
    )
    if shutil.which("java") is None:
        pytest.skip("java is not on PATH (make test-engines installs default-jre-headless)")


def article_rows(n: int) -> list[dict[str, object]]:
    """`n` rows with unique ids, a `source` column, some bad texts (blank, null) and a
    `language` column: mostly null (detected), some French (no model: unscored), some malformed
    (error rows)."""
    texts = ESCALATORY + COOPERATIVE
    rows: list[dict[str, object]] = []
    for i in range(n):
        text: object = f"{texts[i % len(texts)]} {texts[(i * 7) % len(texts)]} ({i})"
        if i % 50 == 13:
            text = "   "
        elif i % 50 == 29:
            text = None
        language = {7: "fr", 41: "EN", 42: "en"}.get(i % 50)
        rows.append(
            {
                "id": f"a{i}",
                "source": ("wire", "blog", "gov")[i % 3],
                "text": text,
                "language": language,
            }
        )
    return rows
