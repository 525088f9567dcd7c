"""Each criterion of the filter language, implemented once for every filter family.

A criterion function takes a column (a field path, or an expression such as a `Coalesce`) and the
value the client sent, and returns a list of `Q`:

* `[]` — the criterion is inactive (the client sent null or left the key out);
* `[Q()]` — it is active but matches every row (SQL TRUE), e.g. `all_: []`;
* `[Q(...)]` — an actual condition.

`combine()` then joins the criteria of one filter object with its operator. An empty `Q()` stands
for TRUE throughout: under `and_` it is dropped, under `or_` it makes the whole group TRUE, which is
what Prefect's SQL does when a criterion reduces to a constant true.

Semantics (spec/api.md §4.1): `any_: []` matches nothing; `not_any_: []`, `all_: []`, `like_: ""`
and `startswith_: []` are constant TRUE; NOT IN follows SQL, so rows whose column is NULL are
excluded; `before_`/`after_` are inclusive; a tag list "is null" when it is empty.
"""

from __future__ import annotations

import operator as op
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import reduce
from typing import Any, TypeVar

from django.db.models import Exists, Expression, F, Q
from django.db.models.lookups import GreaterThanOrEqual, In, LessThanOrEqual

from .lookups import (
    JSONListContainsAll,
    JSONListContainsAny,
    JSONListIsEmpty,
    LikeContains,
    LikeStartsWith,
)
from .schemas import FilterModel, Operator

Column = str | Expression
Criteria = list[Q]
M = TypeVar("M", bound=FilterModel)

TRUE = Q()


def combine(parts: Iterable[Q], operator: Operator = Operator.and_) -> Q:
    """Join criteria with AND or OR; no criteria at all is TRUE, as in Prefect."""
    parts = list(parts)
    if operator is Operator.or_:
        if not parts or any(not part for part in parts):
            return TRUE
        return reduce(op.or_, parts)
    conditions = [part for part in parts if part]
    return reduce(op.and_, conditions) if conditions else TRUE


def nested(child: M | None, compile_child: Callable[[M], Q]) -> Criteria:
    """A present sub-filter contributes its own combined criterion, even when it is empty (TRUE)."""
    return [] if child is None else [compile_child(child)]


def _expr(column: Column) -> F | Expression:
    return F(column) if isinstance(column, str) else column


def any_(column: Column, values: Sequence[Any] | None) -> Criteria:
    """`column IN values`; an empty list matches nothing."""
    if values is None:
        return []
    return [Q(In(_expr(column), list(values)))]


def not_any_(column: Column, values: Sequence[Any] | None) -> Criteria:
    """`column NOT IN values` with SQL's NULL semantics (NULL rows never match)."""
    if values is None:
        return []
    if not values:
        return [TRUE]
    return [~Q(In(_expr(column), list(values)))]


def is_null_(column: str, flag: bool | None) -> Criteria:
    if flag is None:
        return []
    return [Q(**{f"{column}__isnull": flag})]


def eq_(column: str, value: Any) -> Criteria:
    return [] if value is None else [Q(**{column: value})]


def ge_(column: Column, value: Any) -> Criteria:
    return [] if value is None else [Q(GreaterThanOrEqual(_expr(column), value))]


def le_(column: Column, value: Any) -> Criteria:
    return [] if value is None else [Q(LessThanOrEqual(_expr(column), value))]


def before_(column: Column, value: datetime | None) -> Criteria:
    """Inclusive upper bound; a NULL column never matches."""
    return le_(column, value)


def after_(column: Column, value: datetime | None) -> Criteria:
    """Inclusive lower bound; a NULL column never matches."""
    return ge_(column, value)


def like_(column: Column, value: str | None) -> Criteria:
    """Case-insensitive substring; `%` and `_` in the value are wildcards."""
    if value is None:
        return []
    if value == "":
        return [TRUE]
    return [Q(LikeContains(_expr(column), value))]


def startswith_(column: Column, prefixes: Sequence[str] | None) -> Criteria:
    """Case-insensitive prefix match against any of `prefixes`."""
    if prefixes is None:
        return []
    if not prefixes:
        return [TRUE]
    return [reduce(op.or_, (Q(LikeStartsWith(_expr(column), p)) for p in prefixes))]


def tags_all_(column: str, values: Sequence[str] | None) -> Criteria:
    """The JSON list holds every value (superset)."""
    if values is None:
        return []
    if not values:
        return [TRUE]
    return [Q(JSONListContainsAll(F(column), list(values)))]


def tags_any_(column: str, values: Sequence[str] | None) -> Criteria:
    """The JSON list holds at least one of the values; an empty list matches nothing."""
    if values is None:
        return []
    if not values:
        return [Q(pk__in=[])]
    return [Q(JSONListContainsAny(F(column), list(values)))]


def tags_is_null_(column: str, flag: bool | None) -> Criteria:
    """`true`: the list is empty (`[]`, not SQL NULL); `false`: it is not."""
    if flag is None:
        return []
    return [Q(JSONListIsEmpty(F(column), flag))]


def exists_(subquery: Exists, flag: bool | None) -> Criteria:
    if flag is None:
        return []
    return [Q(subquery) if flag else ~Q(subquery)]
