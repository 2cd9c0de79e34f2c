"""One place, however a record spells it: 中国, China and CN are one choice of the list's filter, one search and one
API filter; a place the vocabulary does not know is a warning naming the closest it knows."""

from __future__ import annotations

import importlib

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from policies import countries
from policies.models import CollectionCheckOwed, Policy, PolicyWarning
from tests.api.clients import client_for
from tests.factories import make_reviewer

pytestmark = pytest.mark.django_db

SPELLINGS = {"cn-zh": "中国", "cn-en": "China", "cn-code": "CN", "no-en": "Norway", "intl-zh": "国际"}


@pytest.fixture
def records(db):
    for policy_id, country in [*SPELLINGS.items(), ("atlantis", "Atlantis"), ("intl-en", "International")]:
        Policy(policy_id=policy_id, title=policy_id, country=country).save_as(user=None, reason="made for the test")


def listed(client, **query) -> list[str]:
    response = client.get(reverse("admin:policies_policy_changelist"), query)
    assert response.status_code == 200
    return sorted(policy.policy_id for policy in response.context["cl"].result_list)


def country_choices(client, language: str) -> list[str]:
    response = client.get(reverse("admin:policies_policy_changelist"), headers={"accept-language": language})
    spec = next(s for s in response.context["cl"].filter_specs if getattr(s, "parameter_name", "") == "country")
    return [str(choice["display"]) for choice in spec.choices(response.context["cl"])][1:]


def test_the_country_filter_offers_each_place_once_named_in_the_pages_language(client, records, reviewer):
    client.force_login(reviewer)
    assert country_choices(client, "en") == ["Atlantis", "China (中国)", "International (国际)", "Norway (挪威)"]
    assert country_choices(client, "zh-CN") == ["Atlantis", "中国 (China)", "国际 (International)", "挪威 (Norway)"]


@pytest.mark.parametrize("spelling", ["中国", "China", "CN", "china"])
def test_any_spelling_of_a_place_filters_the_list_to_all_its_records(client, records, reviewer, spelling):
    client.force_login(reviewer)
    assert listed(client, country=spelling) == ["cn-code", "cn-en", "cn-zh"]


@pytest.mark.parametrize(
    ("word", "found"),
    [
        ("China", ["cn-en", "cn-zh"]),  # the record that writes only the code CN has no word to find
        ("中国", ["cn-en", "cn-zh"]),
        ("international", ["intl-en", "intl-zh"]),
        ("国际", ["intl-en", "intl-zh"]),
        ("Atlantis", ["atlantis"]),
    ],
)
def test_a_search_for_a_place_finds_it_in_both_languages(client, records, reviewer, word, found):
    client.force_login(reviewer)
    assert listed(client, q=word) == found


def test_the_api_country_filter_takes_any_spelling(records):
    api = client_for(make_reviewer("api-reader"))
    response = api.get("/api/policies/", {"country": "中国", "version": "current"})
    assert sorted(item["id"] for item in response.json()["results"]) == ["cn-code", "cn-en", "cn-zh"]


def test_a_place_not_in_the_vocabulary_is_a_warning_naming_the_closest_known_one(db):
    slip = Policy(policy_id="slip", title="slip", country="Chna")
    slip.save_as(user=None, reason="made for the test")
    known = Policy(policy_id="known", title="known", country="中国")
    known.save_as(user=None, reason="made for the test")

    (warning,) = slip.warnings.filter(code="unknown_country")
    assert "'Chna' is not in the desk's list of countries and regions; did you mean 中国 (China)?" in warning.message
    assert not known.warnings.filter(code="unknown_country").exists()


def test_every_place_of_the_vocabulary_has_both_names_and_no_spelling_names_two_places():
    seen: dict[str, str] = {}
    for place in countries.places():
        assert place.zh and place.en and place.code
        for spelling in place.spellings:
            assert seen.setdefault(spelling.casefold(), place.code) == place.code, spelling


def test_a_collection_stored_before_the_country_check_is_owed_a_check_that_adds_its_warnings(db):
    Policy(policy_id="old", title="old", country="Chna").save_as(user=None, reason="stored before the check")
    PolicyWarning.objects.filter(code="unknown_country").delete()  # as a database from before the check holds it
    module = importlib.import_module("policies.migrations.0012_country_check_owed")
    apps = MigrationExecutor(connection).loader.project_state(("policies", "0012_country_check_owed")).apps

    module.owe_a_collection_check(apps, None)
    assert CollectionCheckOwed.objects.exists()
    call_command("check_policies", "--if-owed", verbosity=0)

    assert PolicyWarning.objects.filter(policy__policy_id="old", code="unknown_country").exists()
