import io
import re
import zipfile

import pytest
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from policies import editing
from policies.admin import PolicyAdmin, PolicyChangeList
from policies.models import Policy
from policies.transfer.exporting import export_to_folder
from tests.factories import change_form_data, make_user, with_defect

pytestmark = pytest.mark.django_db

GOOD = "---\nid: {id}\ntitle: {title}\ncountry: Norway\nanalysis:\n  market:\n    score: 40\n---\nBody\n"


@pytest.fixture
def imported(client, editor):
    upload = SimpleUploadedFile("a.md", GOOD.format(id="a", title="Alpha").encode())
    client.post(reverse("admin:policies_policy_import"), {"files": [upload]})
    return Policy.objects.get(policy_id="a")


def test_the_list_shows_title_id_country_and_review_state_with_filters_and_search(client, imported):
    Policy(policy_id="b", title="Beta", country="中国").save_as(user=None, reason="t")
    url = reverse("admin:policies_policy_changelist")
    response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Alpha" in content and "Awaiting review" in content and "Norway" in content
    assert list(client.get(url, {"q": "Beta"}).context["cl"].result_list) == [Policy.objects.get(policy_id="b")]
    assert [p.policy_id for p in client.get(url, {"country": "中国"}).context["cl"].result_list] == ["b"]


def test_an_editor_corrects_a_score_and_the_history_shows_who_and_why(client, editor, imported):
    url = reverse("admin:policies_policy_change", args=[imported.pk])
    data = change_form_data(client, imported, market_score="75", change_reason="Evidence supports 75")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    imported.refresh_from_db()
    assert imported.market_score == 75
    latest = imported.history.first()
    assert latest.history_user == editor and latest.history_change_reason == "Evidence supports 75"
    history = client.get(reverse("admin:policies_policy_history", args=[imported.pk])).content.decode()
    assert "Evidence supports 75" in history and "editor" in history


def test_a_score_outside_0_to_100_is_refused_with_a_message_and_nothing_saved(client, imported):
    url = reverse("admin:policies_policy_change", args=[imported.pk])
    response = client.post(url, change_form_data(client, imported, market_score="101"))
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 100." in response.content.decode()
    imported.refresh_from_db()
    assert (imported.market_score, imported.version) == (40, 1)


def test_lists_are_edited_one_item_a_line(client, imported):
    url = reverse("admin:policies_policy_change", args=[imported.pk])
    client.post(url, change_form_data(client, imported, related_facilities="1\n1103-2\n\n10\n"))
    imported.refresh_from_db()
    assert imported.related_facilities == ["1", "1103-2", "10"]


def test_other_frontmatter_must_be_a_yaml_mapping(client, imported):
    url = reverse("admin:policies_policy_change", args=[imported.pk])
    response = client.post(url, change_form_data(client, imported, extra="series: [unclosed"))
    assert "Not valid YAML" in response.content.decode()
    response = client.post(url, change_form_data(client, imported, extra="- a list"))
    assert "Must be a YAML mapping" in response.content.decode()


APPROVAL_STAMP = "is not edited by hand: the review workflow writes it when a reviewer approves the record"


@pytest.mark.parametrize(
    ("extra", "messages"),
    [
        ("reviewStatus: verified", [f"reviewStatus {APPROVAL_STAMP}; remove it from here."]),
        ("provenance:\n  reviewer: Mallory", [f"provenance.reviewer {APPROVAL_STAMP}; remove it from here."]),
        (
            "provenance:\n  author: Mallory",
            [
                "provenance.author is not edited by hand: the import writes it from the record's file; remove it "
                "from here."
            ],
        ),
        ("id: b", ["id is a field of the record: edit it in its own box, “Id”, and remove it from here."]),
        (
            "note: kept\nanalysis:\n  market:\n    score: 3\n  mrv:\n    label: Buffer pool",
            [
                "analysis.market.score is a field of the record: edit it in its own box, “Market score”, and remove "
                "it from here.",
                "analysis.mrv.label is a field of the record: edit it in its own box, “MRV label”, and remove it "
                "from here.",
            ],
        ),
        *(
            (
                extra,
                [
                    f"{section} is a section of the record's fields: here it may only hold keys the schema does not "
                    "know, as a mapping; edit its fields in their own boxes."
                ],
            )
            for extra, section in (
                ("analysis: 5", "analysis"),
                ("provenance: {}", "provenance"),
                ("impactAnalysis: null", "impactAnalysis"),
                ("analysis:\n  market: [1, 2]", "analysis.market"),
            )
        ),
    ],
)
def test_other_frontmatter_refuses_a_key_the_schema_knows_naming_it_and_where_to_edit_it(
    client, imported, extra, messages
):
    url = reverse("admin:policies_policy_change", args=[imported.pk])
    response = client.post(url, change_form_data(client, imported, extra=extra))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["extra"] == messages
    imported.refresh_from_db()
    assert (imported.extra, imported.market_score, imported.version, imported.history.count()) == ("", 40, 1, 1)


