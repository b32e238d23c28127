"""Training and evaluating the scoring model, in three floors that import downwards only:

- `training.data`: the corpora (registry, pinned files, per-corpus readers) and the user's files,
  read into labelled examples;
- `training.fit`: the pipeline, grouped cross-validation, the article map, and `escalation-train`
  (the artifact and its card, `escalation-card`);
- `training.evaluation`: `escalation-evaluate`, the report of an artifact on held-out data,
  whole articles and behaviour checks.

Nothing here is imported by the scoring library (`model`) or the service.
"""
