"""The layers hold (STYLE.md): the domain imports no I/O framework, the services no web
framework, and nothing below the entrypoints imports them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "mahrem"
FORBIDDEN = {
    "domain": (
        "sqlalchemy",
        "fastapi",
        "starlette",
        "typer",
        "alembic",
        "mahrem.adapters",
        "mahrem.services",
        "mahrem.entrypoints",
        "psycopg",
        "cryptography",
        "secrets",
        "random",
        "os",
    ),
    "services": ("fastapi", "starlette", "typer", "mahrem.entrypoints"),
    "adapters": ("fastapi", "starlette", "typer", "mahrem.entrypoints"),
}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(layer: str) -> None:
    offenders = [
        f"{path.relative_to(SRC)} imports {name}"
        for path in sorted((SRC / layer).rglob("*.py"))
        for name in imports(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[layer])
    ]
    assert offenders == []
