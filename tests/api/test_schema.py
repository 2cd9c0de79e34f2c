"""The OpenAPI schema, its docs page, and a schemathesis run that holds the API to the schema."""

from __future__ import annotations

import zlib

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from accounts.tokens import issue_token
from policies.models import Policy
from tests.api.clients import etag_of
from tests.factories import approve, make_editor, make_policy, make_reviewer, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Bounded so that the run stays within seconds: explicit examples and ~30 generated requests per operation, no
# deadline (the first request of each operation warms caches), a fixed seed so that CI sends the same requests every
# time. The coverage phase (boundary values of every schema keyword) is off: for PATCH alone it sends ~500 requests.
FUZZ = schemathesis.Config.from_dict(
    {
        "seed": 20260101,
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "checks": {
            "enabled": False,
            "not_a_server_error": {"enabled": True},
            "status_code_conformance": {"enabled": True},
            "content_type_conformance": {"enabled": True},
            "response_schema_conformance": {"enabled": True},
            "response_headers_conformance": {"enabled": True},
        },
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=FUZZ)


def test_the_schema_is_served_to_anyone_as_openapi_3(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert "/api/policies/{policy_id}/approve/" in document["paths"]


def test_the_docs_page_loads_swagger_ui_from_our_own_static_files_not_a_cdn(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower() and "https://" not in page
    # The page's own style passes the Content-Security-Policy with the request's nonce; its scripts are files.
    nonce = page.split('<style nonce="', 1)[1].split('"', 1)[0]
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    assert "<script>" not in page
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "/api/schema/" in script.content.decode()


@pytest.fixture
def fuzz_world(db, imported):
    """A small collection and a user who may edit and review, whose token every generated request carries."""
    author = make_editor("author")
    other = make_reviewer("other_reviewer")
    for policy_id in ("aa-one", "bb-two"):
        approve(make_policy(user=author, policy_id=policy_id), other)
    user = make_user("fuzzer", groups=("Editor", "Reviewer"))
    # Generated requests go through the WSGI handler, whose end-of-request hook would close the test's
    # connection (and with it the test transaction); Django's test client turns that hook off the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {
        "token": issue_token(user, by=user)[1],
        "ids": sorted(Policy.objects.values_list("policy_id", flat=True)),
    }
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_answers_every_generated_request_as_its_schema_says(case, fuzz_world):
    ids = fuzz_world["ids"]
    if "policy_id" in (case.path_parameters or {}):
        # Mostly records that exist, and for writes mostly their current ETag, so that requests get past the
        # lookup and the precondition to the validation and the workflow; now and then what was generated.
        generated = repr((case.path_parameters, case.query, case.body)).encode("utf-8", "surrogatepass")
        slot = zlib.crc32(generated) % (len(ids) + 1)
        if slot < len(ids):
            case.path_parameters["policy_id"] = ids[slot]
            if case.method in ("PATCH", "POST") and zlib.crc32(generated[::-1]) % 4:
                policy = Policy.objects.get(policy_id=ids[slot])
                case.headers = {**(case.headers or {}), "If-Match": etag_of(policy)}
    case.call_and_validate(headers={"Authorization": f"Token {fuzz_world['token']}"})
