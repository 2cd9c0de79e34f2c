import difflib
import io
import os
import zipfile

import pytest
from django.utils import timezone

from policies.models import Policy, PolicyFile
from policies.transfer.exporting import ExportOutcome, export_to_folder, export_to_zip
from reviews import workflow
from tests.factories import approve, edit_in_app, import_folder, make_user, run_import

pytestmark = pytest.mark.django_db


def approve_as_riley(policy_id):
    """Approve the record as Riley Reviewer, the name an approved file then carries."""
    policy = Policy.objects.get(policy_id=policy_id)
    riley = make_user("reviewer", perm_names=("reviews.review_policy",), first_name="Riley", last_name="Reviewer")
    approve(policy, riley)
    return policy


@pytest.fixture
def collection(tmp_path, seed_text):
    source = tmp_path / "collection"
    (source / "international").mkdir(parents=True)
    (source / "international" / "intl-paris-art-6-4-ccs.md").write_text(seed_text, encoding="utf-8", newline="")
    import_folder(source)
    return source


def changed_lines(old: str, new: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_an_unedited_record_exports_byte_identical_to_its_file_at_its_path(collection, tmp_path, seed_text):
    out = tmp_path / "out"
    report = export_to_folder(out, all_records=True)
    assert [(r.path, r.outcome) for r in report.results] == [
        ("international/intl-paris-art-6-4-ccs.md", ExportOutcome.WRITTEN)
    ]
    assert (out / "international" / "intl-paris-art-6-4-ccs.md").read_bytes() == seed_text.encode()


def test_an_edited_score_changes_only_its_line(collection, tmp_path, seed_text):
    edit_in_app("intl-paris-art-6-4-ccs", market_score=80)
    out = tmp_path / "out"
    export_to_folder(out, all_records=True)
    exported = (out / "international" / "intl-paris-art-6-4-ccs.md").read_text(encoding="utf-8")
    # The seed claims to be verified; nobody approved the edit, so the file the app writes says so.
    assert changed_lines(seed_text, exported) == [
        "-reviewStatus: verified",
        "+reviewStatus: pending",
        "-    score: 100",
        "+    score: 80",
    ]


def test_by_default_only_verified_records_are_written(collection, tmp_path):
    out = tmp_path / "out"
    report = export_to_folder(out)
    assert report.results == []
    assert report.skipped == 1
    assert not out.exists() or not any(out.rglob("*.md"))


def test_an_approved_unedited_record_differs_from_its_file_only_by_the_approval_stamp(collection, tmp_path, seed_text):
    approve_as_riley("intl-paris-art-6-4-ccs")
    out = tmp_path / "out"
    export_to_folder(out)
    exported = (out / "international" / "intl-paris-art-6-4-ccs.md").read_text(encoding="utf-8")
    today = timezone.localdate().isoformat()
    assert changed_lines(seed_text, exported) == [
        "-  reviewer: Human Audit Pending",
        "-  lastAuditDate: '2026-02-08'",
        "+  reviewer: Riley Reviewer",
        f"+  lastAuditDate: '{today}'",
    ]


def test_the_published_snapshot_is_written_while_newer_edits_await_review(collection, tmp_path):
    approve_as_riley("intl-paris-art-6-4-ccs")
    out = tmp_path / "out"
    export_to_folder(out)
    published = (out / "international" / "intl-paris-art-6-4-ccs.md").read_bytes()
    edit_in_app("intl-paris-art-6-4-ccs", title="A newer, unreviewed title")
    report = export_to_folder(out)
    assert [r.outcome for r in report.results] == [ExportOutcome.UNCHANGED]
    assert (out / "international" / "intl-paris-art-6-4-ccs.md").read_bytes() == published


def test_a_rejected_record_is_never_exported_even_if_it_was_verified_before(collection, tmp_path):
    policy = approve_as_riley("intl-paris-art-6-4-ccs")
    edit_in_app("intl-paris-art-6-4-ccs", title="Invented")
    policy.refresh_from_db()
    reviewer = make_user("second-reviewer", perm_names=("reviews.review_policy",))
    workflow.reject(policy, user=reviewer, comment="This policy does not exist.")
    report = export_to_folder(tmp_path / "out")
    assert report.results == [] and report.skipped == 1


def test_unchanged_files_are_not_rewritten(collection, tmp_path):
    out = tmp_path / "out"
    export_to_folder(out, all_records=True)
    target = out / "international" / "intl-paris-art-6-4-ccs.md"
    os.utime(target, (1_000_000, 1_000_000))
    report = export_to_folder(out, all_records=True)
    assert [r.outcome for r in report.results] == [ExportOutcome.UNCHANGED]
    assert target.stat().st_mtime == 1_000_000


def test_check_writes_nothing_and_lists_the_files_that_would_change(collection, tmp_path):
    out = tmp_path / "out"
    export_to_folder(out, all_records=True)
    edit_in_app("intl-paris-art-6-4-ccs", title="Changed")
    before = (out / "international" / "intl-paris-art-6-4-ccs.md").read_bytes()
    report = export_to_folder(out, all_records=True, check=True)
    assert [(r.path, r.outcome) for r in report.results] == [
        ("international/intl-paris-art-6-4-ccs.md", ExportOutcome.WOULD_CHANGE)
    ]
    assert (out / "international" / "intl-paris-art-6-4-ccs.md").read_bytes() == before


def test_a_record_created_in_the_app_is_written_as_id_md_in_the_collections_style(tmp_path):
    Policy(policy_id="new-record", title="New", year=2025, market_score=10, tags=["CCS"]).save_as(
        user=None, reason="test"
    )
    export_to_folder(tmp_path, all_records=True)
    assert (tmp_path / "new-record.md").read_text() == (
        "---\nid: new-record\ncountry: ''\nyear: 2025\nstatus: ''\ncategory: ''\nreviewStatus: ''\nlegalWeight: ''\n"
        "sectors: []\nanalysis:\n  market:\n    score: 10\nrelatedFacilities: []\nurl: ''\nsource: ''\ntitle: New\n"
        "scope: ''\ntags:\n  - CCS\ndescription: ''\n---\n"
    )


def test_a_path_that_would_leave_the_export_folder_is_refused_and_nothing_is_written(collection, tmp_path):
    PolicyFile.objects.update(path="../escaped.md")
    out = tmp_path / "out"
    out.mkdir()
    report = export_to_folder(out, all_records=True)
    assert report.results[0].outcome is ExportOutcome.FAILED
    assert "not a safe relative path" in report.results[0].message
    assert not (tmp_path / "escaped.md").exists()


def test_a_failed_write_leaves_the_old_file_whole_and_no_temp_file(collection, tmp_path, monkeypatch):
    out = tmp_path / "out"
    export_to_folder(out, all_records=True)
    target = out / "international" / "intl-paris-art-6-4-ccs.md"
    before = target.read_bytes()
    edit_in_app("intl-paris-art-6-4-ccs", title="Changed")

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    report = export_to_folder(out, all_records=True)
    assert report.results[0].outcome is ExportOutcome.FAILED
    assert report.results[0].message == "could not be written: No space left on device"
    assert target.read_bytes() == before
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]


