"""The OpenAPI document, assembled at startup from the operation each handler declares.

A handler says what it is (`@operation`): its id, query parameters, request
body model and answers. The schemas come from the pydantic models that also
validate the requests, so the document cannot promise other rules than the
server enforces.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from .responses import Errors

REF = "#/components/schemas/{model}"
PATTERNS = ConfigDict(regex_engine="python-re")  # the patterns are written for Python's re


@dataclass(frozen=True)
class Reply:
    """One answer of an operation: what it means, its body model and its headers."""

    description: str
    body: type[BaseModel] | None = None
    headers: dict = field(default_factory=dict)
    links: dict = field(default_factory=dict)  # OpenAPI links to operations on the answer
    text: bool = False  # the body is plain text rather than JSON


@dataclass(frozen=True)
class Operation:
    """One method of one path: its replies by status, and the errors only it can answer."""

    id: str
    summary: str
    replies: dict
    description: str = ""
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    example: dict | None = None
    errors: tuple = ()
    body_required: bool = True
    media_types: tuple = ("application/json",)  # the body's accepted content types
    security: list | None = None  # None: the document's (a sysadmin's Basic credentials)


def header(description: str, schema: dict, required: bool = False) -> dict:
    """A response header's description in the document."""
    return {"description": description, "required": required, "schema": schema}


def created(body: type[BaseModel], location: str, links: dict | None = None) -> Reply:
    """The 201 of a create operation: the new resource, and `location` saying its URL.

    `links`: {operation id: {path parameter: the body field that gives it}}.
    """
    return Reply("Created.", body, {"Location": header(location, {"type": "string"},
                                                       required=True)},
                 {op: {"operationId": op, "parameters": {
                     name: f"$response.body#/{source}" for name, source in given.items()}}
                  for op, given in (links or {}).items()})


RETRY_AFTER = {"Retry-After": header("Seconds to wait before trying again.",
                                     {"type": "integer", "minimum": 0})}
PAGING = {"X-Total-Count": header("Matching entries, on all pages.",
                                  {"type": "integer", "minimum": 0}, required=True),
          "Link": header('URLs of the previous and next pages (rel="prev", rel="next"), when'
                         " there are any.", {"type": "string"})}
ERRORS = {
    400: Reply("The request is invalid; the message (and field) say which part.", Errors),
    401: Reply("No valid credentials.", Errors, {"WWW-Authenticate": header(
        "The Basic challenge.", {"type": "string"}, required=True)}),
    403: Reply("Not a sysadmin, or a session request without its CSRF token.", Errors),
    404: Reply("No such instance (or project, or repository); the message says which.",
               Errors),
    409: Reply("Another instance has this name or endpoint, or the stored credentials"
               " cannot be decrypted.", Errors),
    412: Reply("Preheat policies use the instance; the message names them.", Errors),
    413: Reply("The body is over 64 KiB.", Errors),
    415: Reply("The body is not JSON.", Errors),
    429: Reply("Too many wrong passwords for this user or address, or (for a check) every"
               " PREHEAT_TEST_CONCURRENCY slot is taken; wait for Retry-After.", Errors,
               RETRY_AFTER),
    502: Reply("The registry refused or failed (not reachable, TLS, credentials rejected,"
               " catalog not allowed...); the message says how.", Errors),
    503: Reply("The database cannot be reached; try again after Retry-After.", Errors,
               RETRY_AFTER),
    504: Reply("The registry did not answer within the page's time budget.", Errors),
}
# Every protected operation authenticates (and may be throttled) and reads the database.
ALWAYS = (401, 403, 429, 503)
WITH_BODY = (400, 413, 415)


def operation(id: str, replies: dict, **details):
    """Declare what a handler is in the document; the summary is its docstring's first line."""
    def declare(handler):
        summary = details.pop("summary", None) or handler.__doc__.strip().splitlines()[0]
        handler.operation = Operation(id=id, summary=summary, replies=replies, **details)
        return handler
    return declare


class DocumentSchema(GenerateJsonSchema):
    """pydantic's JSON Schema without per-field titles and without null defaults."""

    def field_title_should_be_set(self, schema) -> bool:
        return False

    def default_schema(self, schema):
        json_schema = super().default_schema(schema)
        if json_schema.get("default", 0) is None:
            del json_schema["default"]
        return json_schema


