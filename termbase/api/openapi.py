"""The OpenAPI 3.1 document, generated from the registered operations and their pydantic models.

Nothing here is written by hand per endpoint: paths come from the Flask rules,
parameters and bodies from the same models that validate requests, responses
from the models the views return.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaValue, models_json_schema
from werkzeug.http import HTTP_STATUS_CODES

from termbase import __version__
from termbase.api import schemas
from termbase.api.routing import OPERATIONS, Operation

PREFIX = "/api/v1"
REF_TEMPLATE = "#/components/schemas/{model}"
_RULE_ARG_RE = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")

Mode = Literal["validation", "serialization"]


def _path(rule: str) -> str:
    return PREFIX + _RULE_ARG_RE.sub(lambda m: "{" + m.group("name") + "}", rule)


def _path_parameters(rule: str) -> list[dict[str, Any]]:
    parameters = []
    for found in _RULE_ARG_RE.finditer(rule):
        schema: dict[str, Any] = {"type": "string"}
        if found.group("converter") == "int":
            schema = {"type": "integer", "minimum": 1, "maximum": schemas.MAX_ID}
        parameters.append({"name": found.group("name"), "in": "path", "required": True, "schema": schema})
    return parameters


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is absent rather than null: drop the null branch and the null default."""
    schema = dict(schema)
    if schema.get("default", 0) is None:
        del schema["default"]
    options = schema.get("anyOf")
    if options:
        kept = [o for o in options if o != {"type": "null"}]
        if len(kept) == 1:
            del schema["anyOf"]
            schema = {**kept[0], **schema}
        else:
            schema["anyOf"] = kept
    return schema


def _query_parameters(definition: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(definition.get("required", ()))
    parameters = []
    for name, prop in definition.get("properties", {}).items():
        prop = _without_null(prop)
        description = prop.pop("description", None)
        prop.pop("title", None)
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": prop,
        }
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def _models() -> list[tuple[type[BaseModel], Mode]]:
    wanted: list[tuple[type[BaseModel], Mode]] = [(schemas.ErrorResponse, "serialization")]
    for op in OPERATIONS:
        for model in (op.body, op.query):
            if model is not None:
                wanted.append((model, "validation"))
        if op.response is not None:
            wanted.append((op.response, "serialization"))
    return list(dict.fromkeys(wanted))


def _error_response(status: int) -> dict[str, Any]:
    return {
        "description": HTTP_STATUS_CODES.get(status, "Error"),
        "content": {"application/json": {"schema": {"$ref": REF_TEMPLATE.format(model="ErrorResponse")}}},
    }


def _responses(op: Operation, refs: Mapping[tuple[Any, Mode], JsonSchemaValue]) -> dict[str, Any]:
    success: dict[str, Any] = {"description": HTTP_STATUS_CODES.get(op.status, "Success")}
    if op.media_types:
        success["content"] = {m: {"schema": {"type": "string", "format": "binary"}} for m in op.media_types}
    elif op.response is not None:
        success["content"] = {"application/json": {"schema": refs[(op.response, "serialization")]}}
    headers: dict[str, Any] = {}
    if op.etag:
        headers["ETag"] = {
            "description": "The concept's version, for If-Match on the next change.",
            "required": True,
            "schema": {"type": "string"},
        }
    if op.status == 201:
        headers["Location"] = {"required": True, "schema": {"type": "string"}}
    if headers:
        success["headers"] = headers
    responses = {str(op.status): success}
    errors = set(op.errors) | {401}
    if op.permission is not None and not op.public:
        errors.add(403)
    if op.public:
        errors.add(403)  # translators-only content is hidden, but 403 is possible with ANONYMOUS_ACCESS=none
    for status in sorted(errors):
        responses[str(status)] = _error_response(status)
    return responses


def _security(op: Operation, anonymous_read: bool) -> list[dict[str, list[str]]]:
    if op.permission is None:
        return []
    if op.public and anonymous_read:
        return [{}, {"bearerAuth": []}]
    return [{"bearerAuth": []}]


def build_document(*, anonymous_read: bool) -> dict[str, Any]:
    """The OpenAPI document for the current settings (anonymous reads change the security section)."""
    refs, top = models_json_schema(_models(), ref_template=REF_TEMPLATE)
    components: dict[str, Any] = copy.deepcopy(top.get("$defs", {}))
    query_models = {op.query for op in OPERATIONS if op.query is not None}
    query_definitions = {
        model: components[refs[(model, "validation")]["$ref"].rsplit("/", 1)[1]] for model in query_models
    }
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        parameters = _path_parameters(op.rule)
        if op.query is not None:
            parameters.extend(_query_parameters(query_definitions[op.query]))
        if op.if_match:
            parameters.append(
                {
                    "name": "If-Match",
                    "in": "header",
                    "required": False,
                    "description": (
                        'The concept version as an entity tag, e.g. "3" (or `version` in the body); '
                        "`*` skips the version check. One of the two is required."
                    ),
                    "schema": {"type": "string", "pattern": r'^(?:\*|(?:W/)?"?[1-9][0-9]{0,8}"?)$'},
                }
            )
        entry: dict[str, Any] = {
            "operationId": op.endpoint,
            "summary": op.summary,
            "description": op.description,
            "tags": [op.tag],
            "security": _security(op, anonymous_read),
            "responses": _responses(op, refs),
        }
        if parameters:
            entry["parameters"] = parameters
        if op.body is not None:
            entry["requestBody"] = {
                "required": op.body_required,
                "content": {"application/json": {"schema": refs[(op.body, "validation")]}},
            }
        paths.setdefault(_path(op.rule), {})[op.method.lower()] = entry
    for model in query_models:  # they became parameters
        components.pop(refs[(model, "validation")]["$ref"].rsplit("/", 1)[1], None)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "termbase API",
            "version": __version__,
            "description": (
                "Chinese–English terminology for Internet-governance texts: lookup, concepts and terms, "
                "term recognition in a segment, terminology QA and exports.\n\n"
                "Authenticate with `Authorization: Bearer <token>` (create one in the UI or with "
                "`termbase users token NAME`). Errors always look like "
                '`{"error": {"code", "message", "details"}}`; a 400 names the bad field in '
                "`details.field`. Offsets count Unicode code points unless `offsets` asks for UTF-16."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token; it is stored hashed and shown once.",
                }
            },
        },
    }
