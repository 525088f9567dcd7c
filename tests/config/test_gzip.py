"""Responses are gzipped as Django gzips them (at level 1): the client inflates the same body."""

from __future__ import annotations

import gzip

import pytest

from tests.factories import FlowRunFactory

pytestmark = pytest.mark.django_db


def _filter(client, **headers):
    return client.post("/api/flow_runs/filter", {}, content_type="application/json", **headers)


def test_a_large_answer_is_gzipped_for_a_client_that_accepts_it_and_inflates_to_the_same(client):
    FlowRunFactory.create_batch(5)
    plain = _filter(client)
    zipped = _filter(client, HTTP_ACCEPT_ENCODING="gzip, deflate")

    assert "Content-Encoding" not in plain
    assert zipped["Content-Encoding"] == "gzip"
    assert zipped["Vary"] == "Accept-Encoding"
    assert int(zipped["Content-Length"]) == len(zipped.content) < len(plain.content)
    assert gzip.decompress(zipped.content) == plain.content


def test_the_compressed_length_varies_between_identical_answers(client):
    """Django's BREACH mitigation (a random file name in the gzip header) is kept."""
    FlowRunFactory.create_batch(3)
    lengths = {len(_filter(client, HTTP_ACCEPT_ENCODING="gzip").content) for _ in range(12)}
    assert len(lengths) > 1


def test_small_answers_are_not_compressed(client):
    response = client.get("/api/health", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert "Content-Encoding" not in response
