"""The HTTP contract: its limits as constants and its marshmallow schemas (one instance each)."""

from __future__ import annotations

import re
from collections.abc import Sized
from typing import Any, TypeVar

import marshmallow as ma
from marshmallow import fields, validate

from model import DEFAULT_TOP_K, scope
from model.scoring import MAX_PHRASE_CHARS, MAX_SENTENCES, MAX_SPANS

MAX_TEXT_CHARS = 100_000
LANGUAGE_CODE = f"^{scope.LANGUAGE_CODE.pattern}$"  # the OpenAPI pattern of `language`
MAX_ID_CHARS = 200
TOP_K_MIN = 1
TOP_K_MAX = 50
BATCH_MAX = 256
# The work one request may cause: the characters of all its texts (ESCALATION_MAX_REQUEST_CHARS
# may lower or raise it, up to BATCH_MAX * MAX_TEXT_CHARS); more is answered 413 before scoring.
DEFAULT_MAX_REQUEST_CHARS = 1_000_000
# A JSON string may carry a "\ud800" escape: Python keeps it as a lone surrogate, which no
# encoder can write back out. Such strings are rejected at the door.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_Sized = TypeVar("_Sized", bound=Sized)


def max_response_bytes(articles: int) -> int:
    """An upper bound on the body answering `articles` scored articles, whatever their text:
    every list at its cap, every number at its longest, every character 4 bytes of UTF-8 and
    the id 6 bytes a character (JSON escapes). The fixed part (score, level, version, the three
    warnings with their messages, which name the manifest's level names) gets 1,200 bytes."""
    span = len("[100000,100000],")
    phrase = len('{"text":"","weight":-1.2345678901234567e-300,"spans":[]},')
    phrase += 4 * MAX_PHRASE_CHARS + MAX_SPANS * span
    sentence = len('{"start":100000,"end":100000,"score":1.2345678901234567e-300},')
    article = 1200 + 6 * MAX_ID_CHARS + 2 * TOP_K_MAX * phrase + MAX_SENTENCES * sentence
    return 100 + articles * article


# "Not blank": at least one character outside JSON Schema's (ECMA-262) `\\s`, written out so
# that the OpenAPI `pattern` and this validator mean the same (Python's str.isspace also counts
# \\x1c-\\x1f and \\x85, which a client validating against the document would accept).
NOT_BLANK = "[^\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
_NOT_BLANK = re.compile(NOT_BLANK)


def _not_blank(value: str) -> None:
    """Reject text that is only whitespace (marshmallow 4 validators must raise). Empty text is
    the length check's: one message, not two."""
    if value and not _NOT_BLANK.search(value):
        raise ma.ValidationError("Must not be blank.")


def _no_lone_surrogates(value: str) -> None:
    """Reject unpaired UTF-16 surrogates (JSON "\\ud800" escapes): they cannot be encoded."""
    if _LONE_SURROGATE.search(value):
        raise ma.ValidationError("Must not contain unpaired surrogates (\\ud800-\\udfff).")


def _language_code(value: str) -> None:
    """Reject a `language` that is not two lowercase letters, all of it ("ar\n" too)."""
    if not scope.is_language_code(value):
        raise ma.ValidationError("Must be an ISO 639-1 code: two lowercase letters.")


class TextLength(validate.Length):
    """`validate.Length` (the same minLength and maxLength in the OpenAPI document) whose message
    says the length received and, over the limit, what to do instead."""

    def __call__(self, value: _Sized) -> _Sized:
        """The value, or ValidationError with its length."""
        size = len(value)
        if (self.min is None or size >= self.min) and (self.max is None or size <= self.max):
            return value
        message = (
            f"Length must be between {self.min} and {self.max}. This text has {size} characters"
        )
        if self.max is not None and size > self.max:
            message += (
                ": score it offline with escalation-score (no length limit) or split it into "
                f"parts of at most {self.max} characters"
            )
        raise ma.ValidationError(message + ".")


class JsonInteger(fields.Integer):
    """An integer as JSON Schema means it: 44 and 44.0 alike; 44.5, "44" and true are not."""

    def _validated(self, value: Any) -> int:
        """Accept ints and integral floats only."""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return super()._validated(value)


class StrictSchema(ma.Schema):
    """Unknown fields are an error, not silently dropped."""

    class Meta:
        unknown = ma.RAISE


class ArticleSchema(StrictSchema):
    """One article to score."""

    text = fields.String(
        required=True,
        validate=[TextLength(min=1, max=MAX_TEXT_CHARS), _not_blank, _no_lone_surrogates],
        metadata={
            "description": f"The article, 1 to {MAX_TEXT_CHARS} characters, not blank.",
            "pattern": NOT_BLANK,
        },
    )
    id = fields.String(
        load_default=None,
        allow_none=True,
        validate=[validate.Length(max=MAX_ID_CHARS), _no_lone_surrogates],
        metadata={"description": "Caller's identifier, echoed back (null when not sent)."},
    )
    top_k = JsonInteger(
        strict=True,
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=TOP_K_MIN, max=TOP_K_MAX),
        metadata={
            "default": DEFAULT_TOP_K,
            "description": f"Phrases to return each way ({TOP_K_MIN}..{TOP_K_MAX}); null or "
            "absent means the server default (ESCALATION_DEFAULT_TOP_K, 10 unless set).",
        },
    )
    max_spans = JsonInteger(
        strict=True,
        load_default=MAX_SPANS,
        validate=validate.Range(min=1, max=MAX_SPANS),
        metadata={"description": f"Spans listed per phrase, the first ones (1..{MAX_SPANS})."},
    )
    language = fields.String(
        load_default=None,
        allow_none=True,
        validate=_language_code,
        metadata={
            "pattern": LANGUAGE_CODE,
            "description": "The text's language (ISO 639-1), to skip detection; null or absent: "
            "detected. A language without a model is answered unscored, with a warning.",
            "example": "ar",
        },
    )
    max_sentences = JsonInteger(
        strict=True,
        load_default=MAX_SENTENCES,
        validate=validate.Range(min=0, max=MAX_SENTENCES),
        metadata={
            "description": f"Sentences listed, the highest-scoring ones in text order "
            f"(0..{MAX_SENTENCES}; 0: none listed, though every sentence is still scored for "
            "`escalatory_passages`)."
        },
    )


