"""One lower and one upper bound per range, as the range editors show them."""

from __future__ import annotations

from datetime import datetime

from cdrdesk.api.query import RangeValue, Scalar


def _key(value: Scalar) -> float:
    return value.timestamp() if isinstance(value, datetime) else float(value)


def lower_bound(value: RangeValue) -> tuple[str, Scalar] | None:
    """The tighter of ``gt``/``gte``: ``x > 5 and x >= 10`` filters like ``x >= 10``."""
    candidates = [(op, bound) for op, bound in value.bounds() if op in ("gt", "gte")]
    if not candidates:
        return None
    return max(candidates, key=lambda item: (_key(item[1]), item[0] == "gt"))


def upper_bound(value: RangeValue) -> tuple[str, Scalar] | None:
    """The tighter of ``lt``/``lte``."""
    candidates = [(op, bound) for op, bound in value.bounds() if op in ("lt", "lte")]
    if not candidates:
        return None
    return min(candidates, key=lambda item: (_key(item[1]), item[0] != "lt"))