def build(routes: list, path_parameters: type[BaseModel], info: dict, shared: dict) -> dict:
    """The document for `routes`: (werkzeug rule, method, Operation) triples.

    `shared` names field types (such as the long endpoint pattern) that are
    written once in the components and referred to everywhere else.
    """
    models = {(op.body, "validation") for *_, op in routes if op.body}
    models |= {(reply.body, "serialization") for *_, op in routes for reply in _replies(op)
               if reply.body}
    refs, schemas = models_json_schema(sorted(models, key=lambda m: m[0].__name__),
                                       ref_template=REF, schema_generator=DocumentSchema)
    paths: dict = {}
    for rule, method, op in routes:
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)
        names = re.findall(r"{(\w+)}", path)
        item = paths.setdefault(path, {})
        if names:
            item["parameters"] = _parameters(path_parameters, "path", names)
        item[method.lower()] = _operation(op, refs)
    components = _share(schemas.get("$defs", {}), shared)
    return {"openapi": "3.1.0", "info": info, "security": [{"basicAuth": []}],
            "paths": paths,
            "components": {"schemas": components, "securitySchemes": {
                "basicAuth": {"type": "http", "scheme": "basic",
                              "description": "A sysadmin's username and password."},
                "webhookSecret": {"type": "http", "scheme": "bearer",
                                  "description": "A registry's webhook secret, as its"
                                                 " notifications endpoint sends it."}}}}


def _share(schemas: dict, shared: dict) -> dict:
    """`schemas` with every copy of a shared type's schema replaced by a reference to it."""
    written = {name: TypeAdapter(kind, config=PATTERNS).json_schema(
        schema_generator=DocumentSchema) for name, kind in shared.items()}

    def refer(node):
        for name, schema in written.items():
            if node == schema:
                return {"$ref": REF.format(model=name)}
        if isinstance(node, dict):
            return {key: refer(value) for key, value in node.items()}
        if isinstance(node, list):
            return [refer(value) for value in node]
        return node

    return {**refer(schemas), **written}


def _replies(op: Operation) -> list:
    return [*op.replies.values(), *(ERRORS[status] for status in _error_statuses(op)
                                    if status not in op.replies)]


def _error_statuses(op: Operation) -> list:
    return sorted({*ALWAYS, *op.errors, *(WITH_BODY if op.body else ())})


def _operation(op: Operation, refs: dict) -> dict:
    document = {"operationId": op.id, "summary": op.summary}
    if op.description:
        document["description"] = op.description
    if op.query:
        document["parameters"] = _parameters(op.query, "query")
    if op.body:
        content = {"schema": refs[(op.body, "validation")]}
        if op.example is not None:
            content["example"] = op.example
        document["requestBody"] = {"required": op.body_required,
                                   "content": {kind: content for kind in op.media_types}}
    if op.security is not None:
        document["security"] = op.security
    # An operation may say in its own words what a shared error means for it.
    answers = {**{status: ERRORS[status] for status in _error_statuses(op)}, **op.replies}
    document["responses"] = {str(status): _reply(reply, refs)
                             for status, reply in sorted(answers.items())}
    return document


def _reply(reply: Reply, refs: dict) -> dict:
    document = {"description": reply.description}
    if reply.headers:
        document["headers"] = reply.headers
    if reply.links:
        document["links"] = reply.links
    if reply.text:
        document["content"] = {"text/plain": {"schema": {"type": "string"}}}
    if reply.body:
        document["content"] = {"application/json": {
            "schema": refs[(reply.body, "serialization")]}}
    return document


def _parameters(model: type[BaseModel], where: str, names=None) -> list:
    schema = model.model_json_schema(schema_generator=DocumentSchema)
    required = set(schema.get("required", ()))
    parameters = []
    for name, prop in schema["properties"].items():
        if names is not None and name not in names:
            continue
        prop = dict(prop)
        parameter = {"name": name, "in": where, "required": where == "path" or name in required}
        if "description" in prop:
            parameter["description"] = prop.pop("description")
        parameters.append({**parameter, "schema": prop})
    return parameters
