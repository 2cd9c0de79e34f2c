"""Load test: 20 editors and reviewers working in the admin at once (`make load`).

Run by locust as its locustfile. Run as a script it prepares the database (`prepare N`: N records, the load
users, the ids each user works on) and reports (`report STATS_CSV`: p50/p95 per page, the error rate, and lost
updates: saves and approvals the server acknowledged that are not in the database). Editors edit even ids,
reviewers approve odd ones, so every refusal the report counts is a fault, not a race the app rightly lost.
"""

from __future__ import annotations

import json
import random
import re
import sys
import uuid
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / "var" / "load-state.json"
ACKNOWLEDGED = ROOT / "var" / "load-acknowledged.json"
USERS = 10  # of each role
PASSWORD = "load-test-password-{}"


class FormFields(HTMLParser):
    """The fields a browser would submit with the page's form whose id is `form_id` (or its first POST form)."""

    def __init__(self, form_id: str | None = None) -> None:
        super().__init__()
        self.form_id, self.inside, self.done = form_id, False, False
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and a.get("method", "").lower() == "post":
            self.inside = self.form_id is None or a.get("id") == self.form_id
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file", "image"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.fields.append((name, a.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value") or ""))

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True


def form_fields(html: str, form_id: str | None = None) -> list[tuple[str, str]]:
    parser = FormFields(form_id)
    parser.feed(html)
    return parser.fields


def _django() -> None:
    import os

    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()


def prepare(count: str) -> None:
    _django()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.utils import timezone

    from policies.models import Policy

    wanted = int(count)
    if Policy.objects.count() < wanted:
        collection = ROOT / "var" / "load-collection"
        call_command("generate_sample_policies", str(collection), count=wanted, seed=7, verbosity=0)
        call_command("import_policies", str(collection), verbosity=0)
    users = {}
    for role, group in (("editor", "Editor"), ("reviewer", "Reviewer")):
        for n in range(USERS):
            username = f"load-{role}-{n}"
            user, _ = get_user_model().objects.get_or_create(username=username, defaults={"is_staff": True})
            user.set_password(PASSWORD.format(username))
            user.save()
            user.groups.set([Group.objects.get(name=group)])
            users.setdefault(role, []).append(username)
    try:
        from axes.models import AccessAttempt

        AccessAttempt.objects.filter(username__startswith="load-").delete()
    except ImportError:
        pass
    # Signed in ahead: 20 password hashes at once would spend the run's first seconds on PBKDF2, not on pages.
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    sessions = {}
    for username in users["editor"] + users["reviewer"]:
        user = get_user_model().objects.get(username=username)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        sessions[username] = session.session_key
    ids = list(Policy.objects.order_by("pk").values_list("pk", flat=True))
    STATE.write_text(
        json.dumps(
            {
                "started": timezone.now().isoformat(),
                "users": users,
                "sessions": sessions,
                "edit_ids": [pk for pk in ids if pk % 2 == 0],
                "review_ids": [pk for pk in ids if pk % 2 == 1],
                "records": len(ids),
            }
        )
    )
    print(f"{len(ids)} records; {USERS} editors and {USERS} reviewers ready.")


def report(stats_csv: str) -> None:
    import csv
    import datetime

    _django()
    from policies.models import Policy
    from reviews.models import ReviewAction, ReviewEvent

    state = json.loads(STATE.read_text())
    started = datetime.datetime.fromisoformat(state["started"])
    with open(stats_csv, encoding="utf-8") as stats:
        rows = list(csv.DictReader(stats))
    print(f"{'page':<16} {'requests':>8} {'failures':>8} {'p50 ms':>7} {'p95 ms':>7}")
    for row in rows:
        print(f"{row['Name']:<16} {row['Request Count']:>8} {row['Failure Count']:>8} {row['50%']:>7} {row['95%']:>7}")
    total = next(r for r in rows if r["Name"] == "Aggregated")
    requests, failures = int(total["Request Count"]), int(total["Failure Count"])
    done = json.loads(ACKNOWLEDGED.read_text())
    stored = set(
        Policy.history.filter(history_date__gte=started, impact_technical__startswith="Load edit ").values_list(
            "impact_technical", flat=True
        )
    )
    lost_saves = [marker for marker in done["saves"] if marker not in stored]
    approvals = set(
        ReviewEvent.objects.filter(created_at__gte=started, action=ReviewAction.APPROVE).values_list(
            "policy_id", "version"
        )
    )
    lost_approvals = [a for a in done["approvals"] if tuple(a) not in approvals]
    print(f"error rate: {failures}/{requests} = {failures / max(requests, 1):.2%}")
    print(
        f"lost updates: {len(lost_saves)} of {len(done['saves'])} acknowledged saves, "
        f"{len(lost_approvals)} of {len(done['approvals'])} acknowledged approvals"
    )


