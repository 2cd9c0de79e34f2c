import difflib
import io
import os
import zipfile

import pytest
from django.utils import timezone

from policies.exporting import Outcome, export_to_folder, export_to_zip
from policies.importing import import_sources
from policies.models import Policy, PolicyFile
from policies.sources import iter_paths
from reviews import workflow
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def import_folder(folder):
    report = import_sources(iter_paths([folder]), origin="test")
    assert report.ok, report.results
    return report


def approve(policy_id):
    policy = Policy.objects.get(policy_id=policy_id)
    reviewer = make_user("reviewer", perm_names=("reviews.review_policy",), first_name="Riley", last_name="Reviewer")
    workflow.approve(policy, user=reviewer, expected_version=policy.version, verdicts=workflow.confirm_all(policy))
    return policy


def edit(policy_id, **changes):
    policy = Policy.objects.get(policy_id=policy_id)
    for attr, value in changes.items():
        setattr(policy, attr, value)
    policy.save_as(user=make_user("editor"), reason="test edit")
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
        ("international/intl-paris-art-6-4-ccs.md", Outcome.WRITTEN)
    ]
    assert (out / "international" / "intl-paris-art-6-4-ccs.md").read_bytes() == seed_text.encode()


def test_an_edited_score_changes_only_its_line(collection, tmp_path, seed_text):
    edit("intl-paris-art-6-4-ccs", market_score=80)
    out = tmp_path / "out"
    export_to_folder(out, all_records=True)
    exported = (out / "international" / "intl-paris-art-6-4-ccs.md").read_text(encoding="utf-8")
    assert changed_lines(seed_text, exported) == ["-    score: 100", "+    score: 80"]


def test_by_default_only_verified_records_are_written(collection, tmp_path):
    out = tmp_path / "out"
    report = export_to_folder(out)
    assert report.results == []
    assert report.skipped == 1
    assert not out.exists() or not any(out.rglob("*.md"))


def test_an_approved_unedited_record_differs_from_its_file_only_by_the_approval_stamp(collection, tmp_path, seed_text):
    approve("intl-paris-art-6-4-ccs")
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
    approve("intl-paris-art-6-4-ccs")
    out = tmp_path / "out"
    export_to_folder(out)
    published = (out / "international" / "intl-paris-art-6-4-ccs.md").read_bytes()
    edit("intl-paris-art-6-4-ccs", title="A newer, unreviewed title")
    report = export_to_folder(out)
    assert [r.outcome for r in report.results] == [Outcome.UNCHANGED]
    assert (out / "international" / "intl-paris-art-6-4-ccs.md").read_bytes() == published


def test_a_rejected_record_is_never_exported_even_if_it_was_verified_before(collection, tmp_path):
    policy = approve("intl-paris-art-6-4-ccs")
    edit("intl-paris-art-6-4-ccs", title="Invented")
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
    assert [r.outcome for r in report.results] == [Outcome.UNCHANGED]
    assert target.stat().st_mtime == 1_000_000


def test_check_writes_nothing_and_lists_the_files_that_would_change(collection, tmp_path):
    out = tmp_path / "out"
    export_to_folder(out, all_records=True)
    edit("intl-paris-art-6-4-ccs", title="Changed")
    before = (out / "international" / "intl-paris-art-6-4-ccs.md").read_bytes()
    report = export_to_folder(out, all_records=True, check=True)
    assert [(r.path, r.outcome) for r in report.results] == [
        ("international/intl-paris-art-6-4-ccs.md", Outcome.WOULD_CHANGE)
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
    assert report.results[0].outcome is Outcome.FAILED
    assert "not a safe relative path" in report.results[0].message
    assert not (tmp_path / "escaped.md").exists()


def test_a_failed_write_leaves_the_old_file_whole_and_no_temp_file(collection, tmp_path, monkeypatch):
    out = tmp_path / "out"
    export_to_folder(out, all_records=True)
    target = out / "international" / "intl-paris-art-6-4-ccs.md"
    before = target.read_bytes()
    edit("intl-paris-art-6-4-ccs", title="Changed")

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    report = export_to_folder(out, all_records=True)
    assert report.results[0].outcome is Outcome.FAILED
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
    edit("intl-paris-art-6-4-ccs", title="Changed")
    report = export_to_folder(out, all_records=True)
    assert report.results[0].outcome is Outcome.WRITTEN
    assert "title: Changed" in target.read_text(encoding="utf-8")
    assert oct(target.stat().st_mode & 0o777) == oct(mode)


def test_the_export_is_the_new_base_so_a_later_file_change_imports_without_conflict(collection, tmp_path):
    edit("intl-paris-art-6-4-ccs", title="Edited")
    export_to_folder(collection, all_records=True)
    path = collection / "international" / "intl-paris-art-6-4-ccs.md"
    path.write_text(path.read_text(encoding="utf-8").replace("title: Edited", "title: Edited again"), "utf-8")
    report = import_sources(iter_paths([collection]), origin="test")
    assert report.results[0].outcome == "updated"
    assert Policy.objects.get().title == "Edited again"


def test_the_zip_download_holds_each_file_at_its_path(collection, seed_text):
    data, _report = export_to_zip(all_records=True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["international/intl-paris-art-6-4-ccs.md"]
        assert archive.read("international/intl-paris-art-6-4-ccs.md") == seed_text.encode()
