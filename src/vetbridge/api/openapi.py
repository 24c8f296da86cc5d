"""Every error answer of the API declared in the OpenAPI schema, with the error contract.

Handlers in `api.errors` turn every refusal into `{"error": {"code", "message", "fields"}}`;
`VetbridgeAPI` declares those answers on every operation of the schema (one shared
`Error` component), so clients and schemathesis know what a 4xx looks like.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI, Schema
from ninja.openapi.schema import OpenAPISchema
from pydantic import ConfigDict, Field


class ErrorDetail(Schema):
    model_config = ConfigDict(extra="allow", title="ErrorDetail")

    code: str = Field(
        description="Stable machine-readable code, e.g. invalid, not_found, "
        "conflict, token_expired."
    )
    message: str = Field(description="What went wrong, in the user's language.")
    fields: dict[str, list[str]] = Field(
        description="Per field (dotted path), the reasons it was refused; empty otherwise."
    )


class ErrorOut(Schema):
    """The one error format of the API."""

    model_config = ConfigDict(title="Error")

    error: ErrorDetail


# Which errors each operation can answer, and why.
ERRORS: dict[int, str] = {
    400: "Not understood (a body that is not JSON) or refused by a business rule.",
    401: "Not authenticated, or the API token expired or was revoked.",
    403: "Your role (or a missing second factor) does not allow this.",
    404: "No such record, or not within your access.",
    409: "The record changed since you read it (optimistic locking): reload and retry.",
    422: "Some fields are not valid: `fields` names each one with its reason.",
    429: "Too many requests: wait and retry.",
}
WRITE_ONLY = {409}


def declare_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the shared Error component and every error response to every operation."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(error_schema.pop("$defs", {}))
    components["Error"] = error_schema
    ref = {"$ref": "#/components/schemas/Error"}
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                if status in WRITE_ONLY and method.lower() == "get":
                    continue
                if status in responses or str(status) in responses:
                    continue
                responses[status] = {
                    "description": description,
                    "content": {"application/json": {"schema": ref}},
                }
    return schema


class VetbridgeAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        declare_errors(schema)
        return schema
