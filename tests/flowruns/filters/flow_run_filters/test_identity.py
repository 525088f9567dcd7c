"""FlowRunFilter `id`, `name`, `flow_version` and `idempotency_key` (spec/api.md §4.1, §4.3)."""

from __future__ import annotations

from uuid import uuid4

import pytest

from tests.factories import FlowRunFactory
from tests.flowruns.filters.helpers import ids

from .helpers import everything, matching

pytestmark = pytest.mark.django_db


class TestId:
    def test_any_and_not_any(self) -> None:
        a, b, c = FlowRunFactory.create_batch(3)
        assert matching({"id": {"any_": [str(a.id), str(b.id)]}}) == ids(a, b)
        assert matching({"id": {"not_any_": [str(a.id)]}}) == ids(b, c)
        assert matching({"id": {"any_": [str(a.id), str(b.id)], "not_any_": [str(b.id)]}}) == ids(a)

    def test_empty_any_matches_nothing_but_empty_not_any_is_ignored(self) -> None:
        a, b = FlowRunFactory.create_batch(2)
        assert matching({"id": {"any_": []}}) == set()
        assert matching({"id": {"not_any_": []}}) == ids(a, b)

    def test_null_criteria_are_not_given(self) -> None:
        a, b = FlowRunFactory.create_batch(2)
        assert matching({"id": {"any_": None, "not_any_": None}}) == ids(a, b)

    def test_an_unknown_id_matches_nothing(self) -> None:
        FlowRunFactory.create()
        assert matching({"id": {"any_": [str(uuid4())]}}) == set()


class TestName:
    def test_any_is_exact(self) -> None:
        a = FlowRunFactory.create(name="alpha")
        FlowRunFactory.create(name="alphabet")
        assert matching({"name": {"any_": ["alpha"]}}) == ids(a)
        assert matching({"name": {"any_": ["ALPHA"]}}) == set()

    def test_like_is_a_case_insensitive_substring(self) -> None:
        a = FlowRunFactory.create(name="sad-Marvin")
        b = FlowRunFactory.create(name="marvin-robot")
        FlowRunFactory.create(name="arthur")
        assert matching({"name": {"like_": "marvin"}}) == ids(a, b)
        assert matching({"name": {"like_": "MARVIN-R"}}) == ids(b)

    def test_like_wildcards_are_not_escaped(self) -> None:
        a = FlowRunFactory.create(name="cnt-1")
        b = FlowRunFactory.create(name="cnt_1")
        c = FlowRunFactory.create(name="count-1")
        FlowRunFactory.create(name="other")
        assert matching({"name": {"like_": "cnt_1"}}) == ids(a, b)
        assert matching({"name": {"like_": "c%1"}}) == ids(a, b, c)

    def test_empty_like_is_ignored(self) -> None:
        a, b = FlowRunFactory.create_batch(2)
        assert matching({"name": {"like_": ""}}) == ids(a, b)

    def test_any_and_like_are_anded(self) -> None:
        a = FlowRunFactory.create(name="marvin")
        FlowRunFactory.create(name="marvin-2")
        assert matching({"name": {"any_": ["marvin", "zaphod"], "like_": "arv"}}) == ids(a)


class TestFlowVersion:
    def test_any(self) -> None:
        a = FlowRunFactory.create(flow_version="1.0")
        FlowRunFactory.create(flow_version="2.0")
        FlowRunFactory.create(flow_version=None)
        assert matching({"flow_version": {"any_": ["1.0"]}}) == ids(a)
        assert matching({"flow_version": {"any_": []}}) == set()


class TestIdempotencyKey:
    def test_any_and_not_any_exclude_runs_without_a_key(self) -> None:
        a = FlowRunFactory.create(idempotency_key="a")
        b = FlowRunFactory.create(idempotency_key="b")
        FlowRunFactory.create(idempotency_key=None)
        assert matching({"idempotency_key": {"any_": ["a"]}}) == ids(a)
        assert matching({"idempotency_key": {"not_any_": ["a"]}}) == ids(b)
        assert matching({"idempotency_key": {"not_any_": []}}) == everything()
