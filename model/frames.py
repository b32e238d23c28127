"""Score a column of texts: the one scoring function behind the CLI, Spark and MLflow.

`score_records` is the core: texts (and ids, and languages) in, one record per row out, in
order. Each text goes to its language's model (`model.routing.Router`): the row's `language`
(ISO 639-1) when it names one, else the one detected; a language without a model gives a row
with a null score, level `unscored` and an `unsupported_language` warning. A row whose text is
not a non-blank string, whose language is not a two-letter code, or that the scorer rejects,
becomes an error row (its id, an `error` message, null score); it never fails the batch.
`score_frame` is the same function for pandas: a DataFrame in, a DataFrame out, with the nested
columns as JSON strings.

Why JSON strings rather than nested (struct/list) columns: one flat schema of strings and a
double reads and writes the same in Parquet, CSV, Spark and an MLflow signature, and does not
have to follow every change of `model.types`. `json.loads` (Spark: `from_json`) gives back
exactly what the HTTP API and the JSONL CLI emit for that row.

pandas is an optional extra (`pip install 'escalation-risk[frames]'`): it is imported inside
`score_frame` only, so `import model` and the JSONL CLI never need it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from model import scope
from model.routing import Router
from model.scoring import DEFAULT_TOP_K, MAX_SENTENCES, MAX_SPANS, _check_caps

if TYPE_CHECKING:
    import pandas as pd

TEXT_COLUMN = "text"
ID_COLUMN = "id"
LANGUAGE_COLUMN = "language"
# Output columns, in order. The nested ones hold JSON strings in frames (see the module doc).
# `score` is null (NaN in a frame) on error rows and on rows of a language without a model.
OUTPUT_COLUMNS = (
    "id",
    "score",
    "level",
    "language",
    "model_version",
    "phrases",
    "deescalating_phrases",
    "sentences",
    "warnings",
    "error",
)
NESTED_COLUMNS = ("phrases", "deescalating_phrases", "sentences", "warnings")
BLANK_TEXT = "text is missing or blank"


def language_code(value: object) -> str | None:
    """A requested language: an ISO 639-1 code (two lowercase letters) as it is, None for a
    missing or empty one (detect it); ValueError, with a message for an error row, otherwise."""
    if value is None or (isinstance(value, float) and value != value):  # None, NaN
        return None
    if type(value).__name__ == "NAType":  # pandas' missing value (nullable dtypes)
        return None
    if isinstance(value, str) and scope.is_language_code(value):
        return value
    if isinstance(value, str) and not value.strip():
        return None
    shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:39] + "\u2026"
    raise ValueError(f"language must be an ISO 639-1 code (two lowercase letters), not {shown}")


def error_record(row_id: str | None, version: str, error: str) -> dict[str, Any]:
    """An error row: the id, the model version and why, nothing scored."""
    record: dict[str, Any] = dict.fromkeys(OUTPUT_COLUMNS)
    record.update(id=row_id, model_version=version, error=error)
    return record


def _id_text(value: object) -> str | None:
    """Ids as strings (as the JSONL CLI writes them); a missing id stays missing."""
    if value is None or (isinstance(value, float) and value != value):  # None, NaN
        return None
    return str(value)


def score_records(
    router: Router,
    texts: Iterable[object],
    ids: Iterable[object] | None = None,
    top_k: int = DEFAULT_TOP_K,
    max_spans: int = MAX_SPANS,
    max_sentences: int = MAX_SENTENCES,
    languages: Iterable[object] | None = None,
    language: str | None = None,
) -> list[dict[str, Any]]:
    """One record per text, in order, with the keys of OUTPUT_COLUMNS (nested values as Python
    lists). `languages`: the language requested for each text (null or empty: `language`, and
    when that is None too, detected). Bad texts and malformed language codes become error
    records; the caps are `Scorer.score`'s and are checked once, as is `language` (ValueError:
    the call is wrong, not a row)."""
    _check_caps(top_k, max_spans, max_sentences)
    default = language_code(language)
    texts = list(texts)
    id_list = [None] * len(texts) if ids is None else [_id_text(i) for i in ids]
    if len(id_list) != len(texts):
        raise ValueError("ids and texts differ in length")
    wanted = [None] * len(texts) if languages is None else list(languages)
    if len(wanted) != len(texts):
        raise ValueError("languages and texts differ in length")
    records = []
    for row_id, text, requested in zip(id_list, texts, wanted, strict=True):
        if not isinstance(text, str) or not text.strip():
            records.append(error_record(row_id, router.version, BLANK_TEXT))
            continue
        try:
            code = language_code(requested) or default
        except ValueError as exc:
            records.append(error_record(row_id, router.version, str(exc)))
            continue
        try:
            result = router.score(text, top_k, max_spans, max_sentences, code).to_dict()
        except Exception as exc:  # noqa: BLE001 - one bad row must not fail the batch
            # The class name only: the message could echo the article's text.
            error = f"cannot score: {type(exc).__name__}"
            records.append(error_record(row_id, router.version, error))
            continue
        records.append({"id": row_id, **result, "error": None})
    return records


def to_json_columns(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records with their nested values as JSON strings (nulls stay null)."""
    out = []
    for record in records:
        flat = dict(record)
        for column in NESTED_COLUMNS:
            if flat[column] is not None:
                flat[column] = json.dumps(flat[column], ensure_ascii=False)
        out.append(flat)
    return out


def score_frame(
    router: Router,
    frame: pd.DataFrame,
    text_col: str = TEXT_COLUMN,
    id_col: str | None = ID_COLUMN,
    top_k: int = DEFAULT_TOP_K,
    max_spans: int = MAX_SPANS,
    max_sentences: int = MAX_SENTENCES,
    language_col: str | None = LANGUAGE_COLUMN,
    language: str | None = None,
) -> pd.DataFrame:
    """Score `frame[text_col]`: a DataFrame of OUTPUT_COLUMNS, one row per input row, same
    order and index; `id` is `frame[id_col]` as strings (null when the column is absent or
    `id_col` is None); each row in the language of `frame[language_col]` when the column is
    there and the row names one, else `language`, else detected (`score_records`); nested
    columns are JSON strings; `score` is float64 (NaN on error rows and unscored ones).
    """
    import pandas as pd

    if text_col not in frame.columns:
        raise KeyError(f"no text column {text_col!r}")
    ids: Sequence[object] | None = None
    if id_col is not None and id_col in frame.columns:
        ids = frame[id_col].tolist()
    languages: Sequence[object] | None = None
    if language_col is not None and language_col in frame.columns:
        languages = frame[language_col].tolist()
    records = score_records(
        router,
        frame[text_col].tolist(),
        ids,
        top_k,
        max_spans,
        max_sentences,
        languages=languages,
        language=language,
    )
    # dtype=object first: pandas 3 would infer its string dtype and turn None into NaN.
    out = pd.DataFrame(to_json_columns(records), columns=list(OUTPUT_COLUMNS), dtype=object)
    out.index = frame.index
    out["score"] = pd.to_numeric(out["score"]).astype("float64")
    return out
