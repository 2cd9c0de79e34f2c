"""Each app's own zh-Hans catalogue is complete and compiled, and what the Python code says reaches a Chinese reader
in Chinese: a workflow refusal, an import report, an API error, the review states in the admin list."""

from __future__ import annotations

import ast
import gettext
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from policies.models import Policy
from reviews import workflow
from tests.api.clients import client_for
from tests.data import ROOT
from tests.factories import edit, make_policy, make_reviewer, make_user

pytestmark = pytest.mark.django_db

APPS = ["policies", "reviews", "accounts", "api", "config"]


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstrs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    places: list[str] = field(default_factory=list)


def read_po(path: Path) -> list[Entry]:
    """The catalogue's live entries (obsolete ones left out), header included, strings unescaped."""
    entries: list[Entry] = []
    entry, target = Entry(), None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if target is not None:
                entries.append(entry)
            entry, target = Entry(), None
        elif line.startswith("#:"):
            entry.places.extend(line[2:].split())
        elif line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        else:
            keyword, _, rest = line.partition(" ")
            if line.startswith('"'):
                text = ast.literal_eval(line)
            else:
                text = ast.literal_eval(rest)
                target = keyword
                if keyword.startswith("msgstr"):
                    entry.msgstrs.append("")
            if target == "msgctxt":
                entry.msgctxt = (entry.msgctxt or "") + text
            elif target == "msgid":
                entry.msgid += text
            elif target == "msgid_plural":
                entry.msgid_plural = (entry.msgid_plural or "") + text
            elif target is not None:
                entry.msgstrs[-1] += text
    return entries


def catalogue(app: str) -> Path:
    return ROOT / app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("app", APPS)
def test_every_message_of_the_apps_catalogue_is_translated_and_none_is_fuzzy(app):
    entries = read_po(catalogue(app))
    assert len(entries) > 1, f"{app} has no messages"
    untranslated = [e.msgid for e in entries if e.msgid and not all(s.strip() for s in e.msgstrs)]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert not untranslated, f"untranslated in {app}: {untranslated}"
    assert not fuzzy, f"fuzzy in {app}: {fuzzy}"


TRANSLATING = {"gettext", "gettext_lazy", "_", "ngettext", "ngettext_lazy", "gettext_noop"}
IN_CONTEXT = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}


def marked_in_code(app: str) -> set[tuple[str | None, str]]:
    """(context, message) of every literal the app's Python code hands to gettext and its kin."""
    found = set()
    for path in (ROOT / app).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            texts = [arg.value if isinstance(arg, ast.Constant) else None for arg in node.args]
            if name in TRANSLATING and texts and isinstance(texts[0], str):
                found.add((None, texts[0]))
            elif name in IN_CONTEXT and len(texts) > 1 and isinstance(texts[1], str):
                found.add((texts[0], texts[1]))
    return found


@pytest.mark.parametrize("app", APPS)
def test_the_apps_catalogue_holds_exactly_the_messages_its_code_marks(app):
    """What `makemessages` would change: a message marked or dropped since the catalogue was last made."""
    # An app's templates (api's Swagger page) may add messages of their own: only the Python ones are compared.
    known = {
        (entry.msgctxt, entry.msgid)
        for entry in read_po(catalogue(app))
        if entry.msgid and any(place.split(":")[0].endswith(".py") for place in entry.places)
    }
    marked = marked_in_code(app)
    run = f"run `../.venv/bin/python ../manage.py makemessages -l zh_Hans` in {app}/"
    assert not marked - known, f"{run}: missing {sorted(marked - known, key=str)}"
    assert not known - marked, f"{run}: no longer used {sorted(known - marked, key=str)}"


@pytest.mark.parametrize("app", APPS)
def test_the_placeholders_of_each_translation_are_those_of_its_message(app):
    placeholder = re.compile(r"%\((\w+)\)|\{(\w+)\}")

    def names(text: str) -> set[str]:
        return {a or b for a, b in placeholder.findall(text)}

    wrong = [
        e.msgid
        for e in read_po(catalogue(app))
        if e.msgid and any(names(s) != names(e.msgid) | names(e.msgid_plural or "") for s in e.msgstrs)
    ]
    assert not wrong, f"placeholders differ in {app}: {wrong}"


