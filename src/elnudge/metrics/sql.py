"""Small SQL helpers both backends understand the same way."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Integer, case, func, true
from sqlalchemy.sql.elements import KeyedColumnElement


def count_true(flag: KeyedColumnElement[Any] | ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows have `flag` true (PostgreSQL cannot SUM a boolean, SQLite has none)."""
    return func.coalesce(func.sum(case((flag == true(), 1), else_=0)), 0).cast(Integer)


def count_distinct_where(
    condition: ColumnElement[bool], value: KeyedColumnElement[Any]
) -> ColumnElement[int]:
    """How many distinct `value`s among the rows where `condition` holds."""
    return func.count(func.distinct(case((condition, value), else_=None)))
