"""The portable lookups, used directly as filter expressions."""

from __future__ import annotations

import pytest
from django.db import NotSupportedError, connection
from django.db.models import F
from django.db.models.expressions import RawSQL

from flowruns.filters.lookups import (
    ContainsText,
    JSONListContainsAll,
    JSONListContainsAny,
    JSONListIsEmpty,
    LikeContains,
    LikeStartsWith,
)
from flowruns.models import FlowRun
from tests.factories import FlowRunFactory

from .helpers import ids

pytestmark = pytest.mark.django_db


def test_json_list_contains_all_and_any() -> None:
    ab = FlowRunFactory.create(tags=["a", "b"])
    b = FlowRunFactory.create(tags=["b"])
    FlowRunFactory.create(tags=[])
    assert set(FlowRun.objects.filter(JSONListContainsAll(F("tags"), ["b"]))) == {ab, b}
    assert set(FlowRun.objects.filter(JSONListContainsAll(F("tags"), ["b", "a"]))) == {ab}
    assert set(FlowRun.objects.filter(JSONListContainsAny(F("tags"), ["a", "x"]))) == {ab}
    assert not FlowRun.objects.filter(JSONListContainsAny(F("tags"), [])).exists()
    assert FlowRun.objects.filter(JSONListContainsAll(F("tags"), [])).count() == 3


def test_json_list_lookups_negate_and_match_unicode() -> None:
    tagged = FlowRunFactory.create(tags=["ünï", "€"])
    other = FlowRunFactory.create(tags=["x"])
    assert set(FlowRun.objects.filter(JSONListContainsAll(F("tags"), ["€", "ünï"]))) == {tagged}
    assert set(FlowRun.objects.exclude(JSONListContainsAny(F("tags"), ["ünï"]))) == {other}


def test_json_list_is_empty_compares_structure_not_text() -> None:
    empty = FlowRunFactory.create(tags=[])
    spaced = FlowRunFactory.create()
    FlowRun.objects.filter(pk=spaced.pk).update(tags=RawSQL("%s", ["[ ]"]))
    tagged = FlowRunFactory.create(tags=["a"])
    assert set(FlowRun.objects.filter(JSONListIsEmpty(F("tags"), True))) == {empty, spaced}
    assert set(FlowRun.objects.filter(JSONListIsEmpty(F("tags"), False))) == {tagged}


def test_like_contains_and_startswith_are_case_insensitive_and_unescaped() -> None:
    a = FlowRunFactory.create(name="Deploy_X")
    b = FlowRunFactory.create(name="deployAX")
    c = FlowRunFactory.create(name="re-deploy")
    assert ids(*FlowRun.objects.filter(LikeContains(F("name"), "DEPLOY"))) == ids(a, b, c)
    assert ids(*FlowRun.objects.filter(LikeContains(F("name"), "y_x"))) == ids(a, b)
    assert ids(*FlowRun.objects.filter(LikeStartsWith(F("name"), "deploy"))) == ids(a, b)


def test_contains_text_escapes_wildcards() -> None:
    a = FlowRunFactory.create(name="Deploy_X")
    FlowRunFactory.create(name="deployAX")
    b = FlowRunFactory.create(name="50%\\off")
    assert ids(*FlowRun.objects.filter(ContainsText(F("name"), "y_x"))) == ids(a)
    assert ids(*FlowRun.objects.filter(ContainsText(F("name"), "%\\o"))) == ids(b)


def test_other_databases_are_refused() -> None:
    lookup = LikeContains(F("name"), "x")
    with pytest.raises(NotSupportedError):
        lookup.as_sql(None, connection)  # type: ignore[arg-type]
