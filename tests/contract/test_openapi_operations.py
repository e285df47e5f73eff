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
    assert len(ids) == len(set(ids)) == 110


PUBLIC = {
    "POST /auth/token",
    "POST /auth/login",
    "GET /fhir/metadata",
    "GET /fhir/.well-known/smart-configuration",
    "GET /health",
}


def test_authentication_is_a_security_scheme_not_a_header_parameter(tmp_path: Path) -> None:
    """Generated clients and Swagger UI's Authorize button read `securitySchemes`; an
    `Authorization` header parameter would make every client pass the token by hand."""
    app = create_app(build(f"sqlite:///{tmp_path}/sec.db", key_dir=str(tmp_path / "keys")))
    document = app.openapi()
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    flow = schemes["smart"]["flows"]["clientCredentials"]
    assert schemes["smart"]["type"] == "oauth2" and flow["tokenUrl"] == "/auth/token"
    secured = set()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            names = {p["name"].lower() for p in operation.get("parameters", [])}
            assert "authorization" not in names, f"{method} {path}"
            if operation.get("security"):
                assert {k for s in operation["security"] for k in s} == {"bearer", "smart"}
                secured.add(f"{method.upper()} {path}")
    assert not PUBLIC & secured
    assert {"GET /fhir/{resource_type}/{resource_id}", "POST /fhir", "POST /decide"} <= secured
