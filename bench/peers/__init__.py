"""Other servers of the same trained pipeline, measured side by side with ours."""
