"""The desk speaks its team's language and keeps its time: the language a person asked for (by choice or by their
browser), the deployment's default, and dates in the deployment's zone."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import LanguagePreference
from tests.data import ROOT
from tests.factories import approve, make_policy, make_reviewer

pytestmark = pytest.mark.django_db


def html_lang(response) -> str:
    return response.text.split('<html lang="', 1)[1].split('"', 1)[0]


def test_a_browser_asking_for_chinese_gets_the_desk_in_chinese(client, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse("admin:index"), headers={"accept-language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert html_lang(response) == "zh-hans"
    assert "注销" in response.text  # Django's own "Log out", from its zh-Hans catalogue


def test_a_browser_asking_for_english_gets_english(client, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse("admin:index"), headers={"accept-language": "en-GB,en;q=0.9"})
    assert html_lang(response) == "en" and "Log out" in response.text


def test_a_persons_choice_in_the_header_follows_them_to_another_device_whatever_its_browser_says(reviewer):
    laptop = Client()
    laptop.force_login(reviewer)
    page = laptop.get(reverse("admin:index"), headers={"accept-language": "en"})
    assert 'name="language"' in page.text and 'action="/language/"' in page.text

    switched = laptop.post(reverse("set_language"), {"language": "zh-hans"}, headers={"referer": "/admin/"})
    assert switched.status_code == 302 and switched["Location"] == "/admin/"
    assert LanguagePreference.objects.get(user=reviewer).language == "zh-hans"

    phone = Client()  # no cookie, a browser that asks for English
    phone.force_login(reviewer)
    assert html_lang(phone.get(reverse("admin:index"), headers={"accept-language": "en"})) == "zh-hans"


def test_a_language_the_desk_does_not_speak_is_not_kept(client, reviewer):
    client.force_login(reviewer)
    client.post(reverse("set_language"), {"language": "fr"})
    assert not LanguagePreference.objects.filter(user=reviewer).exists()


def test_the_switch_changes_nothing_on_get(client, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("set_language"), {"language": "zh-hans"}).status_code == 405
    assert not LanguagePreference.objects.exists()


def test_the_header_says_which_time_zone_the_pages_show(client, reviewer, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    client.force_login(reviewer)
    assert "Asia/Shanghai" in client.get(reverse("admin:index")).text


def test_an_approval_is_stamped_with_the_reviewers_local_date(settings, monkeypatch):
    settings.TIME_ZONE = "Asia/Shanghai"
    policy = make_policy()
    # 07:30 on 8 December in Shanghai is still 7 December in UTC.
    morning = datetime.datetime(2026, 12, 7, 23, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: morning)

    approve(policy, make_reviewer())

    policy.refresh_from_db()
    assert policy.provenance_last_audit_date == datetime.date(2026, 12, 8)


def settings_in_a_process(**environment: str) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if not name.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", **environment)
    code = "from django.conf import settings; print(settings.LANGUAGE_CODE, settings.TIME_ZONE)"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_a_deployment_speaks_chinese_in_shanghai_time_unless_its_settings_say_otherwise():
    assert settings_in_a_process().stdout.split() == ["zh-hans", "Asia/Shanghai"]
    chosen = settings_in_a_process(DJANGO_LANGUAGE_CODE="en", DJANGO_TIME_ZONE="Europe/Berlin")
    assert chosen.stdout.split() == ["en", "Europe/Berlin"]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DJANGO_LANGUAGE_CODE", "fr", "DJANGO_LANGUAGE_CODE='fr' is not a language of the desk"),
        ("DJANGO_TIME_ZONE", "Mars/Olympus", "DJANGO_TIME_ZONE='Mars/Olympus' is not a time zone name"),
    ],
)
def test_a_language_or_zone_the_desk_cannot_use_is_a_clear_startup_error(name, value, message):
    started = settings_in_a_process(**{name: value})
    assert started.returncode != 0 and message in started.stderr
