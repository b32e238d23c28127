"""The training data: what a corpus is (`sources`), where its pinned files are found and checked
(`fetch`), how each corpus is read (`adapters`, `wikicurrent`, `wikinews`), the user's own files
(`userdata`), the registry of named corpora (`registry`), the sources a model recorded, loaded
again (`provenance`), and the article sample for annotation (`annotation`)."""