def test_other_frontmatter_keeps_keys_the_schema_does_not_know_also_inside_its_sections(client, imported):
    url = reverse("admin:policies_policy_change", args=[imported.pk])
    extra = "series: CCS\nanalysis:\n  market:\n    confidence: high\n  newDimension:\n    score: 3\n"
    assert client.post(url, change_form_data(client, imported, extra=extra)).status_code == 302
    imported.refresh_from_db()
    assert imported.extra == extra
    data = editing.current_data(imported)
    assert data["analysis"] == {"market": {"score": 40, "confidence": "high"}, "newDimension": {"score": 3}}
    assert data["series"] == "CCS"


def test_a_new_record_cannot_claim_a_review_status_through_other_frontmatter(client, editor):
    data = {"policy_id": "new", "title": "New", "extra": "reviewStatus: verified"}
    response = client.post(reverse("admin:policies_policy_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["extra"] == [
        f"reviewStatus {APPROVAL_STAMP}; remove it from here."
    ]
    assert not Policy.objects.filter(policy_id="new").exists()


def test_the_history_revert_form_cannot_save(client, editor, imported):
    version = imported.history.first()
    url = reverse("admin:policies_policy_simple_history", args=[imported.pk, version.history_id])
    assert client.get(url).status_code == 200
    response = client.post(url, change_form_data(client, imported, title="Reverted behind the workflow's back"))
    assert response.status_code == 405
    imported.refresh_from_db()
    assert imported.title == "Alpha" and imported.history.count() == 1


def test_the_admin_import_shows_the_report_with_reasons_and_problems(client, editor):
    good = SimpleUploadedFile("a.md", GOOD.format(id="a", title="Alpha").encode())
    broken = SimpleUploadedFile("broken.md", b"---\nid: b\ntitle: T\nyear: twenty\n---\n")
    bad = SimpleUploadedFile("bad.md", b"---\nid: ../c\ntitle: T\n---\n")
    response = client.post(reverse("admin:policies_policy_import"), {"files": [good, broken, bad]})
    content = response.content.decode()
    assert response.status_code == 200
    assert [r.outcome for r in response.context["report"].results] == ["created", "created", "rejected"]
    assert "created, 1 problem" in content
    assert "line 4, column 7, field year: must be a whole number, not &#x27;twenty&#x27;" in content
    assert "field id: &#x27;../c&#x27; is not a safe file name" in content
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["2 created, 1 rejected; 1 problem in 1 file needs fixing before approval."]
    assert Policy.objects.get(policy_id="a").history.get().history_change_reason == "Imported from a.md (admin upload)"


def test_the_admin_import_accepts_a_zip(client, editor):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("records/a.md", GOOD.format(id="a", title="Alpha"))
    upload = SimpleUploadedFile("bundle.zip", buffer.getvalue(), content_type="application/zip")
    client.post(reverse("admin:policies_policy_import"), {"files": [upload]})
    assert Policy.objects.get().file.path == "records/a.md"


def test_a_small_zip_holding_an_alias_bomb_is_refused_through_the_upload_with_line_and_column(client, editor):
    text = "---\nid: bomb\ntitle: T\nlong: &long " + "x" * 1_500_000 + "\ntags: [" + ", ".join(["*long"] * 400)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.md", text + "]\n---\n")
    assert len(buffer.getvalue()) < 10_000
    upload = SimpleUploadedFile("bomb.zip", buffer.getvalue(), content_type="application/zip")
    response = client.post(reverse("admin:policies_policy_import"), {"files": [upload]})
    assert response.status_code == 200
    assert [(r.name, r.outcome) for r in response.context["report"].results] == [("bomb.zip:bomb.md", "rejected")]
    assert "line 5, column 8, field tags[0]: aliases expand the text to more than 2,097,152 characters" in (
        response.content.decode()
    )
    assert not Policy.objects.exists()


