"""The HTTP contract: its limits as constants and its marshmallow schemas (one instance each)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from model import DEFAULT_TOP_K, scope

MAX_TEXT_CHARS = 100_000
MAX_ID_CHARS = 200
TOP_K_MIN = 1
TOP_K_MAX = 50
BATCH_MAX = 256


def _not_blank(value: str) -> None:
    """Reject text that is empty or only whitespace (marshmallow 4 validators must raise)."""
    if not value.strip():
        raise ma.ValidationError("Must not be blank.")


class StrictSchema(ma.Schema):
    """Unknown fields are an error, not silently dropped."""

    class Meta:
        unknown = ma.RAISE


class ArticleSchema(StrictSchema):
    """One article to score."""

    text = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=MAX_TEXT_CHARS), _not_blank],
        metadata={"description": f"The article, 1 to {MAX_TEXT_CHARS} characters, not blank."},
    )
    id = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=MAX_ID_CHARS),
        metadata={"description": "Caller's identifier, echoed back (null when not sent)."},
    )
    top_k = fields.Integer(
        strict=True,
        load_default=None,
        validate=validate.Range(min=TOP_K_MIN, max=TOP_K_MAX),
        metadata={
            "default": DEFAULT_TOP_K,
            "description": f"Phrases to return each way ({TOP_K_MIN}..{TOP_K_MAX}); null or "
            "absent means the server default (ESCALATION_DEFAULT_TOP_K, 10 unless set).",
        },
    )


class BatchSchema(StrictSchema):
    """Several articles to score; results keep their order."""

    articles = fields.List(
        fields.Nested(ArticleSchema),
        required=True,
        validate=validate.Length(min=1, max=BATCH_MAX),
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
            "description": "not_english: another language; little_evidence: too few "
            "words the model knows. The text is scored all the same."
        },
    )
    message = fields.String(required=True)


class ScoreSchema(ma.Schema):
    """The score of one article and the phrases that drive it."""

    id = fields.String(allow_none=True, required=True)
    score = fields.Float(required=True, metadata={"description": "Probability in [0, 1]."})
    level = fields.String(required=True)
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


class ModelSchema(ma.Schema):
    """The loaded artifact's manifest."""

    version = fields.String(required=True)
    created_at = fields.String()
    sources = fields.List(fields.Dict(), metadata={"description": "Training sources."})
    metrics = fields.Dict(metadata={"description": "Cross-validated metrics."})
    levels = fields.List(fields.Nested(LevelSchema))
    alert_threshold = fields.Float()
    hyperparameters = fields.Dict()
    libraries = fields.Dict(keys=fields.String(), values=fields.String())
    training_seconds = fields.Float()


class StatusSchema(ma.Schema):
    """Liveness or readiness."""

    status = fields.String(required=True)
    model_version = fields.String(allow_none=True)


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
