"""Integrations with engines that run beyond one machine: Spark (`batch.spark`) and MLflow
(`batch.mlflow_export`). Each calls `model.frames`; none schedules work itself."""
