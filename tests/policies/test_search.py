import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from policies import search
from policies.admin import PolicyAdmin
from policies.models import Policy
from tests.api.clients import client_for
from tests.factories import approve, edit, make_editor, make_reviewer, run_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(db):
    made = [
        Policy(policy_id="no-ccs-act", title="Norwegian CCS Act", country="Norway", tags=["storage", "North Sea"]),
        Policy(policy_id="eu-ets-2024", title="Emissions Trading 50% rule", country="European Union", tags=["ETS"]),
        Policy(policy_id="cn-art6", title="《巴黎协定》第 6.4 条", country="国际", tags=["跨境信用", "COP29"]),
        Policy(policy_id="us_45q", title="Tax credit for carbon oxide", country="United States", tags=[]),
    ]
    for policy in made:
        policy.save_as(user=None, reason="made for the test")
    return made


def listed(client, query: str) -> list[str]:
    response = client.get(reverse("admin:policies_policy_changelist"), {"q": query})
    assert response.status_code == 200
    return [policy.policy_id for policy in response.context["cl"].result_list]


SEARCHES = [
    ("ccs", ["no-ccs-act"]),  # in the id and the title, any case
    ("NORWAY", ["no-ccs-act"]),  # the country
    ("north sea", ["no-ccs-act"]),  # two words, one tag
    ('"North Sea"', ["no-ccs-act"]),  # a quoted phrase
    ("union ets", ["eu-ets-2024"]),  # every word must match, in any column
    ("union storage", []),
    ("跨境", ["cn-art6"]),  # a tag in Chinese
    ("6.4", ["cn-art6"]),
    ("50%", ["eu-ets-2024"]),  # % is a character, not a wildcard
    ("s_4", ["us_45q"]),  # so is _
    ("45", ["us_45q"]),  # shorter than a trigram
    ("q", ["us_45q"]),
]


@pytest.mark.parametrize(("query", "found"), SEARCHES)
def test_the_admin_search_finds_every_word_in_the_id_title_country_or_tags(client, viewer, records, query, found):
    assert listed(client, query) == found


@pytest.mark.parametrize(("query", "found"), SEARCHES)
def test_the_api_finds_what_the_admin_finds_in_current_and_published_versions(records, query, found):
    # One search: the API's `search` means what the admin list's box means, in the version the API shows.
    reviewer = make_reviewer()
    for policy in records:
        approve(policy, reviewer)
    api = client_for(reviewer)
    for version in ("current", "published"):
        response = api.get("/api/policies/", {"search": query, "version": version})
        assert response.status_code == 200, response.content
        assert sorted(item["id"] for item in response.json()["results"]) == found, version


def test_the_api_searches_the_published_version_while_the_current_one_differs(records):
    reviewer = make_reviewer()
    approve(records[2], reviewer)
    edit(records[2], user=make_editor(), tags=["COP29"])
    api = client_for(reviewer)

    def found(version: str) -> list[str]:
        return [
            item["id"] for item in api.get("/api/policies/", {"search": "跨境", "version": version}).json()["results"]
        ]

    assert (found("published"), found("current")) == (["cn-art6"], [])


def test_the_search_follows_edits_deletions_and_imports(client, viewer, records, tmp_path):
    norway = records[0]
    norway.title = "Storage licensing"
    norway.save_as(user=None, reason="renamed")
    records[1].delete()
    (tmp_path / "imported.md").write_text("---\nid: imported-ccs\ntitle: Imported Act\ntags: [Licensing]\n---\n")
    run_import(tmp_path)

    assert listed(client, "Norwegian") == []
    assert listed(client, "licensing") == ["imported-ccs", "no-ccs-act"]
    assert listed(client, "Emissions") == []


def test_the_search_reads_the_index_not_the_table(records):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A few rows are cheaper to scan: make the planner show whether the index answers the search at all.
            cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
        queryset = search.matching(Policy.objects.order_by(), "Norwegian")
        sql, params = queryset.query.sql_with_params()
        explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        cursor.execute(explain + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())

    index = "VIRTUAL TABLE INDEX" if connection.vendor == "sqlite" else search.POSTGRES_INDEX
    assert index in plan


@pytest.mark.parametrize("query", ["ccs", "a", "union ets", "e t"])
def test_a_search_sorted_by_a_column_finds_what_it_finds_in_id_order(client, viewer, records, query):
    url = reverse("admin:policies_policy_changelist")
    in_id_order = [p.policy_id for p in client.get(url, {"q": query}).context["cl"].result_list]
    # The sort parameter numbers the columns from 1, after the action checkbox.
    year_column = str(PolicyAdmin.list_display.index("year") + 1)
    by_year = [p.policy_id for p in client.get(url, {"q": query, "o": year_column}).context["cl"].result_list]
    assert in_id_order == sorted(in_id_order)
    assert sorted(by_year) == in_id_order


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL's planner chooses by its statistics")
def test_a_search_listed_in_id_order_walks_the_id_index_instead_of_sorting_every_match(records):
    queryset = search.matching(Policy.objects.all(), "carbon", in_id_order=True)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "VIRTUAL TABLE INDEX" in plan and "TEMP B-TREE FOR ORDER BY" not in plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite rebuilds a table, dropping its triggers")
def test_the_next_migrate_puts_back_a_search_index_that_a_table_rebuild_dropped(client, viewer, records):
    with connection.cursor() as cursor:
        for trigger in search.SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER {trigger}")
    Policy(policy_id="added-meanwhile", title="Added while the index was gone").save_as(user=None, reason="t")

    call_command("migrate", verbosity=0)

    assert listed(client, "meanwhile") == ["added-meanwhile"]
    assert listed(client, "Norwegian") == ["no-ccs-act"]


def test_a_search_with_more_matches_than_are_counted_says_more_than_and_pages_through_the_counted_ones(
    client, viewer, monkeypatch
):
    monkeypatch.setattr("policies.admin.SEARCH_COUNT_LIMIT", 3)
    monkeypatch.setattr("policies.admin.PolicyAdmin.list_per_page", 2)
    for n in range(6):
        Policy(policy_id=f"carbon-{n}", title=f"Carbon rule {n}").save_as(user=None, reason="t")
    url = reverse("admin:policies_policy_changelist")

    first = client.get(url, {"q": "carbon"})
    last = client.get(url, {"q": "carbon", "p": "2"})
    exact = client.get(url, {"q": "carbon-1"})

    assert "more than 3 results" in first.content.decode()
    assert "more than 3 policies" in first.content.decode()
    assert [p.policy_id for p in last.context["cl"].result_list] == ["carbon-2", "carbon-3"]
    assert "1 result" in exact.content.decode() and "more than" not in exact.content.decode()
