"""A page of flow-run ids as one ordered branch per state type, merged (`UNION ALL`).

`state.type.any_ [COMPLETED, FAILED]` sorted by expected start, newest first, is the shape
clients send most, and no single index serves it: walking `(expected_start_time DESC)`
backwards tests every run's state, the 100,000 future SCHEDULED runs first, to find the
first finished one. With an index led by the state type, each state's runs are already in
sort order, so each branch reads just the rows it may contribute:

    SELECT id FROM (
        SELECT * FROM (SELECT id, expected_start_time AS sort_key ... WHERE ... AND
                       state_type = 'COMPLETED' ORDER BY 2 DESC, 1 DESC LIMIT offset+limit) b0
        UNION ALL
        SELECT * FROM (... state_type = 'FAILED' ...) b1
    ) page ORDER BY sort_key DESC NULLS FIRST, id DESC LIMIT limit OFFSET offset

PostgreSQL does not find this rewrite itself: given `state_type IN (...)` it either walks the
sort index filtering by state, or reads every matching run and sorts them. The branches
select only the id and the sort key, so with `tags` in the index (INCLUDE) the common
filters are answered from the index alone; the caller then loads the page's rows by id.

The rewrite applies when the filter *implies* a small set of state types (or, failing that,
state names): a `state_type IN` (or `=`) reached from the top of the `Q` through AND alone,
not negated. Each branch is the same filter with that condition narrowed to one value, so the
branches partition exactly the rows the plain query finds, and the merge orders them by the
same keys (ties by id).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import F, OrderBy, Q, QuerySet
from django.db.models.lookups import Exact, In

from flowruns.filters.sorting import FlowRunSort, flow_run_ordering
from flowruns.models import FlowRun

# The columns a page may be split on, each with the sorts that an index led by it serves
# in the sort's order (read forwards or backwards): `ix_flow_run__type_exp_desc`,
# `ix_flow_run__type_start_desc` and `ix_flow_run__state_type_id` for the state type,
# `ix_flow_run__sname_exp_desc` for the state name (a filter may name states, e.g. "Late").
BRANCHED_SORTS: dict[str, frozenset[FlowRunSort]] = {
    "state_type": frozenset(
        {
            FlowRunSort.EXPECTED_START_TIME_DESC,
            FlowRunSort.EXPECTED_START_TIME_ASC,
            FlowRunSort.START_TIME_DESC,
            FlowRunSort.START_TIME_ASC,
            FlowRunSort.ID_DESC,
        }
    ),
    "state_name": frozenset(
        {FlowRunSort.EXPECTED_START_TIME_DESC, FlowRunSort.EXPECTED_START_TIME_ASC}
    ),
}
# More branches than this and the merge reads more than one ordered walk would.
MAX_BRANCHES = 10


def _atom_values(child: Any, column: str) -> set[str] | None:
    """The values a condition on `column` allows, or None when it is something else."""
    if isinstance(child, tuple):
        key, value = child
        if key in (column, f"{column}__exact"):
            return _values([value])
        return _values(value) if key == f"{column}__in" else None
    lhs = getattr(child, "lhs", None)
    if isinstance(child, In | Exact) and isinstance(lhs, F) and lhs.name == column:  # type: ignore[attr-defined]
        return _values(child.rhs) if isinstance(child, In) else _values([child.rhs])
    return None


def _values(values: Any) -> set[str] | None:
    """Literal strings only: a subquery or an expression pins nothing we can see."""
    if isinstance(values, list | tuple | set | frozenset) and all(
        isinstance(v, str) for v in values
    ):
        return set(values)
    return None


def pinned_values(where: Q, column: str = "state_type") -> list[str] | None:
    """The values of `column` that `where` allows at most, sorted, when it pins them through
    AND alone (else None)."""
    found = _pinned(where, column)
    return None if found is None else sorted(found)


def _pinned(where: Q, column: str) -> set[str] | None:
    if where.negated or where.connector != Q.AND:
        return None
    found: set[str] | None = None
    for child in where.children:
        values = _pinned(child, column) if isinstance(child, Q) else _atom_values(child, column)
        if values is not None:
            found = values if found is None else found & values
    return found


def branch_plan(where: Q, sort: FlowRunSort) -> tuple[str, list[str]] | None:
    """The column to split a page of `where` on and its values, when an index serves `sort`
    along each of them; None when the plain query is the better shape."""
    for column, sorts in BRANCHED_SORTS.items():
        if sort in sorts:
            values = pinned_values(where, column)
            if values is not None and len(values) <= MAX_BRANCHES:
                return column, values
    return None


def _narrowed(where: Q, column: str, value: str) -> Q:
    """`where` with each pinning condition on `column` replaced by `column = value` (a value
    the caller took from every one of them)."""
    narrowed = Q(_connector=where.connector, _negated=where.negated)
    for child in where.children:
        if isinstance(child, Q) and not child.negated and child.connector == Q.AND:
            narrowed.children.append(_narrowed(child, column, value))
        elif _atom_values(child, column) is not None:
            narrowed.children.append(Q(**{column: value}))
        else:
            narrowed.children.append(child)
    return narrowed


def _order_sql(ordering: Sequence[OrderBy], names: Sequence[str]) -> str:
    """The outer `ORDER BY` over the branches' columns, the same keys as `ordering`."""
    terms = []
    for order, name in zip(ordering, names, strict=True):
        term = f"{connection.ops.quote_name(name)} {'DESC' if order.descending else 'ASC'}"
        if order.nulls_first:
            term += " NULLS FIRST"
        elif order.nulls_last:
            term += " NULLS LAST"
        terms.append(term)
    return ", ".join(terms)


def _branch_sql(where: Q, ordering: Sequence[OrderBy], rows: int) -> tuple[str, tuple[Any, ...]]:
    runs: QuerySet[Any, Any] = FlowRun.objects.filter(where).order_by(*ordering)
    if len(ordering) == 2:
        runs = runs.annotate(sort_key=ordering[0].expression).values_list("id", "sort_key")
    else:
        runs = runs.values_list("id")
    compiler = runs[:rows].query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    return sql, tuple(params)


def state_branch_ids(
    *, where: Q, column: str, values: Sequence[str], sort: FlowRunSort, limit: int, offset: int
) -> list[Any]:
    """Ids of the page `[offset, offset + limit)` of `where` in `sort` order, found with one
    branch per value of `column` (which `where` must pin, see `branch_plan`)."""
    if not values or limit == 0:
        return []
    ordering = flow_run_ordering(sort)
    names = ("sort_key", "id") if len(ordering) == 2 else ("id",)
    parts: list[str] = []
    params: list[Any] = []
    for i, value in enumerate(values):
        branch = _narrowed(where, column, value)
        sql, branch_params = _branch_sql(branch, ordering, offset + limit)
        parts.append(f"SELECT * FROM ({sql}) AS b{i}")
        params.extend(branch_params)
    sql = (
        f"SELECT page.id FROM ({' UNION ALL '.join(parts)}) AS page "
        f"ORDER BY {_order_sql(ordering, names)} LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset])
        to_python = FlowRun._meta.pk.to_python
        return [to_python(row[0]) for row in cursor.fetchall()]
