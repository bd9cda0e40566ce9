"""JSON schemas of operation types for the OpenAPI document: models become named components."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, TypeAdapter

REF = "#/components/schemas/{model}"


def add_schema(schemas: dict, name: str, schema: dict) -> None:
    if schemas.setdefault(name, schema) != schema:  # two models of one name would overwrite each other
        raise ValueError(f"two different schemas are named {name}: rename one of the models")


def schema_of(tp: Any, mode: str, schemas: dict) -> dict:
    """The schema of `tp`; a model becomes a named component (so the generated TypeScript names it too)."""
    schema = TypeAdapter(tp).json_schema(mode=mode, ref_template=REF)
    for name, sub in schema.pop("$defs", {}).items():
        add_schema(schemas, name, sub)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        add_schema(schemas, tp.__name__, schema)
        return {"$ref": REF.format(model=tp.__name__)}
    return schema
