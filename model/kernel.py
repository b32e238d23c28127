"""The compiled scoring kernel (`model/_kernel.c`), or one clear error when it was not built.

Reading a manifest, rendering a model card or training needs no kernel; scoring does.
"""

from __future__ import annotations

from model.features import KERNEL_RULES

try:
    from model._kernel import RULES, Kernel, split_sentences
except ImportError as exc:  # no compiler when the package was installed
    raise ImportError(
        "the scoring kernel model/_kernel.c is not built: install a C compiler and the Python "
        "headers (Debian: apt-get install gcc python3-dev), then reinstall the package "
        f"(pip install -e .) ({exc})"
    ) from None

if RULES != KERNEL_RULES:
    raise ImportError(
        "the scoring kernel was built from other text rules than model/features.py: rebuild it "
        "(pip install -e .)"
    )

__all__ = ["Kernel", "split_sentences"]
