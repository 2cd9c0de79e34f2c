"""No request runs past the worker's timeout because of what it asks for. Every admin list filters only as its
page offers. Each refusal is a fast, clear answer, and what was refused never reaches SQL."""

from __future__ import annotations

import pytest
from axes.models import AccessFailureLog
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tokens import issue_token
from tests.factories import approve, make_policy, make_user
from tests.hardening.test_access import file_conflict

pytestmark = pytest.mark.django_db

LISTS = sorted(model._meta.label_lower for model in admin.site._registry)
DATED = [label for label in LISTS if admin.site._registry[apps.get_model(label)].date_hierarchy]
# A harmless pattern: what matters is that no query carries it, not how long it would take.
PATTERN = "^refused-pattern-(a|b)$"


@pytest.fixture
def desk(client, editor, reviewer, superuser):
    """A row in every list: a record with its history and a review event, an import conflict, access changes, a
    token, and sign-ins (one, and then a failed one: a success clears the failures before it)."""
    policy = make_policy(user=editor)
    approve(policy, reviewer)
    file_conflict(policy)
    make_user("new_colleague", groups=("Editor",))
    issue_token(superuser, by=superuser)
    client.post(reverse("admin:login"), {"username": "root", "password": "pw-root"})
    client.post(reverse("admin:login"), {"username": "root", "password": "wrong"})
    # axes keeps this log only where AXES_ENABLE_ACCESS_FAILURE_LOG says so; its list is there either way.
    AccessFailureLog.objects.create(username="root", ip_address="127.0.0.1", user_agent="", path_info="/admin/login/")
    for model in admin.site._registry:
        assert model._default_manager.exists(), model
    return policy


def changelist(label: str) -> str:
    return reverse("admin:{}_{}_changelist".format(*label.split(".")))


def text_field(model) -> str:
    """A text column of `model` (not a password: Django's user admin refuses lookups on those itself)."""
    texts = [f.name for f in model._meta.concrete_fields if f.get_internal_type() in ("CharField", "TextField")]
    return next(name for name in texts if name != "password")


def offered_links(client, url: str) -> list[str]:
    """The query string of every choice the list's filters and date hierarchy offer."""
    cl = client.get(url).context["cl"]
    links = [choice["query_string"] for spec in cl.filter_specs for choice in spec.choices(cl)]
    if cl.date_hierarchy:
        day = timezone.localtime(getattr(cl.result_list[0], cl.date_hierarchy))
        field = cl.date_hierarchy
        links.append(f"?{field}__year={day.year}&{field}__month={day.month}&{field}__day={day.day}")
    return links


def sql_with(text: str, queries: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in queries.captured_queries if text in query["sql"]]


@pytest.mark.parametrize("label", LISTS)
def test_each_list_takes_the_filters_it_offers_and_refuses_any_other_lookup_before_a_query_runs(
    label, desk, superuser, client
):
    client.force_login(superuser)
    url = changelist(label)
    for link in offered_links(client, url):
        assert client.get(url + link).status_code == 200, link

    field = text_field(apps.get_model(label))
    for lookup in (f"{field}__regex", f"{field}__iregex", f"{field}__contains"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {lookup: PATTERN})

        assert response.status_code == 400, lookup
        assert f"This list is not filtered by {lookup}: use the filters it offers." in response.content.decode()
        assert sql_with(PATTERN, queries) == []


@pytest.mark.parametrize("label", DATED)
def test_a_date_no_calendar_holds_is_answered_like_any_malformed_filter(label, desk, superuser, client):
    client.force_login(superuser)
    url = changelist(label)
    field = admin.site._registry[apps.get_model(label)].date_hierarchy

    for month, day in (("9" * 20, None), ("1", "9" * 20)):
        query = {f"{field}__year": "2025", f"{field}__month": month, **({f"{field}__day": day} if day else {})}
        response = client.get(url, query)

        assert response.status_code == 302
        assert response["Location"] == f"{url}?e=1"