def markdown_files(count, start=0):
    return [
        SimpleUploadedFile(f"p{n}.md", GOOD.format(id=f"p{n}", title=f"P{n}").encode())
        for n in range(start, start + count)
    ]


def zip_of(count, start=0, size=0):
    """A zip of `count` records, each padded to at least `size` bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n in range(start, start + count):
            archive.writestr(f"p{n}.md", GOOD.format(id=f"p{n}", title=f"P{n}").ljust(size, "x"))
    return SimpleUploadedFile(f"bundle-{start}.zip", buffer.getvalue(), content_type="application/zip")


def assert_refused_on_the_form(response, holds):
    """The import page with the form, saying what the upload held and where larger collections go."""
    assert response.status_code == 200
    content = response.content.decode()
    assert f"This upload holds {holds}" in content
    assert "manage.py import_policies" in content
    assert 'id="import-form"' in content and 'type="file"' in content
    assert response.context["report"] is None


def test_an_upload_of_more_files_than_the_web_import_takes_is_refused_before_any_is_imported(
    client, editor, imported, settings
):
    settings.WEB_IMPORT_MAX_FILES = 3
    changed = SimpleUploadedFile("a.md", GOOD.format(id="a", title="Changed").encode())
    response = client.post(reverse("admin:policies_policy_import"), {"files": [changed, *markdown_files(3)]})
    assert_refused_on_the_form(response, "more than 3 files")
    assert list(Policy.objects.values_list("policy_id", "title", "version")) == [("a", "Alpha", 1)]


def test_zip_members_count_as_files_toward_the_limit(client, editor, settings):
    settings.WEB_IMPORT_MAX_FILES = 3
    response = client.post(reverse("admin:policies_policy_import"), {"files": [*markdown_files(1), zip_of(3, 1)]})
    assert_refused_on_the_form(response, "4 files")
    assert not Policy.objects.exists()


def test_an_upload_whose_files_come_to_more_bytes_than_the_limit_uncompressed_is_refused(client, editor, settings):
    settings.WEB_IMPORT_MAX_BYTES = 1000
    upload = zip_of(2, size=600)
    assert upload.size < 1000
    response = client.post(reverse("admin:policies_policy_import"), {"files": [upload]})
    assert_refused_on_the_form(response, "1.2\xa0KB of policy files")
    assert not Policy.objects.exists()


def test_an_upload_larger_than_the_limit_is_refused_without_being_read_to_the_end(client, editor, settings):
    settings.WEB_IMPORT_MAX_BYTES = 1000
    upload = SimpleUploadedFile("big.md", GOOD.format(id="big", title="B" * 5000).encode())
    response = client.post(reverse("admin:policies_policy_import"), {"files": [upload]})
    assert_refused_on_the_form(response, "more than 1000\xa0bytes")
    assert not Policy.objects.exists()


def test_an_upload_at_the_limits_is_imported(client, editor, settings):
    files = markdown_files(3)
    settings.WEB_IMPORT_MAX_FILES = 3
    settings.WEB_IMPORT_MAX_BYTES = sum(upload.size for upload in files)
    response = client.post(reverse("admin:policies_policy_import"), {"files": files})
    assert response.context["report"].counts["created"] == 3


def test_more_files_than_django_itself_reads_in_one_request_get_the_same_message_not_a_bare_400(client, editor):
    response = client.post(reverse("admin:policies_policy_import"), {"files": markdown_files(1000)})
    assert_refused_on_the_form(response, "more than 500 files")
    assert not Policy.objects.exists()


def test_the_upload_limit_holds_while_the_csrf_token_is_checked(editor, settings):
    # Django reads the upload for the CSRF check: the limit must be in place before that.
    settings.WEB_IMPORT_MAX_FILES = 3
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    url = reverse("admin:policies_policy_import")
    token = client.get(url).context["csrf_token"]
    response = client.post(url, {"csrfmiddlewaretoken": token, "files": markdown_files(5)})
    assert_refused_on_the_form(response, "more than 3 files")
    assert client.post(url, {"files": markdown_files(1)}).status_code == 403
    assert not Policy.objects.exists()


def test_a_viewer_can_neither_open_nor_post_the_import(client):
    client.force_login(make_user("viewer", perm_names=("policies.view_policy",)))
    url = reverse("admin:policies_policy_import")
    upload = SimpleUploadedFile("a.md", GOOD.format(id="a", title="Alpha").encode())
    assert client.get(url).status_code == 403
    assert client.post(url, {"files": [upload]}).status_code == 403
    assert not Policy.objects.exists()


def test_anonymous_users_are_sent_to_the_login_page(client):
    for name in ("admin:policies_policy_import", "admin:policies_policy_export", "admin:policies_policy_changelist"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_export_download_is_a_zip_of_the_files(client, imported):
    response = client.post(reverse("admin:policies_policy_export"), {"all_records": "on"})
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.read("a.md").decode() == GOOD.format(id="a", title="Alpha")


def test_the_export_needs_view_permission(client):
    client.force_login(make_user("nobody"))
    assert client.post(reverse("admin:policies_policy_export"), {"all_records": "on"}).status_code == 403


def test_an_untouched_form_sent_with_browser_line_breaks_changes_nothing(client, editor, imported):
    imported.body = "\nFirst paragraph.\n\n  Indented line \n"
    imported.description = "## Overview\n\nText with a trailing space "
    imported.save_as(user=None, reason="multi-line text")
    imported.refresh_from_db()
    version = imported.version
    data = change_form_data(client, imported)
    as_sent = {k: v.replace("\n", "\r\n") if isinstance(v, str) else v for k, v in data.items()}
    response = client.post(reverse("admin:policies_policy_change", args=[imported.pk]), as_sent)
    assert response.status_code == 302
    imported.refresh_from_db()
    assert imported.body == "\nFirst paragraph.\n\n  Indented line \n"
    assert imported.description == "## Overview\n\nText with a trailing space "
    assert imported.version == version
    assert imported.history.first().history_change_reason == "multi-line text"


def test_an_edited_text_keeps_the_line_breaks_of_the_record(client, editor, imported):
    imported.body = "Line one\r\nLine two\r\n"
    imported.save_as(user=None, reason="a CRLF body")
    imported.refresh_from_db()
    data = change_form_data(client, imported, body="Line one\r\nLine 2\r\n")
    client.post(reverse("admin:policies_policy_change", args=[imported.pk]), data)
    imported.refresh_from_db()
    assert imported.body == "Line one\r\nLine 2\r\n"


def test_the_list_filters_offer_each_stored_value_once_in_order_and_empty_when_some_lack_one(client, editor):
    for policy_id, country, year in [("b", "Norway", 2024), ("a", "China", None), ("c", "Norway", 2021)]:
        Policy(policy_id=policy_id, title=policy_id, country=country, year=year).save_as(user=None, reason="Test")
    changelist = client.get(reverse("admin:policies_policy_changelist")).context["cl"]
    choices = {spec.title: [c["display"] for c in spec.choices(changelist)] for spec in changelist.filter_specs}
    assert [str(c) for c in choices["Country or region"]] == ["All", "China (中国)", "Norway (挪威)"]
    assert [str(c) for c in choices["Year"][:3]] == ["All", "2021", "2024"] and len(choices["Year"]) == 4


def test_the_list_names_a_records_first_five_warnings_and_counts_the_rest(client, editor):
    policy = Policy(policy_id="many", title="Many")
    policy.save_as(user=None, reason="Test")
    policy.warnings.all().delete()
    for number in range(7):
        policy.warnings.create(field=f"field{number}", code="test", message=f"Problem {number}.")
    html = client.get(reverse("admin:policies_policy_changelist")).content.decode()
    assert "⚠ 7" in html
    assert "Problem 4." in html and "Problem 5." not in html
    assert "and 2 more" in html


def test_the_list_renders_exactly_as_djangos_own_row_rendering_would(client, imported, monkeypatch):
    client.force_login(make_user("admin", is_superuser=True, is_staff=True))
    Policy(policy_id="b", title="Beta <b>", country="Norway").save_as(user=None, reason="t")
    url = reverse("admin:policies_policy_changelist")

    def page() -> str:
        content = client.get(url, {"country": "Norway", "q": "a"}).content.decode()
        return re.sub(r'(nonce|name="csrfmiddlewaretoken" value)="[^"]*"', "", content)

    ours = page()
    monkeypatch.setattr(PolicyAdmin, "action_checkbox", admin.ModelAdmin.action_checkbox)
    monkeypatch.setattr(PolicyChangeList, "__init__", ChangeList.__init__)
    monkeypatch.setattr(PolicyChangeList, "url_for_result", ChangeList.url_for_result)
    djangos = page()

    assert ours == djangos
    assert "_changelist_filters=country%3DNorway%26q%3Da" in ours and 'name="_selected_action"' in ours


# Problems: values the import kept as written because their fields cannot hold them.


def upload(client, name: str, text: str) -> Policy:
    client.post(reverse("admin:policies_policy_import"), {"files": [SimpleUploadedFile(name, text.encode())]})
    return Policy.objects.get(file__path=name)


def exported(tmp_path, policy: Policy) -> str:
    export_to_folder(tmp_path / "out", all_records=True)
    return (tmp_path / "out" / policy.file.path).read_text(encoding="utf-8")


def changed_lines(old: str, new: str) -> list[tuple[str, str]]:
    return [(a, b) for a, b in zip(old.splitlines(), new.splitlines(), strict=True) if a != b]


def test_a_problem_is_fixed_in_the_change_form_with_its_history_and_only_its_line_changes(
    client, editor, draft_text, tmp_path
):
    text = with_defect(draft_text, "    score: 85\n", "    score: 85.5\n")
    policy = upload(client, "a.md", text)
    url = reverse("admin:policies_policy_change", args=[policy.pk])
    page = client.get(url).content.decode()
    assert 'name="strategic_score" value="85.5"' in page
    assert "must be a whole number, not the number 85.5" in page

    response = client.post(url, change_form_data(client, policy, strategic_score="85", change_reason="Per SB 2024"))

    assert response.status_code == 302, response.context["adminform"].form.errors
    policy.refresh_from_db()
    assert (policy.strategic_score, policy.version) == (85, 2)
    assert not policy.warnings.filter(blocking=True).exists()
    latest = policy.history.first()
    assert (latest.history_user, latest.history_change_reason) == (editor, "Per SB 2024")
    assert changed_lines(text, exported(tmp_path, policy)) == [("    score: 85.5", "    score: 85")]
    history = client.get(reverse("admin:policies_policy_history", args=[policy.pk])).content.decode()
    assert "Values kept as written" in history and "analysis.strategic.score: 85.5" in history


def test_a_fix_is_checked_like_any_edit(client, editor, draft_text):
    policy = upload(client, "a.md", with_defect(draft_text, "    score: 85\n", "    score: 85.5\n"))
    url = reverse("admin:policies_policy_change", args=[policy.pk])
    response = client.post(url, change_form_data(client, policy, strategic_score="185"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["strategic_score"] == [
        "Ensure this value is less than or equal to 100."
    ]
    policy.refresh_from_db()
    assert (policy.version, policy.warnings.filter(blocking=True).count()) == (1, 1)


def test_an_edit_elsewhere_keeps_a_value_as_written_and_its_problem(client, editor, draft_text, tmp_path):
    text = with_defect(draft_text, "pubDate: '2024-10-01'", "pubDate: '01/10/2024'")
    policy = upload(client, "a.md", text)
    url = reverse("admin:policies_policy_change", args=[policy.pk])
    response = client.post(url, change_form_data(client, policy, market_score="90"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    policy.refresh_from_db()
    assert (policy.market_score, policy.version) == (90, 2)
    assert policy.warnings.get(blocking=True).field == "pubDate"
    assert changed_lines(text, exported(tmp_path, policy)) == [("    score: 100", "    score: 90")]


def test_a_value_shown_as_written_is_taken_as_text_when_the_editor_says_so(client, editor, draft_text, tmp_path):
    text = with_defect(draft_text, "  - '42'\n", "  - 42\n")
    policy = upload(client, "a.md", text)
    url = reverse("admin:policies_policy_change", args=[policy.pk])
    data = change_form_data(client, policy)
    assert "\n42\n" in data["related_facilities"]
    untouched = client.post(url, data)
    assert untouched.status_code == 302
    policy.refresh_from_db()
    assert (policy.version, policy.warnings.filter(blocking=True).count()) == (1, 1)

    response = client.post(url, {**data, "fix__relatedFacilities": "on"})

    assert response.status_code == 302, response.context["adminform"].form.errors
    policy.refresh_from_db()
    assert "42" in policy.related_facilities and policy.version == 2
    assert not policy.warnings.filter(blocking=True).exists()
    assert changed_lines(text, exported(tmp_path, policy)) == [("  - 42", "  - '42'")]


def test_the_needs_fixing_filter_lists_exactly_the_records_with_problems(client, editor, draft_text):
    upload(client, "a.md", with_defect(draft_text, "year: 2024", "year: twenty").replace("intl-paris", "a-paris", 1))
    upload(client, "b.md", GOOD.format(id="b", title="Beta").replace("score: 40", "score: 40.5"))
    upload(client, "c.md", GOOD.format(id="c", title="Gamma"))
    url = reverse("admin:policies_policy_changelist")
    fixing = client.get(url, {"needs_fixing": "yes"})
    assert [p.policy_id for p in fixing.context["cl"].result_list] == ["a-paris-art-6-4-ccs", "b"]
    assert [p.policy_id for p in client.get(url, {"needs_fixing": "no"}).context["cl"].result_list] == ["c"]
    assert "needs fixing" in fixing.content.decode().lower()


def test_a_section_written_as_text_is_replaced_by_its_fields_once_one_is_filled_in(
    client, editor, draft_text, tmp_path
):
    section = draft_text[draft_text.index("impactAnalysis:\n") : draft_text.index("evolution:\n")]
    text = with_defect(draft_text, section, "impactAnalysis: 降低了封存成本。\n")
    policy = upload(client, "a.md", text)
    assert policy.warnings.get(blocking=True).message == "must be a mapping, not '降低了封存成本。'"
    url = reverse("admin:policies_policy_change", args=[policy.pk])
    assert "Replace “impactAnalysis” with its fields below" in client.get(url).content.decode()

    response = client.post(url, change_form_data(client, policy, impact_economic="降低了封存成本。"))

    assert response.status_code == 302, response.context["adminform"].form.errors
    policy.refresh_from_db()
    assert (policy.impact_economic, policy.invalid, policy.version) == ("降低了封存成本。", "", 2)
    fixed = "impactAnalysis:\n  economic: 降低了封存成本。\n"
    assert exported(tmp_path, policy).replace(fixed, "impactAnalysis: 降低了封存成本。\n") == text


def test_an_author_the_file_wrote_as_a_list_is_fixed_by_hand_and_only_then(client, editor, draft_text):
    policy = upload(client, "a.md", with_defect(draft_text, "author: Gemini Intelligence", "author: [Gemini, GPT]"))
    url = reverse("admin:policies_policy_change", args=[policy.pk])
    form = client.get(url).context["adminform"].form
    assert "provenance_author" in form.fields

    response = client.post(url, change_form_data(client, policy, provenance_author="Gemini Intelligence"))

    assert response.status_code == 302, response.context["adminform"].form.errors
    policy.refresh_from_db()
    assert (policy.provenance_author, policy.invalid) == ("Gemini Intelligence", "")
    assert "provenance_author" not in client.get(url).context["adminform"].form.fields


@pytest.mark.parametrize(
    ("groups", "buttons"),
    [
        (("Editor",), ["Import files", "Export zip", "Add policy"]),
        (("Reviewer",), ["Review queue", "Export zip"]),
        (("Editor", "Reviewer"), ["Review queue", "Import files", "Export zip", "Add policy"]),
    ],
)
def test_the_list_has_a_button_for_each_tool_the_viewer_may_use_and_each_opens(groups, buttons):
    client = Client()
    client.force_login(make_user("someone", groups=groups))

    html = client.get(reverse("admin:policies_policy_changelist")).content.decode()

    tools = html[html.index('<ul class="object-tools">') :]
    tools = tools[: tools.index("</ul>")]
    listed = re.findall(r'<a href="([^"]+)"[^>]*>\s*([^<]+?)\s*</a>', tools)
    assert [name for _url, name in listed] == buttons
    assert {name: client.get(url).status_code for url, name in listed} == dict.fromkeys(buttons, 200)