class BoundedList(fields.List[Any]):
    """A list whose length is checked before its items are read, so a body of millions of
    items is refused without building them (the `validate.Length` still documents the bounds)."""

    def __init__(self, *args: Any, max_items: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_items = max_items

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, list) and len(value) > self.max_items:
            raise ma.ValidationError(
                f"Length must be between 1 and {self.max_items}. This list has {len(value)} "
                "items: split it into several requests."
            )
        return super()._deserialize(value, attr, data, **kwargs)


class BatchSchema(StrictSchema):
    """Several articles to score; results keep their order."""

    articles = BoundedList(
        fields.Nested(ArticleSchema),
        required=True,
        validate=validate.Length(min=1, max=BATCH_MAX),
        max_items=BATCH_MAX,
        metadata={"description": f"1 to {BATCH_MAX} articles."},
    )


class PhraseSchema(ma.Schema):
    """A phrase, its signed contribution to the logit and its spans in the text."""

    text = fields.String(required=True)
    weight = fields.Float(required=True)
    spans = fields.List(
        fields.Tuple((fields.Integer(), fields.Integer())),
        required=True,
        metadata={"description": "[start, end) offsets, in code points, into the sent text."},
    )


class SentenceSchema(ma.Schema):
    """One sentence's [start, end) span and its own score."""

    start = fields.Integer(required=True)
    end = fields.Integer(required=True)
    score = fields.Float(required=True)


class WarningSchema(ma.Schema):
    """Why the score may not be trustworthy for this text."""

    code = fields.String(
        required=True,
        validate=validate.OneOf(scope.CODES),
        metadata={
            "description": "unsupported_language: a language without a model: not scored "
            "(score null, level unscored), the message names the language; not_english: "
            "said with it when that language is not English, for clients that filter on it; "
            "little_evidence: too few words the model knows; escalatory_passages: the whole "
            "text scores below high but several of its sentences score severe. The last two "
            "come with a score."
        },
    )
    message = fields.String(required=True)


class ScoreSchema(ma.Schema):
    """The score of one article and the phrases that drive it."""

    id = fields.String(allow_none=True, required=True)
    score = fields.Float(
        required=True,
        allow_none=True,
        metadata={
            "description": "Probability in [0, 1]; null when no model reads the text's "
            "language (warning unsupported_language)."
        },
    )
    level = fields.String(
        required=True,
        metadata={"description": "The score's band (the model's levels), or unscored."},
    )
    language = fields.String(
        required=True,
        metadata={
            "description": "ISO 639-1: the language of the model that scored the text, or the "
            "language found (or requested) when no model reads it."
        },
    )
    model_version = fields.String(required=True)
    phrases = fields.List(fields.Nested(PhraseSchema), required=True)
    deescalating_phrases = fields.List(fields.Nested(PhraseSchema), required=True)
    sentences = fields.List(fields.Nested(SentenceSchema), required=True)
    warnings = fields.List(fields.Nested(WarningSchema), required=True)


class BatchResultSchema(ma.Schema):
    """Scores in the order of the request's articles."""

    results = fields.List(fields.Nested(ScoreSchema), required=True)


class LevelSchema(ma.Schema):
    """A level band and its lower bound."""

    name = fields.String(required=True)
    min = fields.Float(required=True)


class LanguageModelSchema(ma.Schema):
    """One language's model in the artifact."""

    sources = fields.List(fields.Dict(), metadata={"description": "Training sources."})
    metrics = fields.Dict(metadata={"description": "Cross-validated metrics."})
    gate = fields.Dict(metadata={"description": "The quality gate it passed, with its figures."})
    alert_threshold = fields.Float()
    hyperparameters = fields.Dict()
    features = fields.Dict(metadata={"description": "Its feature specification and digest."})
    article_calibration = fields.Dict(
        metadata={
            "description": "The article map (slope, intercept, full_at_sentences) and "
            "what it was fitted on; absent when the model has none."
        }
    )


class ModelSchema(ma.Schema):
    """The loaded artifact's manifest."""

    version = fields.String(required=True)
    created_at = fields.String()
    languages = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(LanguageModelSchema),
        metadata={"description": "The model of each supported language (ISO 639-1)."},
    )
    unsupported = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(),
        metadata={
            "description": "Languages trained that missed their quality gate, with their "
            "figures: their texts are answered unscored."
        },
    )
    levels = fields.List(fields.Nested(LevelSchema))
    libraries = fields.Dict(keys=fields.String(), values=fields.String())
    training_seconds = fields.Float()


class StatusSchema(ma.Schema):
    """Liveness or readiness."""

    status = fields.String(required=True)
    model_version = fields.String(allow_none=True)
    detail = fields.String(metadata={"description": "Why, when something is wrong."})


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details (served as application/problem+json)."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    errors = fields.Dict(metadata={"description": "Field errors, keyed like the request."})
    request_id = fields.String()


ARTICLE = ArticleSchema()
BATCH = BatchSchema()
SCORE = ScoreSchema()
BATCH_RESULT = BatchResultSchema()
MODEL = ModelSchema()
STATUS = StatusSchema()
