"""The OpenAPI document describes the same operations as before the service layer was
reorganised: hospital software and generated clients bind to the operation ids, so a
refactoring that renames, drops or moves one breaks them. Adding an operation is a
deliberate act: add its line to `openapi_operations.txt` in the same change."""

from __future__ import annotations

from pathlib import Path

from mahrem.bootstrap import build
from mahrem.entrypoints.api.app import create_app

RECORDED = Path(__file__).with_name("openapi_operations.txt")
METHODS = {"get", "post", "put", "patch", "delete"}


def operations(document: dict[str, object]) -> list[str]:
    paths = document["paths"]
    assert isinstance(paths, dict)
    return sorted(
        f"{method.upper()} {path} {operation.get('operationId')}"
        for path, item in paths.items()
        for method, operation in item.items()
        if method in METHODS
    )


def test_the_openapi_document_names_the_recorded_operations(tmp_path: Path) -> None:
    app = create_app(build(f"sqlite:///{tmp_path}/ops.db", key_dir=str(tmp_path / "keys")))
    assert operations(app.openapi()) == RECORDED.read_text().split("\n")[:-1]


def test_every_operation_id_is_unique() -> None:
    ids = [line.rsplit(" ", 1)[1] for line in RECORDED.read_text().splitlines()]
    assert len(ids) == len(set(ids)) == 98
