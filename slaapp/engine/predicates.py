"""Segment predicates (`when`): equality, membership and operators over record attributes."""

from __future__ import annotations

import math
import operator
from collections.abc import Mapping
from dataclasses import dataclass

OPERATORS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "contains")
Scalar = str | int | float | bool


@dataclass(frozen=True)
class Condition:
    """One test of one attribute; `operand` is a scalar, or a tuple for `in` and `not_in`."""

    attribute: str
    op: str
    operand: Scalar | tuple[Scalar, ...]

    def test(self, value: str | None) -> bool:
        """Whether an attribute value satisfies this condition; a missing value never does."""
        if value is None or value == "":
            return False
        op, operand = self.op, self.operand
        if op == "in" or op == "not_in":
            assert isinstance(operand, tuple)
            member = any(_equal(value, item) for item in operand)
            return member if op == "in" else not member
        assert not isinstance(operand, tuple)
        if op == "eq":
            return _equal(value, operand)
        if op == "ne":
            return not _equal(value, operand)
        if op == "contains":
            return str(operand) in value
        return _order(value, operand, op)


@dataclass(frozen=True)
class Predicate:
    """All conditions must hold; an empty predicate matches every record."""

    conditions: tuple[Condition, ...] = ()

    @property
    def attributes(self) -> frozenset[str]:
        return frozenset(c.attribute for c in self.conditions)

    def matches(self, attributes: Mapping[str, str]) -> bool:
        return all(c.test(attributes.get(c.attribute)) for c in self.conditions)


def _number(value: str) -> float | None:
    try:
        number = float(value.strip().replace(",", ""))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _equal(value: str, operand: Scalar) -> bool:
    if isinstance(operand, bool):
        return value.strip().lower() in (("true", "yes", "1") if operand else ("false", "no", "0"))
    if isinstance(operand, int | float):
        number = _number(value)
        return number is not None and number == operand
    return value == operand


def _order(value: str, operand: Scalar, op: str) -> bool:
    compare = _ORDER[op]
    if isinstance(operand, int | float) and not isinstance(operand, bool):
        number = _number(value)
        return number is not None and bool(compare(number, float(operand)))
    return bool(compare(value, str(operand)))


_ORDER = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}