if __name__ == "__main__":
    {"prepare": prepare, "report": report}[sys.argv[1]](*sys.argv[2:])
else:
    import itertools

    from locust import HttpUser, between, events, task

    _STATE = json.loads(STATE.read_text()) if STATE.exists() else {"users": {}, "edit_ids": [], "review_ids": []}
    _FILTERS = ["state__exact=pending", "state__exact=verified", "category=Market", "year=2024"]
    _SEARCHES = ["carbon", "storage", "credit", "CCS", "hydrogen"]
    _COUNTERS = {"editor": itertools.count(), "reviewer": itertools.count()}
    # What the server acknowledged, checked against the database by `report`.
    _ACKNOWLEDGED: dict[str, list] = {"saves": [], "approvals": []}

    @events.test_stop.add_listener
    def _write_acknowledged(**kwargs) -> None:
        ACKNOWLEDGED.write_text(json.dumps(_ACKNOWLEDGED))

    class Staff(HttpUser):
        abstract = True
        wait_time = between(0.5, 1.5)
        role = ""
        ids: list[int] = []

        def on_start(self) -> None:
            pool = _STATE["users"][self.role]
            self.username = pool[next(_COUNTERS[self.role]) % len(pool)]
            self.client.cookies.set("sessionid", _STATE["sessions"][self.username])

        def post(self, url: str, data, name: str):
            return self.client.post(
                url,
                data,
                name=name,
                headers={"Referer": f"{self.host}{url}"},
                allow_redirects=False,
                catch_response=True,
            )

        @task(3)
        def list_with_filters(self) -> None:
            self.client.get(f"/admin/policies/policy/?{random.choice(_FILTERS)}", name="list (filters)")

        @task(2)
        def search(self) -> None:
            self.client.get(f"/admin/policies/policy/?q={random.choice(_SEARCHES)}", name="search")

        @task(2)
        def detail(self) -> None:
            self.client.get(f"/admin/policies/policy/{random.choice(self.ids)}/change/", name="detail")

        @task(1)
        def history(self) -> None:
            self.client.get(f"/admin/policies/policy/{random.choice(self.ids)}/history/", name="history")

    class Editor(Staff):
        role = "editor"
        ids = _STATE["edit_ids"]

        @task(2)
        def save(self) -> None:
            url = f"/admin/policies/policy/{random.choice(self.ids)}/change/"
            page = self.client.get(url, name="detail")
            skipped = ("change_reason", "impact_technical")
            fields = [(k, v) for k, v in form_fields(page.text, "policy_form") if k not in skipped]
            marker = f"Load edit {uuid.uuid4().hex}"
            fields += [("impact_technical", marker), ("change_reason", "Edited under load"), ("_save", "Save")]
            with self.post(url, fields, "save") as response:
                if response.status_code == 302:
                    _ACKNOWLEDGED["saves"].append(marker)
                else:
                    errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.text, re.S)
                    response.failure(f"{response.status_code}: {errors[:2]}")

    class Reviewer(Staff):
        role = "reviewer"
        ids = _STATE["review_ids"]

        @task(2)
        def review_and_approve(self) -> None:
            url = f"/admin/policies/policy/{random.choice(self.ids)}/review/"
            page = self.client.get(url, name="review screen")
            version = re.search(r'name="expected_version" value="(\d+)"', page.text)
            if version is None or 'value="approve"' not in page.text:
                return  # already verified: nothing to approve
            data = {"action": "approve", "expected_version": version[1], "comment": ""}
            data["csrfmiddlewaretoken"] = self.client.cookies.get("csrftoken", "")
            data.update({name: "confirmed" for name in set(re.findall(r'name="(verdict_\w+)"', page.text))})
            with self.post(url, data, "approve") as response:
                if response.status_code == 302:
                    _ACKNOWLEDGED["approvals"].append([int(url.split("/")[4]), int(version[1])])
                else:
                    response.failure(f"{response.status_code}")
