"""Query strings: parsed into a pydantic model by hand, documented from the same model.

The hot read routes take only the `Request` and call `parse_query`: FastAPI's per-request
parameter machinery cost more than the rest of the route's framework work (see the commit
that introduced this). The model stays the one source of truth: `query_parameters` turns it
into the route's OpenAPI `parameters`, and its rules are what `parse_query` enforces.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from functools import cache
from typing import Any, TypeVar, get_args

from fastapi import Request
from pydantic import BaseModel, ValidationError

from elnudge.errors import InvalidRequest

Model = TypeVar("Model", bound=BaseModel)


def reject_unknown_params(request: Request, allowed: Collection[str]) -> None:
    """A misspelt parameter is an error, not silently ignored (`?limt=10` would surprise)."""
    if not request.scope.get("query_string"):
        return  # nothing to parse (a session's URL, nearly always)
    for name in request.query_params:
        if name not in allowed:
            raise InvalidRequest(f"Unknown parameter {name!r}.", param=name)
    for name in allowed:
        if len(request.query_params.getlist(name)) > 1:
            raise InvalidRequest(f"Parameter {name!r} is given more than once.", param=name)


def parse_query(request: Request, model: type[Model]) -> Model:
    """The query string as `model`; an unknown, repeated or invalid parameter is a 400 naming it."""
    reject_unknown_params(request, _names(model))
    for name in _integer_names(model):
        value = request.query_params.get(name)
        if value is not None and not _PLAIN_INTEGER.fullmatch(value):
            message = f"Invalid {name}: expected a whole number in plain digits, such as 50."
            raise InvalidRequest(message, param=name)
    try:
        return model.model_validate(dict(request.query_params))
    except ValidationError as error:
        # Located like FastAPI's own errors, so one rule names the parameter for both.
        problems = [{**p, "loc": ("query", *p["loc"])} for p in error.errors(include_url=False)]
        raise invalid_value(problems) from error


def invalid_value(problems: Sequence[Mapping[str, Any]]) -> InvalidRequest:
    """The 400 for the first of pydantic's `problems`, naming its parameter or body field.

    A problem's `loc` starts with where the value was ("query", "path", "header", "body")."""
    problem = problems[0] if problems else {}
    parts = [str(part) for part in problem.get("loc", ())]
    if len(parts) < 2:
        return InvalidRequest("Invalid request.")
    param = parts[-1] if parts[0] in ("query", "path", "header") else ".".join(parts[1:])
    return InvalidRequest(f"Invalid {param}: {problem.get('msg', 'invalid value')}.", param=param)


def query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """The OpenAPI `parameters` of a query string that `parse_query(…, model)` accepts."""
    schema = model.model_json_schema(by_alias=True)
    required = set(schema.get("required", ()))
    return [
        {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": property_schema,
            "description": property_schema.get("description", ""),
        }
        for name, property_schema in schema["properties"].items()
    ]


def _names(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


# Integers in a query string are plain decimal digits: pydantic alone would also take `1_0`,
# `+7`, `7.0`, ` 7 ` and `007`, each a likely typo that deserves a 400 rather than a guess.
_PLAIN_INTEGER = re.compile(r"0|-?[1-9][0-9]*")


@cache
def _integer_names(model: type[BaseModel]) -> tuple[str, ...]:
    """The parameters of `model` that are integers (optional or not)."""
    return tuple(
        field.alias or name
        for name, field in model.model_fields.items()
        if field.annotation is int or int in get_args(field.annotation)
    )