@pytest.fixture
def umask(request):
    """The process's umask set to the test's parameter for the test, and put back after it."""
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640)], indirect=["umask"])
def test_a_new_file_gets_the_mode_the_umask_gives_as_open_would(collection, tmp_path, umask, mode):
    out = tmp_path / "out"
    export_to_folder(out, all_records=True)
    target = out / "international" / "intl-paris-art-6-4-ccs.md"
    assert oct(target.stat().st_mode & 0o777) == oct(mode)


@pytest.mark.parametrize("umask", [0o022], indirect=True)
@pytest.mark.parametrize("mode", [0o644, 0o640])
def test_a_rewritten_file_keeps_its_mode(collection, tmp_path, umask, mode):
    out = tmp_path / "out"
    export_to_folder(out, all_records=True)
    target = out / "international" / "intl-paris-art-6-4-ccs.md"
    target.chmod(mode)
    edit_in_app("intl-paris-art-6-4-ccs", title="Changed")
    report = export_to_folder(out, all_records=True)
    assert report.results[0].outcome is ExportOutcome.WRITTEN
    assert "title: Changed" in target.read_text(encoding="utf-8")
    assert oct(target.stat().st_mode & 0o777) == oct(mode)


def test_the_export_is_the_new_base_so_a_later_file_change_imports_without_conflict(collection, tmp_path):
    edit_in_app("intl-paris-art-6-4-ccs", title="Edited")
    export_to_folder(collection, all_records=True)
    path = collection / "international" / "intl-paris-art-6-4-ccs.md"
    path.write_text(path.read_text(encoding="utf-8").replace("title: Edited", "title: Edited again"), "utf-8")
    report = run_import(collection)
    assert report.results[0].outcome == "updated"
    assert Policy.objects.get().title == "Edited again"


