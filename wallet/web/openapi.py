"""The HTTP surface, declared once: each API's routing table is a list of `Operation`s, the routes
are built from it (`Operation.route`) and so is the OpenAPI 3.1 document (`document`), so the
document can never miss a route nor describe one that does not exist.

An operation names its pydantic models: `request` (the JSON body, the very model its handler
validates the body with), `query` (its query parameters), `data` (what a success carries). How an
API wraps a success, what its errors look like and which security schemes it has is its `Api`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

Schema = dict[str, Any]
Endpoint = Callable[[Request], Awaitable[Response]]
REF = "#/components/schemas/{model}"
JSON = "application/json"
PATH_PARAMETER = re.compile(r"{([A-Za-z_][A-Za-z0-9_]*)(?::[a-z]+)?}")


def ref(model: type[BaseModel]) -> Schema:
    return {"$ref": REF.format(model=model.__name__)}


@dataclass(frozen=True, slots=True)
class Header:
    """A request header an operation reads (not a security header)."""

    name: str
    description: str
    max_length: int


@dataclass(frozen=True, slots=True)
class Api:
    """How one API answers and authenticates, for the document."""

    name: str
    wrap: Callable[[Schema], Schema]  # the data's schema -> the success answer's schema
    error: type[BaseModel]  # every error answer's body
    statuses: Mapping[int, str]  # every error status the API answers, and what it means
    schemes: Mapping[str, Schema]  # security schemes by name
    always: tuple[int, ...]  # error statuses any of its operations may answer
    body_credentials: type[BaseModel] | None = None  # also accepted in every guarded body
    models: tuple[type[BaseModel], ...] = ()  # further components (the envelope's parts)


@dataclass(frozen=True, slots=True)
class Operation:
    """One method on one path (relative to the /api mount) and everything the document says."""

    method: str
    path: str
    handler: Endpoint
    summary: str
    tag: str
    api: Api
    request: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    data: type[BaseModel] | None = None
    security: tuple[tuple[str, ...], ...] = ()  # alternatives, each a set of schemes
    errors: tuple[int, ...] = ()  # beyond the API's `always`
    headers: tuple[Header, ...] = ()
    description: str = ""
    path_descriptions: Mapping[str, str] = field(default_factory=dict)

    def route(self) -> Route:
        return Route(self.path, self.handler, methods=[self.method])

    @property
    def operation_id(self) -> str:
        """Made of the method and path, unique as they are (handlers of two modules may share
        a name: directory.players and reports.players)."""
        words = re.findall(r"[A-Za-z0-9]+", self.path)
        return "_".join([self.api.name, self.method.lower(), *words])


Refs = Mapping[type[BaseModel], Schema]


def _models(operations: Sequence[Operation]) -> list[type[BaseModel]]:
    found: dict[type[BaseModel], None] = {}
    for op in operations:
        api = op.api
        for model in (op.request, op.data, api.error, api.body_credentials, *api.models):
            if model is not None:
                found[model] = None
    return list(found)


def _components(operations: Sequence[Operation]) -> tuple[Refs, Schema]:
    """Each model's reference, and the schemas. Two models of one name (anywhere, nested too)
    would be named by their modules: refused, so that every schema has its plain name."""
    models = _models(operations)
    keys, schemas = models_json_schema([(m, "validation") for m in models], ref_template=REF)
    defs = dict(schemas.get("$defs", {}))
    clashes = sorted(name for name in defs if "__" in name)
    if clashes:
        raise ValueError(f"models of one name in two modules: {', '.join(clashes)}")
    refs = {model: dict(keys[(model, "validation")]) for model in models}
    return refs, defs


def _query(model: type[BaseModel]) -> list[Schema]:
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", ()))
    parameters = []
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        description = prop.pop("description", "")
        parameter: Schema = {"name": name, "in": "query", "required": name in required}
        if description:
            parameter["description"] = description
        parameters.append({**parameter, "schema": prop})
    return parameters


def _parameters(op: Operation) -> list[Schema]:
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "description": op.path_descriptions.get(name, name),
            "schema": {"type": "string", "minLength": 1},
        }
        for name in PATH_PARAMETER.findall(op.path)
    ]
    parameters += _query(op.query) if op.query else []
    parameters += [
        {
            "name": header.name,
            "in": "header",
            "required": False,
            "description": header.description,
            "schema": {"type": "string", "minLength": 1, "maxLength": header.max_length},
        }
        for header in op.headers
    ]
    return parameters


def _body(op: Operation, refs: Refs) -> Schema | None:
    parts = [refs[op.request]] if op.request else []
    if op.security and op.api.body_credentials is not None:
        parts.append(refs[op.api.body_credentials])
    if not parts:
        return None
    required = bool(op.request and op.request.model_json_schema().get("required"))
    schema = parts[0] if len(parts) == 1 else {"allOf": parts}
    return {"required": required, "content": {JSON: {"schema": schema}}}


def _responses(op: Operation, refs: Refs) -> Schema:
    data: Schema = refs[op.data] if op.data else {"type": "object"}
    responses: Schema = {
        "200": {"description": "Success", "content": {JSON: {"schema": op.api.wrap(data)}}}
    }
    for status in sorted({*op.api.always, *op.errors}):
        answer: Schema = {
            "description": op.api.statuses[status],
            "content": {JSON: {"schema": refs[op.api.error]}},
        }
        if status == 429:
            answer["headers"] = {
                "Retry-After": {
                    "description": "Seconds until the next attempt is counted again",
                    "schema": {"type": "integer", "minimum": 0},
                }
            }
        responses[str(status)] = answer
    return responses


def _operation(op: Operation, refs: Refs) -> Schema:
    described: Schema = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": [op.tag],
        "security": [{name: [] for name in alternative} for alternative in op.security],
        "responses": _responses(op, refs),
    }
    if op.description:
        described["description"] = op.description
    parameters = _parameters(op)
    if parameters:
        described["parameters"] = parameters
    body = _body(op, refs)
    if body is not None:
        described["requestBody"] = body
    return described


def _openapi_path(prefix: str, path: str) -> str:
    return prefix + PATH_PARAMETER.sub(lambda m: "{" + m.group(1) + "}", path)


def document(
    operations: Iterable[Operation], *, title: str, version: str, description: str, prefix: str
) -> Schema:
    """The OpenAPI 3.1 document of these operations, their paths under `prefix`."""
    ops = list(operations)
    refs, schemas = _components(ops)
    seen: set[str] = set()
    paths: dict[str, Schema] = {}
    for op in ops:
        if op.operation_id in seen:
            raise ValueError(f"operationId {op.operation_id} twice")
        seen.add(op.operation_id)
        paths.setdefault(_openapi_path(prefix, op.path), {})[op.method.lower()] = _operation(
            op, refs
        )
    schemes: dict[str, Schema] = {}
    for op in ops:
        schemes.update(op.api.schemes)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description},
        "servers": [{"url": "/"}],
        "tags": [{"name": tag} for tag in dict.fromkeys(op.tag for op in ops)],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": schemes},
    }
