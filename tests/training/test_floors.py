"""Imports go one way: data, then fitting, then evaluation, then the studies; the scoring library
and the service import none of them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Each package and the packages it must not import.
FORBIDDEN = {
    "model": ("training", "studies"),
    "service": ("training", "studies"),
    "training/data": ("training.fit", "training.evaluation", "studies"),
    "training/fit": ("training.evaluation", "studies"),
    "training/evaluation": ("studies",),
}


def imported(path: Path) -> set[str]:
    """Every module a file imports (at the top or inside a function), absolute names."""
    package = ".".join(path.relative_to(ROOT).parent.parts)
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            module = ".".join([*base, node.module or ""]) if node.level else node.module or ""
            names.add(module.rstrip("."))
    return names


@pytest.mark.parametrize("folder", sorted(FORBIDDEN))
def test_no_import_goes_up(folder: str) -> None:
    upward = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / folder).rglob("*.py"))
        for name in sorted(imported(path))
        if any(name == f or name.startswith(f"{f}.") for f in FORBIDDEN[folder])
    ]
    assert not upward
