import io

import pytest
from django.core.management import CommandError, call_command

from policies.models import Policy
from reviews import workflow
from tests.factories import approve, make_user

pytestmark = pytest.mark.django_db

GOOD = "---\nid: {id}\ntitle: {title}\n---\nBody\n"


def run(command, *args):
    """The command's output and exit status (0, or what SystemExit carried)."""
    out = io.StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=io.StringIO())
    except SystemExit as exit_:
        return out.getvalue(), exit_.code
    return out.getvalue(), 0


def test_import_prints_each_outcome_and_a_summary_and_exits_0_when_all_went_well(tmp_path):
    (tmp_path / "a.md").write_text(GOOD.format(id="a", title="A"))
    output, status = run("import_policies", str(tmp_path))
    assert status == 0
    assert "created: a.md: new record" in output
    assert "created    " in output and "total" in output


def test_import_exits_1_and_names_the_rejected_file(tmp_path):
    (tmp_path / "a.md").write_text(GOOD.format(id="a", title="A"))
    (tmp_path / "bad.md").write_text("---\nid: ../b\ntitle: T\n---\n")
    output, status = run("import_policies", str(tmp_path))
    assert status == 1
    assert "rejected: bad.md: line 2, column 5, field id: '../b' is not a safe file name" in output
    assert Policy.objects.get().policy_id == "a"


BROKEN = "---\nid: {id}\ntitle: T\nyear: twenty\nanalysis:\n  market:\n    score: 85.5\n---\n"


def test_import_admits_a_draft_with_problems_naming_each_and_exits_0(tmp_path):
    (tmp_path / "a.md").write_text(BROKEN.format(id="a"))
    output, status = run("import_policies", str(tmp_path))
    assert status == 0
    assert "created, 2 problems: a.md: new record" in output
    assert "  problem: line 4, column 7, field year: must be a whole number, not 'twenty'" in output
    assert "  problem: line 7, column 12, field analysis.market.score: must be a whole number, not the number 85.5" in (
        output
    )
    assert "2 problems in 1 file need fixing before approval." in output
    assert Policy.objects.get().state == "pending"


def test_import_with_strict_exits_1_when_any_file_was_admitted_with_problems_and_0_without(tmp_path):
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "a.md").write_text(BROKEN.format(id="a"))
    (tmp_path / "clean").mkdir()
    (tmp_path / "clean" / "b.md").write_text(GOOD.format(id="b", title="B"))
    output, status = run("import_policies", str(tmp_path / "broken"), "--strict")
    assert status == 1
    assert "created, 2 problems: a.md" in output
    assert Policy.objects.filter(policy_id="a").exists(), "--strict still admits the file"
    output, status = run("import_policies", str(tmp_path / "clean"), "--strict")
    assert status == 0
    assert "problem" not in output


def test_import_of_a_missing_path_is_rejected_by_name(tmp_path):
    output, status = run("import_policies", str(tmp_path / "nope.md"))
    assert status == 1
    assert "nope.md: does not exist" in output


def test_dry_run_changes_nothing_and_says_so(tmp_path):
    (tmp_path / "a.md").write_text(GOOD.format(id="a", title="A"))
    output, status = run("import_policies", str(tmp_path), "--dry-run")
    assert status == 0
    assert "would be created: a.md" in output and "Dry run: nothing was changed." in output
    assert not Policy.objects.exists()


def test_import_as_a_user_without_permission_is_refused_with_a_message(tmp_path):
    make_user("viewer")
    (tmp_path / "a.md").write_text(GOOD.format(id="a", title="A"))
    with pytest.raises(CommandError, match="needs the permissions to add and change policies"):
        call_command("import_policies", str(tmp_path), "--user", "viewer", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        call_command("import_policies", str(tmp_path), "--user", "ghost", stdout=io.StringIO())
    assert not Policy.objects.exists()


def test_export_check_exits_1_listing_what_would_change_then_0_after_export(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "a.md").write_text(GOOD.format(id="a", title="A"))
    run("import_policies", str(source))
    out = tmp_path / "out"
    out.mkdir()
    output, status = run("export_policies", str(out), "--all", "--check")
    assert status == 1
    assert "would change: a.md: new file" in output
    assert not (out / "a.md").exists()
    output, status = run("export_policies", str(out), "--all")
    assert status == 0 and "written: a.md" in output
    assert (out / "a.md").read_text() == GOOD.format(id="a", title="A")
    output, status = run("export_policies", str(out), "--all", "--check")
    assert status == 0


def test_export_to_a_folder_that_cannot_be_created_is_refused_with_the_reason(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(CommandError, match=r"Cannot create .*: Not a directory"):
        call_command("export_policies", str(tmp_path / "file" / "out"), stdout=io.StringIO())


def test_export_to_a_file_instead_of_a_folder_is_refused(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(CommandError, match="is not a folder"):
        call_command("export_policies", str(tmp_path / "file"), stdout=io.StringIO())


def test_demo_users_get_random_passwords_once_and_a_second_run_changes_nothing():
    first, _ = run("create_demo_users")
    second, _ = run("create_demo_users")
    assert "editor" in first and "reviewer" in first and "admin" in first
    assert "exist already" in second
    passwords = [line.split()[-1] for line in first.splitlines()[1:]]
    assert len(set(passwords)) == 3 and all(len(p) >= 12 for p in passwords)


def test_a_withdrawn_records_file_is_stale_for_check_and_removed_by_prune(tmp_path):
    source, out = tmp_path / "source", tmp_path / "out"
    source.mkdir()
    (source / "a.md").write_text(GOOD.format(id="a", title="A"))
    run("import_policies", str(source))
    policy = Policy.objects.get(policy_id="a")
    reviewer = make_user("reviewer", perm_names=("reviews.review_policy",))
    approve(policy, reviewer)
    run("export_policies", str(out))
    workflow.withdraw(policy, user=reviewer, comment="Repealed in 2025.")

    listed, listed_status = run("export_policies", str(out))
    checked, checked_status = run("export_policies", str(out), "--check")
    assert (out / "a.md").exists()
    pruned, pruned_status = run("export_policies", str(out), "--prune")

    assert "stale: a.md: written by an earlier export; no record's file now (--prune removes it)" in listed
    assert (listed_status, checked_status, pruned_status) == (0, 1, 0)
    assert "stale: a.md" in checked
    assert "removed: a.md" in pruned
    assert not (out / "a.md").exists()
    assert run("export_policies", str(out), "--check")[1] == 0