@pytest.mark.parametrize("app", APPS)
def test_the_compiled_catalogue_holds_what_the_po_file_says(app):
    """The .mo is committed, so that a machine without gettext runs the app: it must not lag behind the .po."""
    po = catalogue(app)
    with po.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog  # type: ignore[attr-defined]
    expected: dict[object, str] = {}
    for entry in read_po(po):
        if not entry.msgid:
            continue
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            expected[key] = entry.msgstrs[0]
        else:
            expected.update({(key, n): text for n, text in enumerate(entry.msgstrs)})
    assert {key: value for key, value in compiled.items() if key != ""} == expected, (
        f"{app}: run `../.venv/bin/python ../manage.py compilemessages` in {app}/"
    )


def test_a_reviewer_who_edited_a_record_is_told_in_chinese_that_someone_else_must_approve_it():
    admin = make_user("admin", groups=("Admin",))
    policy = make_policy()
    edit(policy, user=admin, market_score=80)
    with translation.override("zh-hans"), pytest.raises(workflow.NotAllowedToReview) as refused:
        workflow.check_approvable(policy, user=admin)
    assert "须由其他人通过" in str(refused.value)
    assert "Four eyes" not in str(refused.value)


def test_the_import_command_reports_in_chinese(tmp_path):
    out = io.StringIO()
    with translation.override("zh-hans"), pytest.raises(SystemExit):
        call_command("import_policies", str(tmp_path / "missing.md"), stdout=out)
    report = out.getvalue()
    assert f"拒收：{tmp_path / 'missing.md'}：不存在" in report
    assert "合计" in report and "total" not in report


def test_an_api_error_reads_in_chinese_when_the_request_asks_for_it():
    client = client_for(make_reviewer())
    response = client.get(reverse("api:policy-detail", args=["no-such-record"]), headers={"accept-language": "zh-CN"})
    assert response.status_code == 404
    assert response.json()["detail"] == "没有编号为 'no-such-record' 的政策记录。"


def test_the_admin_list_names_the_review_states_in_chinese_for_a_chinese_browser(client):
    make_policy()
    client.force_login(make_reviewer())
    page = client.get(reverse("admin:policies_policy_changelist"), headers={"accept-language": "zh-CN,zh;q=0.9"})
    assert page.status_code == 200
    assert "待人工审核" in page.text and "Awaiting review" not in page.text


def test_a_stored_warning_reads_in_the_readers_language_whoever_saved_the_record(client, reviewer):
    policy = Policy(policy_id="ftp-record", title="FTP", url="ftp://example.org", market_score=50)
    with translation.override("en"):
        policy.save_as(user=None, reason="saved by someone reading English")
    client.force_login(reviewer)
    url = reverse("admin:policies_policy_review", args=[policy.pk])

    english = client.get(url, headers={"accept-language": "en"}).text
    chinese = client.get(url, headers={"accept-language": "zh-CN"}).text

    assert "&#x27;ftp://example.org&#x27; is not an http(s) address" in english
    with translation.override("zh-hans"):
        expected_url = escape(translation.gettext("%(url)r is not an http(s) address") % {"url": "ftp://example.org"})
        expected_citation = escape(
            translation.gettext("is empty, but the %(dimension)s dimension is scored")
            % {"dimension": translation.gettext("Market")}
        )
    assert expected_url in chinese and "is not an http(s) address" not in chinese
    assert expected_citation in chinese  # the dimension's label inside it in Chinese too


def test_a_finding_names_its_field_as_people_do_not_as_the_file_does(client, reviewer):
    policy = Policy(policy_id="ftp-record", title="FTP", url="ftp://example.org")
    policy.save_as(user=None, reason="made for the test")
    client.force_login(reviewer)
    url = reverse("admin:policies_policy_review", args=[policy.pk])
    with translation.override("zh-hans"):
        chinese_label = translation.gettext("Address (URL)")

    assert 'title="url">Address (URL)</span>' in client.get(url, headers={"accept-language": "en"}).text
    assert f'title="url">{chinese_label}</span>' in client.get(url, headers={"accept-language": "zh-CN"}).text
