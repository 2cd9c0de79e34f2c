"""Production settings, the Content Security Policy, login throttling and inert stored text."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys

import pytest
from django.urls import reverse

from policies.models import FileSnapshot, ImportConflict, Policy
from reviews import workflow
from tests.data import ROOT
from tests.factories import approve, edit, make_policy, make_user

HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">x</a>{{ 7|add:1 }}'


@pytest.mark.slow
def test_the_deployment_check_passes_with_production_settings_from_the_environment():
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "reviews.example.org",
    }

    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr + done.stdout


@pytest.mark.slow
def test_production_settings_keep_database_connections_between_requests():
    def connection_lifetime(debug: str) -> list[str]:
        show = "from django.db import connection as c; print(c.settings_dict['CONN_MAX_AGE'])"
        env = {"PATH": "/usr/bin:/bin", "DJANGO_DEBUG": debug, "DJANGO_SECRET_KEY": secrets.token_urlsafe(50)}
        done = subprocess.run(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", show],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    assert connection_lifetime("0") == ["60"]
    assert connection_lifetime("1") == ["0"]


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """Run `manage.py ARGS` in a new process with exactly `env` (and a PATH)."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("debug", [{"DJANGO_DEBUG": "0"}, {}], ids=["DJANGO_DEBUG=0", "DJANGO_DEBUG unset"])
def test_production_settings_refuse_to_serve_without_a_secret_key(debug):
    serving = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **debug},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert serving.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in serving.stderr


def test_commands_that_sign_nothing_run_without_a_secret_key():
    # The checks a developer or a hook runs on a fresh checkout need no deployment's secret.
    done = manage({}, "makemigrations", "--check", "--dry-run")

    assert done.returncode == 0, done.stderr


def test_without_django_debug_the_app_runs_with_production_settings():
    show = "from django.conf import settings as s; print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE)"

    done = manage({"DJANGO_SECRET_KEY": secrets.token_urlsafe(50)}, "shell", "--no-imports", "-c", show)

    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True", "True"]


def test_django_debug_turns_debug_on_only_when_asked():
    show = "from django.conf import settings; print(settings.DEBUG)"

    done = manage({"DJANGO_DEBUG": "1"}, "shell", "--no-imports", "-c", show)

    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name", ["admin:login", "admin:index", "admin:policies_policy_changelist", "admin:policies_policy_review"]
)
def test_every_page_carries_a_content_security_policy_without_inline_script(url_name, client, reviewer, editor):
    policy = make_policy(user=editor)
    client.force_login(reviewer)
    url = reverse(url_name, args=[policy.pk] if url_name.endswith("review") else [])

    response = client.get(url)

    policy_header = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy_header.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"].startswith("'self'")
    assert "unsafe-inline" not in policy_header
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"


@pytest.mark.django_db
def test_the_review_screens_styles_and_scripts_are_files_or_carry_the_requests_nonce(client, reviewer, editor):
    policy = make_policy(user=editor)
    client.force_login(reviewer)

    response = client.get(reverse("admin:policies_policy_review", args=[policy.pk]))

    nonce = response["Content-Security-Policy"].split("'nonce-", 1)[1].split("'", 1)[0]
    html = response.content.decode()
    assert "reviews/review.js" in html and "reviews/review.css" in html
    inline = re.findall(r"<(?:style|script)(?![^>]*\bsrc=)[^>]*>", html)
    assert all(f'nonce="{nonce}"' in tag for tag in inline), inline
    assert not re.search(r"\son[a-z]+=", html), "an inline event handler"


