"""The studies behind the model's choices (docs/decisions.md), run from the repository root:

    python -m studies.experiments NAME     # grouped-CV tables of named variants
    python -m studies.article_study        # how the article score was chosen

`diplomatic_study` and `genre` are the `frontier` and `genre` experiments. They build on
`training` and are neither installed with the package nor in the service image.
"""
