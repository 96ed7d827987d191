"""The OpenAPI document: generated from the schemas, and schemathesis finds nothing wrong with the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from termbase.api.routing import OPERATIONS

positive_data_acceptance = schemathesis.checks.positive_data_acceptance  # type: ignore[attr-defined]

Headers = dict[str, str]


def test_document_lists_every_operation_with_its_errors(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    operations = {
        (method.upper(), path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }
    assert len(operations) == len(OPERATIONS) >= 12
    patch = operations[("PATCH", "/api/v1/concepts/{concept_id}")]
    assert set(patch["responses"]) >= {"200", "400", "401", "403", "404", "409", "413", "415"}
    assert patch["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ConceptPatch"
    }
    assert any(p["name"] == "If-Match" and p["in"] == "header" for p in patch["parameters"])
    error = document["components"]["schemas"]["ErrorResponse"]
    assert error["required"] == ["error"]
    # Query models became parameters, with absent meaning "no filter" (no null branch).
    listing = operations[("GET", "/api/v1/concepts")]
    status = next(p for p in listing["parameters"] if p["name"] == "status")
    assert status["schema"] == {"$ref": "#/components/schemas/WorkflowStatus"}
    assert "ConceptListQuery" not in document["components"]["schemas"]


def test_security_follows_the_anonymous_access_setting(client: FlaskClient) -> None:
    def security(path: str, method: str) -> Any:
        return client.get("/api/v1/openapi.json").get_json()["paths"][path][method]["security"]

    assert security("/api/v1/search", "get") == [{}, {"bearerAuth": []}]
    assert security("/api/v1/concepts", "post") == [{"bearerAuth": []}]
    client.application.config["ANONYMOUS_ACCESS"] = "none"
    assert security("/api/v1/search", "get") == [{"bearerAuth": []}]


def test_the_validating_models_generate_the_document(client: FlaskClient) -> None:
    # A constraint declared on a model shows up in the document and is enforced by the API.
    document = client.get("/api/v1/openapi.json").get_json()
    text = document["components"]["schemas"]["RecognizeRequest"]["properties"]["text"]
    assert text["maxLength"] == 100_000


# ---------------------------------------------------------------------------- schemathesis

# schemathesis' pytest plug-in (``schemathesis.pytest.from_fixture``) does not run under pytest 9
# (it reads ``Function._nodeid``) and is switched off in pyproject.toml, so each operation gets
# its own Hypothesis test here instead.
EXAMPLES = {"positive": 30, "negative": 20}


@schemathesis.check
def positive_data_acceptance_but_version(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis' ``positive_data_acceptance``, except for two rules OpenAPI cannot express.

    OpenAPI cannot say "a version in the body or in If-Match", so such a write is schema-valid
    yet refused with 400 naming the field ``version``, on purpose. Missing and stale versions
    are tested on their own in test_api_concepts.py. Nor can it say "no emoji in a *Chinese*
    term" (a rule on the text that depends on the language): the field's description says it,
    and tests/services/test_term_text_rule.py tests it.
    """
    if response.status_code == 400:
        error = response.json().get("error", {})
        message = error.get("message", "")
        if error.get("details", {}).get("field") == "version" and "concept version" in message:
            return True
        if "a Chinese term cannot contain" in message:
            return True
    return positive_data_acceptance(ctx, response, case)


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["positive", "negative"])
@pytest.mark.parametrize("who", ["editor", "anonymous"])
def test_schemathesis_finds_no_server_errors_or_schema_violations(
    app: Flask, termbase: dict[str, int], bearer: Callable[[str], Headers], mode: str, who: str
) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = bearer("editor") if who == "editor" else {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(OPERATIONS)
    for operation in operations:

        @settings(
            max_examples=EXAMPLES[mode],
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=GenerationMode(mode)))
        def check(case: Any) -> None:
            case.call_and_validate(
                headers=headers,
                excluded_checks=[positive_data_acceptance],
                additional_checks=[positive_data_acceptance_but_version],
            )

        check()