@pytest.mark.django_db
class TestLogin:
    def login(self, client, username: str, password: str, ip: str = "10.0.0.1"):
        return client.post(
            reverse("admin:login"), {"username": username, "password": password}, REMOTE_ADDR=ip, follow=False
        )

    def test_a_username_is_locked_out_from_an_address_after_five_failures_even_with_the_right_password(self, client):
        make_user("ada")
        for _ in range(4):
            assert self.login(client, "ada", "wrong").status_code == 200
        assert self.login(client, "ada", "wrong").status_code == 429

        locked = self.login(client, "ada", "pw-ada")

        assert locked.status_code == 429
        assert "_auth_user_id" not in client.session

    def test_the_lockout_holds_one_username_at_one_address_only(self, client):
        make_user("ada")
        make_user("bob")
        for _ in range(5):
            self.login(client, "ada", "wrong")

        assert self.login(client, "bob", "pw-bob").status_code == 302
        client.logout()
        assert self.login(client, "ada", "pw-ada", ip="10.0.0.2").status_code == 302

    def test_unknown_users_and_wrong_passwords_get_the_same_answer(self, client):
        make_user("ada")

        unknown = self.login(client, "nobody-here", "wrong")
        wrong = self.login(client, "ada", "wrong")

        assert unknown.status_code == wrong.status_code == 200

        def page(response, username: str) -> str:
            text = re.sub(r'nonce="[^"]*"', "", response.content.decode().replace(username, "NAME"))
            return "\n".join(line for line in text.splitlines() if "csrfmiddlewaretoken" not in line)

        assert page(unknown, "nobody-here") == page(wrong, "ada")

    def test_an_admin_unlocks_a_locked_out_user_in_the_axes_admin(self, client, superuser):
        from axes.models import AccessAttempt

        make_user("ada")
        for _ in range(5):
            self.login(client, "ada", "wrong")
        admin_client = type(client)()
        admin_client.force_login(superuser)
        attempt = AccessAttempt.objects.get(username="ada")

        admin_client.post(
            reverse("admin:axes_accessattempt_changelist"),
            {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
        )

        assert self.login(client, "ada", "pw-ada").status_code == 302


@pytest.mark.django_db
def test_hostile_text_in_every_field_renders_inert_on_every_screen(client, editor, reviewer):
    text_fields = [
        f.name
        for f in Policy._meta.get_fields()
        if f.get_internal_type() in ("TextField", "CharField") and f.editable and f.name not in ("policy_id",)
    ]
    policy = make_policy(
        user=editor, **{name: HOSTILE[: Policy._meta.get_field(name).max_length] for name in text_fields}
    )
    approve(policy, reviewer)
    edit(policy, user=editor, title=HOSTILE + " v2", body=HOSTILE + "\n\n[link](javascript:alert(4))")
    history_id = policy.history.order_by("history_id").first().history_id
    file_text = f"---\nid: {policy.policy_id}\ntitle: '{HOSTILE} (file)'\n---\n{HOSTILE} (file body)\n"
    conflict = ImportConflict.objects.create(
        policy=policy,
        source=f"{HOSTILE}.md",
        file=FileSnapshot.for_text(file_text),
        file_sha256="0" * 64,
        base=HOSTILE,
        version=policy.version,
        taken=["body"],
        fields=[{"field": "title", "base": HOSTILE, "ours": policy.title, "theirs": f"{HOSTILE} (file)"}],
    )
    superuser = make_user("root2", is_superuser=True)
    client.force_login(superuser)
    screens = [
        reverse("admin:policies_importconflict_settle", args=[conflict.pk]),
        reverse("admin:policies_importconflict_change", args=[conflict.pk]),
        reverse("admin:policies_importconflict_changelist"),
        reverse("admin:policies_policy_change", args=[policy.pk]),
        reverse("admin:policies_policy_changelist"),
        reverse("admin:policies_policy_history", args=[policy.pk]),
        reverse("admin:policies_policy_simple_history", args=[policy.pk, history_id]),
        reverse("admin:policies_policy_review", args=[policy.pk]),
        reverse("admin:reviews_reviewevent_changelist"),
    ]
    client.force_login(reviewer)
    screens_for_reviewer = [reverse("admin:policies_policy_review_queue")]

    pages = {}
    for url in screens_for_reviewer:
        pages[url] = client.get(url)
    client.force_login(superuser)
    for url in screens:
        pages[url] = client.get(url)

    assert workflow.review_queue(reviewer), "the record must be in the reviewer's queue"
    for url, response in pages.items():
        body = response.content.decode()
        assert response.status_code == 200, url
        assert "<script>alert(1)" not in body, url
        assert "<img src=x onerror" not in body and 'onerror="alert' not in body, url
        assert 'href="javascript:' not in body, url
        assert "{{ 7|add:1 }}" not in body or "8" not in body.split("{{ 7|add:1 }}")[0][-5:], url
