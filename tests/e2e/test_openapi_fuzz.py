"""Schemathesis against the OpenAPI document: whatever it sends to any operation, the server
answers without a server error, with a documented status, content type and body shape."""

from __future__ import annotations

import tempfile
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from mahrem.bootstrap import build
from mahrem.entrypoints.api.app import create_app
from mahrem.services.ports import Mahrem
from tests.e2e.auth import headers_for, software_headers
from tests.integration.helpers import loaded

SOFTWARE_PATHS = ("/fhir", "/sbys/", "/codes/")


# The schema is read when the module is collected, so the app it is read from is built then,
# over a database of its own (removed with the temporary directory at exit).
_ROOT = tempfile.TemporaryDirectory(prefix="mahrem-fuzz-")
FUZZED: Mahrem = loaded(build(f"sqlite:///{_ROOT.name}/fuzz.db", key_dir=f"{_ROOT.name}/keys"))
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(FUZZED))


@pytest.fixture(scope="module")
def callers() -> dict[str, dict[str, str]]:
    return {
        "software": software_headers(FUZZED, "S1", "D1", "treatment"),
        "dpo": headers_for(FUZZED, "A1"),
    }


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_no_operation_answers_a_server_error_or_breaks_its_schema(
    case: Any, callers: dict[str, dict[str, str]]
) -> None:
    who = "software" if case.path.startswith(SOFTWARE_PATHS) else "dpo"
    case.call_and_validate(
        headers={**(case.headers or {}), **callers[who]},
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )
