import json
OUT = open("/tmp/inputs-probe/out.txt", "w")
import pytest
from rest_framework.test import APIClient
from django.test import Client

pytestmark = pytest.mark.django_db(transaction=True)

def post(c, path, raw, ct="application/json"):
    return c.generic("POST", path, raw if isinstance(raw, bytes) else raw.encode(), content_type=ct)

def test_probe():
    c = Client(raise_request_exception=False)
    flow = json.loads(post(c, "/api/flows/", '{"name":"f"}').content)["id"]
    run = json.loads(post(c, "/api/flow_runs/", json.dumps({"flow_id": flow})).content)["id"]
    cases = [
        ("POST", "/api/flows/", r'{"name":"a\u0000b"}'),
        ("POST", "/api/flows/", r'{"name":"a\ud800b"}'),
        ("POST", "/api/flow_runs/", json.dumps({"flow_id": flow, "parameters": {"a\u0000": 1}})),
        ("POST", "/api/flow_runs/", '{"flow_id":"%s","parameters":{"x":"\\ud800"}}' % flow),
        ("POST", "/api/flow_runs/", '{"flow_id":"%s","context":{"x":"\\u0000"}}' % flow),
        ("POST", "/api/flow_runs/", '{"flow_id":"%s","tags":["\\u0000"]}' % flow),
        ("POST", "/api/flow_runs/", '{"flow_id":"%s","labels":{"k":"\\u0000"}}' % flow),
        ("POST", "/api/flow_runs/filter", '{"flow_runs":{"name":{"any_":["\\u0000"]}}}'),
        ("POST", "/api/flow_runs/filter", '{"flow_runs":{"name":{"like_":"\\ud800"}}}'),
        ("POST", f"/api/flow_runs/{run}/set_state", '{"state":{"type":"RUNNING","message":"\\u0000"}}'),
        ("POST", f"/api/flow_runs/{run}/set_state", '{"state":{"type":"RUNNING","data":{"\\u0000":1}}}'),
        ("POST", "/api/logs/", '[{"name":"a","level":20,"message":"\\ud800","timestamp":"2024-01-01T00:00:00Z","flow_run_id":null}]'),
        ("POST", "/api/logs/filter", '{"logs":{"level":{"ge_":"\\u0000"}}}'),
        ("POST", "/api/events/filter", '{"filter":{"event":{"name":["\\u0000"]}}}'),
        ("POST", "/api/events", '[{"occurred":"2024-01-01T00:00:00Z","event":"a\\u0000","resource":{"prefect.resource.id":"x"},"id":"00000000-0000-0000-0000-000000000001"}]'),
        ("GET", "/api/flow_runs/?name=a%00b", None),
        ("GET", "/api/flows/?name=%ED%A0%80", None),
        ("GET", "/api/flows/name/a%00b", None),
        ("POST", "/api/flow_runs/filter", "[" * 10000 + "]" * 10000),
        ("POST", "/api/flow_runs/", '{"flow_id":"%s","parameters":{"x":NaN}}' % flow),
        ("POST", "/api/flow_runs/filter", '{"offset": 99999999999999999999999}'),
        ("POST", "/api/flow_runs/paginate", '{"page": 99999999999999999999999}'),
        ("POST", "/api/flow_runs/filter", '{"limit": 99999999999999999999999}'),
        ("POST", "/api/flow_runs/filter", '{"offset": 9223372036854775807}'),
        ("GET", "/api/flow_runs/?offset=99999999999999999999999", None),
        ("GET", "/api/flow_runs/?limit=99999999999999999999999", None),
        ("POST", "/api/flow_runs/filter", '{"flow_runs":{"start_time":{"before_":"9999-12-31T23:59:59-01:00"}}}'),
        ("POST", "/api/flow_runs/", '{"flow_id":"%s","state":{"type":"SCHEDULED","state_details":{"scheduled_time":"9999-12-31T23:59:59-01:00"}}}' % flow),
        ("GET", "/api/flow_runs/?start_time_after=2024-01-01T00:00:00%2B23:00", None),
        ("GET", "/api/flow_runs/?start_time_after=9999-12-31T23:59:59-01:00", None),
        ("GET", f"/api/flow_runs/{run}/graph-v2?since=2024-01-01T00:00:00%2B23:00", None),
        ("POST", "/api/flow_runs/history", '{"history_start":"2024-01-01T00:00:00Z","history_end":"2024-01-02T00:00:00Z","history_interval_seconds":1e300}'),
        ("POST", "/api/flow_runs/history", '{"history_start":"2024-01-01T00:00:00Z","history_end":"2024-01-02T00:00:00Z","history_interval_seconds":NaN}'),
        ("POST", "/api/flow_runs/history", '{"history_start":"2024-01-01T00:00:00Z","history_end":"2024-01-02T00:00:00Z","history_interval_seconds":Infinity}'),
        ("POST", "/api/flow_runs/", json.dumps({"flow_id": flow, "name": "x" * 3000})),
        ("POST", "/api/flow_runs/", json.dumps({"flow_id": flow, "idempotency_key": "x" * 3000})),
        ("POST", "/api/flows/", json.dumps({"name": "x" * 3000})),
        ("POST", "/api/flow_runs/", json.dumps({"flow_id": flow, "tags": ["x" * 100 + str(i) for i in range(200)]})),
        ("POST", "/api/flow_runs/", json.dumps({"flow_id": flow, "empirical_policy": {"retry_delay": 1e14, "retries": 1}})),
        ("POST", "/api/flow_runs/", json.dumps({"flow_id": flow, "empirical_policy": {"retry_delay_seconds": 1e300}})),
        ("OPTIONS", "/api/flow_runs/", None),
        ("OPTIONS", f"/api/flow_runs/{run}", None),
        ("OPTIONS", "/api/health", None),
    ]
    for method, path, body in cases:
        if body is None:
            resp = c.generic(method, path)
        else:
            resp = c.generic(method, path, body.encode("utf-8", "surrogatepass"), content_type="application/json")
        OUT.write(repr((resp.status_code, method, path[:40], (body or "")[:70], resp.content[:200])) + "\n"); OUT.flush()
    r = post(c, "/api/flows/", '{"name":"ct"}', ct="text/plain"); OUT.write(repr(("text/plain", r.status_code, r.content[:100])) + "\n")
    r = c.generic("POST", "/api/flows/", b'{"name":"ct2"}', content_type=""); OUT.write(repr(("none", r.status_code, r.content[:100])) + "\n")
    r = post(c, "/api/flows/", '{"name":"ct3"}', ct="application/x-www-form-urlencoded"); OUT.write(repr(("form", r.status_code, r.content[:100])) + "\n"); OUT.flush()
