"""Fitting a model on loaded data: the pipeline (`pipeline`), grouped cross-validation with its
metrics (`folds`, `crossval`, `metrics`), the article map (`article_map`), and `escalation-train`
(`train`), which writes the artifact and its model card (`card`, also `escalation-card`)."""
