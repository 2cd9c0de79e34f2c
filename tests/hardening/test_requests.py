"""No request runs past the worker's timeout because of what it asks for. Every admin list filters only as its
page offers and searches within bounds; every id a URL or a form names is one its column can hold. Each refusal
is a fast, clear answer, and what was refused never reaches SQL."""

from __future__ import annotations

import pytest
from axes.models import AccessFailureLog
from django.apps import apps
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tokens import issue_token
from policies import search
from policies.models import Policy
from reviews.views import QUEUE_MAX_PAGE
from tests.factories import approve, make_policy, make_user
from tests.hardening.test_access import file_conflict

pytestmark = pytest.mark.django_db

LISTS = sorted(model._meta.label_lower for model in admin.site._registry)
SEARCHED = [label for label in LISTS if admin.site._registry[apps.get_model(label)].search_fields]
DATED = [label for label in LISTS if admin.site._registry[apps.get_model(label)].date_hierarchy]
# A harmless pattern: what matters is that no query carries it, not how long it would take.
PATTERN = "^refused-pattern-(a|b)$"
# Not a number; past a bigint; past the 4,300 digits Python turns into an int.
IDS_NO_ROW_HAS = ["abc", "9" * 20, "1" * 5000]


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


@pytest.mark.parametrize("label", SEARCHED)
def test_a_search_past_the_bounds_is_not_run_and_the_list_says_so_keeping_the_term(label, desk, superuser, client):
    client.force_login(superuser)
    url = changelist(label)
    refusal = "Nothing was searched: a search has at most 20 words and 200 characters."
    at_the_bounds = [" ".join(f"word{i}" for i in range(search.MAX_WORDS)), "y" * search.MAX_CHARACTERS]
    past_them = [" ".join(f"word{i}" for i in range(search.MAX_WORDS + 1)), "z" * (search.MAX_CHARACTERS + 1)]

    for term in at_the_bounds:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"q": term})
        assert response.status_code == 200
        assert refusal not in response.content.decode()
        assert sql_with(term.split()[-1], queries), "searched"

    for term in past_them:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"q": term})
        assert response.status_code == 200
        body = response.content.decode()
        assert refusal in body
        assert f'value="{term}"' in body, "the term stays in the search box"
        assert list(response.context["cl"].result_list) == []
        assert sql_with(term.split()[-1], queries) == []


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


def test_an_action_on_ids_no_row_can_have_is_refused_with_400_and_changes_nothing(desk, superuser, client):
    client.force_login(superuser)
    users = list(get_user_model().objects.order_by("pk").values_list("pk", flat=True))

    for label, action in (("policies.policy", "delete_selected"), ("auth.user", "delete_selected")):
        for selected in IDS_NO_ROW_HAS:
            response = client.post(
                changelist(label), {"action": action, helpers.ACTION_CHECKBOX_NAME: [selected], "post": "yes"}
            )

            assert response.status_code == 400, (label, selected[:20])
            assert "The selection names rows that cannot exist; nothing was done." in response.content.decode()

    assert Policy.objects.filter(pk=desk.pk).exists()
    assert list(get_user_model().objects.order_by("pk").values_list("pk", flat=True)) == users


def test_a_records_pages_answer_404_for_an_id_no_record_or_version_can_have(desk, superuser, client):
    client.force_login(superuser)
    version = desk.history.order_by("history_id").first().history_id

    for wrong in [*IDS_NO_ROW_HAS, "9999999999"]:  # the last one past PostgreSQL's integer
        for url in (
            reverse("admin:policies_policy_history", args=[wrong]),
            reverse("admin:policies_policy_simple_history", args=[wrong, version]),
            reverse("admin:policies_policy_simple_history", args=[desk.pk, wrong]),
            reverse("admin:policies_policy_review", args=[wrong]),
        ):
            assert client.get(url).status_code == 404, url[:80]
        restore = reverse("admin:policies_policy_restore", args=[wrong, version])
        assert client.post(restore).status_code == 404, restore[:80]

    assert Policy.objects.get(pk=desk.pk).version == desk.version


def test_the_review_queue_has_no_page_past_what_any_queue_could_fill(reviewer, client):
    client.force_login(reviewer)
    queue = reverse("admin:policies_policy_review_queue")

    assert client.get(queue, {"page": QUEUE_MAX_PAGE}).status_code == 200
    for page in (QUEUE_MAX_PAGE + 1, "9" * 20):
        assert client.get(queue, {"page": page}).status_code == 404