def test_the_zip_download_holds_each_file_at_its_path(collection, seed_text):
    data, _report = export_to_zip(all_records=True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["international/intl-paris-art-6-4-ccs.md"]
        assert archive.read("international/intl-paris-art-6-4-ccs.md") == seed_text.encode()


# A file never claims what did not happen, and two records never share one.


def test_an_edit_after_approval_is_exported_without_the_earlier_approvals_claim(collection, tmp_path):
    approve_as_riley("intl-paris-art-6-4-ccs")
    edit_in_app("intl-paris-art-6-4-ccs", market_score=80)
    out = tmp_path / "out"

    export_to_folder(out, all_records=True)

    text = (out / "international" / "intl-paris-art-6-4-ccs.md").read_text(encoding="utf-8")
    assert "reviewStatus: pending\n" in text
    assert "  reviewer: Human Audit Pending\n" in text
    assert "Riley Reviewer" not in text
    assert "    score: 80\n" in text


def test_the_published_file_keeps_the_approved_claim_while_an_edit_waits(collection, tmp_path):
    approve_as_riley("intl-paris-art-6-4-ccs")
    edit_in_app("intl-paris-art-6-4-ccs", market_score=80)
    out = tmp_path / "out"

    export_to_folder(out)

    text = (out / "international" / "intl-paris-art-6-4-ccs.md").read_text(encoding="utf-8")
    assert "reviewStatus: verified\n" in text and "  reviewer: Riley Reviewer\n" in text
    assert "    score: 100\n" in text


def test_a_reformatted_file_of_a_verified_record_changes_no_published_byte(collection, tmp_path):
    approve_as_riley("intl-paris-art-6-4-ccs")
    out = tmp_path / "out"
    export_to_folder(out)
    published = (out / "international" / "intl-paris-art-6-4-ccs.md").read_bytes()
    source = collection / "international" / "intl-paris-art-6-4-ccs.md"
    source.write_bytes(published.replace(b"\nyear: 2024\n", b"\nyear: 2024 # checked\n"))

    import_folder(collection)
    export_to_folder(out)

    assert (out / "international" / "intl-paris-art-6-4-ccs.md").read_bytes() == published


def test_two_records_meant_for_one_path_are_refused_loudly_in_folders_and_zips(collection, tmp_path):
    # A record made in the app is written to <id>.md, which a file already imported may be called.
    (collection / "taken.md").write_text("---\nid: other\ntitle: Other\n---\n", encoding="utf-8")
    import_folder(collection)
    Policy(policy_id="taken", title="Made in the app").save_as(user=None, reason="test")
    out = tmp_path / "out"

    report = export_to_folder(out, all_records=True)

    failed = [result for result in report.results if result.outcome is ExportOutcome.FAILED]
    assert [(result.policy_id, result.path) for result in failed] == [("taken", "taken.md")]
    assert failed[0].message == (
        "is also the file of the record other; two records never share a file, so this one was not written"
    )
    assert not report.ok
    assert (out / "taken.md").read_text(encoding="utf-8") == "---\nid: other\ntitle: Other\n---\n"
    data, zip_report = export_to_zip(all_records=True)
    assert zipfile.ZipFile(io.BytesIO(data)).namelist().count("taken.md") == 1
    assert not zip_report.ok


@pytest.fixture
def exported_gone(collection, tmp_path):
    """An export folder holding the file of the record `gone`, written by the export."""
    (collection / "gone.md").write_text("---\nid: gone\ntitle: Gone\n---\n", encoding="utf-8")
    import_folder(collection)
    out = tmp_path / "out"
    export_to_folder(out, all_records=True)
    return out


def test_files_the_export_wrote_that_no_record_owns_any_more_are_listed_checked_and_pruned(exported_gone):
    out = exported_gone
    (out / "notes.md").write_text("mine", encoding="utf-8")
    (out / "edited.md").write_text("---\nid: x\n---\n", encoding="utf-8")
    Policy.objects.get(policy_id="gone").delete()

    listed = export_to_folder(out, all_records=True)
    checked = export_to_folder(out, all_records=True, check=True)
    assert [(r.path, r.outcome) for r in listed.results if r.outcome is ExportOutcome.STALE] == [
        ("gone.md", ExportOutcome.STALE)
    ]
    assert checked.changes_pending
    assert (out / "gone.md").exists()

    pruned = export_to_folder(out, all_records=True, prune=True)

    assert [(r.path, r.outcome) for r in pruned.results if r.outcome is ExportOutcome.REMOVED] == [
        ("gone.md", "removed")
    ]
    assert not (out / "gone.md").exists()
    # Files the app did not write are never touched.
    assert (out / "notes.md").read_text() == "mine" and (out / "edited.md").exists()
    assert not export_to_folder(out, all_records=True, check=True).changes_pending


def test_a_file_edited_after_the_export_wrote_it_is_never_pruned(exported_gone):
    out = exported_gone
    (out / "gone.md").write_text("---\nid: gone\ntitle: Kept by hand\n---\n", encoding="utf-8")
    Policy.objects.get(policy_id="gone").delete()

    report = export_to_folder(out, all_records=True, prune=True)

    assert not [r for r in report.results if r.outcome in (ExportOutcome.STALE, ExportOutcome.REMOVED)]
    assert "Kept by hand" in (out / "gone.md").read_text()


def test_a_record_whose_path_holds_a_line_break_is_refused_in_folders_and_zips_and_nothing_is_written(tmp_path):
    # Stored before the id was matched whole, as the admin and the import stored it (a save checks nothing).
    Policy(policy_id="newline-id\n", title="Made in the app").save_as(user=None, reason="test")
    out = tmp_path / "out"

    report = export_to_folder(out, all_records=True)

    assert [(r.path, r.outcome, r.message) for r in report.results] == [
        (
            "newline-id\n.md",
            ExportOutcome.FAILED,
            "has a control character in its name ('\\n', U+000A); not written",
        )
    ]
    assert not report.ok
    assert not out.exists() or list(out.iterdir()) == []
    data, zip_report = export_to_zip(all_records=True)
    assert zipfile.ZipFile(io.BytesIO(data)).namelist() == []
    assert not zip_report.ok
