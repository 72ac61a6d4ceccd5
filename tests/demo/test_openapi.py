"""The served OpenAPI document describes the contract, and the server conforms to it."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cdrdesk.api.filters import FILTERS, RANGE_OPERATORS, FilterKind
from cdrdesk.demo.app import openapi_document
from cdrdesk.demo.runner import DemoServerThread

API_PATH = "/api/v4/reporting/cdrs"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def document(demo_server: DemoServerThread) -> dict[str, Any]:
    response = httpx.get(f"{demo_server.url}/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_document_lists_every_parameter(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    operation = document["paths"][API_PATH]["get"]
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    expected = {"limit", "offset", "cursor"}
    for spec in FILTERS:
        expected.add(spec.name)
        if spec.kind.is_range:
            expected.update(f"{spec.name}[{op}]" for op in RANGE_OPERATORS)
        if spec.kind.is_multi:
            assert parameters[spec.name]["schema"]["type"] == "array"
            assert parameters[spec.name]["explode"] is True
        if spec.kind is FilterKind.ENUM:
            assert parameters[spec.name]["schema"]["items"]["enum"] == list(spec.known_values)
    assert set(parameters) == expected
    assert set(operation["responses"]) >= {"200", "400", "401", "403", "422", "429"}


def test_served_document_is_the_packaged_one(demo_server: DemoServerThread) -> None:
    served = httpx.get(f"{demo_server.url}/openapi.json")
    assert served.content == openapi_document()
    assert served.headers["content-type"] == "application/json"


# Loaded from the package so the cases exist at collection time; the test
# above proves the server serves this very document. The coverage phase (some
# hundreds of boundary cases over ~130 parameters) is left to slow runs.
schema = schemathesis.openapi.from_dict(
    json.loads(openapi_document()),
    config=schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": False}}}),
)


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_server_conforms_to_its_document(case: Any, demo_server: DemoServerThread) -> None:
    case.call_and_validate(
        base_url=demo_server.url,
        headers={"Authorization": f"Bearer {demo_server.token}"},
        checks=CHECKS,
    )


full_schema = schemathesis.openapi.from_dict(json.loads(openapi_document()))


@pytest.mark.slow
@full_schema.parametrize()
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
def test_server_conforms_in_every_phase(case: Any, demo_server: DemoServerThread) -> None:
    case.call_and_validate(
        base_url=demo_server.url,
        headers={"Authorization": f"Bearer {demo_server.token}"},
        checks=CHECKS,
    )
