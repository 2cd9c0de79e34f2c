import datetime
import io
import shutil
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.db import OperationalError, connection

from policies import checks, editing, records
from policies.codec import frontmatter
from policies.filetext import render_policy
from policies.models import FileSnapshot, ImportConflict, Policy, PolicyFile, PolicyWarning, ReviewState, SeenFile
from policies.transfer.exporting import export_to_folder
from policies.transfer.importing import ImportOutcome, import_sources
from policies.transfer.sources import iter_zip
from tests.data import EXAMPLES
from tests.factories import approve, edit_in_app, make_user, run_import, with_defect, write
from tests.snapshots import stored_warnings

pytestmark = pytest.mark.django_db

MINIMAL = "---\nid: {id}\ntitle: {title}\nyear: 2024\nanalysis:\n  market:\n    score: 50\n---\nBody\n"


def database_state():
    """Everything an import could change, to prove a refused file changed nothing."""
    return (
        list(Policy.objects.values_list("policy_id", "version", "title", "market_score")),
        Policy.history.count(),
        PolicyFile.objects.count(),
        FileSnapshot.objects.count(),
    )


def only_result(report):
    assert len(report.results) == 1, report.results
    return report.results[0]


def test_the_seed_is_imported_with_every_field_as_pending_and_flagged(tmp_path, seed_text):
    write(tmp_path, "intl-paris-art-6-4-ccs.md", seed_text)
    result = only_result(run_import(tmp_path))
    assert result.outcome is ImportOutcome.CREATED
    policy = Policy.objects.get(policy_id="intl-paris-art-6-4-ccs")
    assert policy.state == ReviewState.PENDING
    assert policy.review_status == "verified"
    assert policy.market_score == 100
    assert len(policy.related_facilities) > 1000
    assert policy.file.path == "intl-paris-art-6-4-ccs.md"
    assert policy.template.text == seed_text
    assert any("not trusted" in warning for warning in result.warnings)
    entry = policy.history.get()
    assert entry.history_change_reason == "Imported from intl-paris-art-6-4-ccs.md (test)"


def test_reimporting_an_unchanged_file_creates_no_version_and_does_not_parse_it(tmp_path, seed_text, monkeypatch):
    write(tmp_path, "seed.md", seed_text)
    run_import(tmp_path)
    before = database_state()

    def fail(*args, **kwargs):
        raise AssertionError("an unchanged file was parsed")

    monkeypatch.setattr(frontmatter, "parse", fail)
    result = only_result(run_import(tmp_path))
    assert result.outcome is ImportOutcome.UNCHANGED
    assert database_state() == before


def test_a_changed_file_updates_only_the_changed_fields_with_a_reason(tmp_path):
    path = write(tmp_path, "a.md", MINIMAL.format(id="a", title="First"))
    run_import(tmp_path)
    write(tmp_path, "a.md", path.read_text().replace("score: 50", "score: 70"))
    result = only_result(run_import(tmp_path))
    assert result.outcome is ImportOutcome.UPDATED
    assert result.message == "changed: analysis.market.score"
    policy = Policy.objects.get(policy_id="a")
    assert (policy.market_score, policy.version, policy.history.count()) == (70, 2, 2)
    assert policy.history.first().history_change_reason.endswith(": analysis.market.score")


def test_a_reformatted_file_with_the_same_content_creates_no_version_and_changes_no_published_byte(tmp_path):
    original = MINIMAL.format(id="a", title="First")
    write(tmp_path, "a.md", original)
    run_import(tmp_path)
    write(tmp_path, "a.md", original.replace("year: 2024", "year: 2024 # a comment"))
    result = only_result(run_import(tmp_path))
    assert result.outcome is ImportOutcome.UNCHANGED
    assert result.message == "same content as the record (version 1)"
    policy = Policy.objects.get(policy_id="a")
    assert policy.history.count() == 1
    # The bytes a version renders on change only with a new version, one a reviewer sees.
    assert policy.template.text == original


def test_a_conflict_names_the_last_editor_as_every_screen_does_by_full_name(tmp_path):
    path = write(tmp_path, "a.md", MINIMAL.format(id="a", title="First"))
    run_import(tmp_path)
    make_user("wang", first_name="Wang Fang")
    edit_in_app("a", username="wang", title="Edited in the app")
    write(tmp_path, "a.md", path.read_text().replace("First", "Edited on disk"))

    result = only_result(run_import(tmp_path))

    assert "last saved by Wang Fang on " in result.message


def test_a_file_changed_on_disk_after_an_edit_in_the_app_is_a_conflict_and_both_are_left_alone(tmp_path):
    path = write(tmp_path, "a.md", MINIMAL.format(id="a", title="First"))
    run_import(tmp_path)
    edit_in_app("a", title="Edited in the app")
    write(tmp_path, "a.md", path.read_text().replace("First", "Edited on disk"))
    before = database_state()

    report = run_import(tmp_path)
    result = only_result(report)
    assert result.outcome is ImportOutcome.CONFLICT
    assert "changed both in the app (version 2, last saved by editor on " in result.message
    assert "title: was 'First', the record has 'Edited in the app', the file has 'Edited on disk'" in result.message
    assert "--force" in result.message
    assert not report.ok
    records_before, versions_before, files_before, _ = before
    assert database_state()[:3] == (records_before, versions_before, files_before)
    assert "Edited on disk" in path.read_text()
    conflict = ImportConflict.objects.get()
    assert (conflict.policy.policy_id, conflict.base, conflict.version, conflict.fields) == (
        "a",
        "version 1",
        2,
        [{"field": "title", "base": "First", "ours": "Edited in the app", "theirs": "Edited on disk"}],
    )
    assert conflict.file.text == path.read_text()

    run_import(tmp_path)
    assert ImportConflict.objects.count() == 1, "the same file again finds the open conflict"


def test_force_takes_the_file_over_an_edit_in_the_app(tmp_path):
    path = write(tmp_path, "a.md", MINIMAL.format(id="a", title="First"))
    run_import(tmp_path)
    edit_in_app("a", title="Edited in the app")
    write(tmp_path, "a.md", path.read_text().replace("First", "Edited on disk"))
    result = only_result(run_import(tmp_path, force=True))
    assert result.outcome is ImportOutcome.UPDATED
    assert Policy.objects.get(policy_id="a").title == "Edited on disk"


def test_an_edit_in_the_app_with_an_unchanged_file_is_kept_and_the_file_is_older(tmp_path):
    write(tmp_path, "a.md", MINIMAL.format(id="a", title="First"))
    run_import(tmp_path)
    edit_in_app("a", title="Edited in the app")
    result = only_result(run_import(tmp_path))
    assert result.outcome is ImportOutcome.OLDER
    assert result.message.startswith("older than the record (version 1; the record is at version 2)")
    assert Policy.objects.get(policy_id="a").title == "Edited in the app"


def test_a_dry_run_reports_outcomes_and_changes_nothing(tmp_path):
    write(tmp_path, "a.md", MINIMAL.format(id="a", title="First"))
    report = run_import(tmp_path, dry_run=True)
    assert only_result(report).outcome is ImportOutcome.CREATED
    assert report.dry_run
    assert database_state() == ([], 0, 0, 0)


BILLION_LAUGHS = (
    "l0: &l0 ["
    + ", ".join(["lol"] * 9)
    + "]\n"
    + "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10))
)

BAD_FILES = {
    "yaml-error.md": ("---\nid: a\ntitle: [unclosed\n---\n", "line 4, column 1, field title[1]: did not find expected"),
    "duplicate-key.md": ("---\nid: a\ntitle: T\ntitle: U\n---\n", "duplicate"),
    "no-frontmatter.md": ("# Just Markdown\n", "frontmatter"),
    "unterminated.md": ("---\nid: a\ntitle: T\n", "frontmatter"),
    "not-a-mapping.md": ("---\n- a\n- b\n---\n", "mapping"),
    "missing-id.md": ("---\ntitle: T\nyear: twenty\n---\n", "field id: is missing"),
    "number-id.md": ("---\nid: 42\ntitle: T\n---\n", "line 2, column 5, field id: must be text, not the number 42"),
    "unsafe-id.md": ("---\nid: ../x\ntitle: T\n---\n", "not a safe file name"),
    "absolute-id.md": ("---\nid: /etc/x\ntitle: T\n---\n", "not a safe file name"),
    "reserved-id.md": ("---\nid: nul\ntitle: T\n---\n", "reserved"),
    "empty-id.md": ("---\nid: ''\ntitle: T\n---\n", "must not be empty"),
    "python-tag.md": ("---\nid: a\ntitle: !!python/object/apply:os.system ['true']\n---\n", "tag"),
    "custom-tag.md": ("---\nid: a\ntitle: !secret T\n---\n", "tag"),
    "alias-bomb.md": ("---\nid: a\ntitle: T\n" + BILLION_LAUGHS + "---\n", "alias"),
    "deep-nesting.md": ("---\nid: a\ntitle: T\nx: " + "[" * 5000 + "]" * 5000 + "\n---\n", "nest"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_is_rejected_with_a_specific_message_and_changes_nothing(tmp_path, name):
    text, fragment = BAD_FILES[name]
    write(tmp_path, "good.md", MINIMAL.format(id="good", title="Good"))
    run_import(tmp_path / "good.md")
    before = database_state()
    write(tmp_path, name, text)
    report = run_import(tmp_path / name)
    result = only_result(report)
    assert result.outcome is ImportOutcome.REJECTED
    assert fragment.lower() in result.message.lower(), result.message
    assert "Traceback" not in result.message
    assert not report.ok
    assert database_state() == before


def _facility_number(seed_text: str, facility: str) -> int:
    return frontmatter.parse(seed_text).data["relatedFacilities"].index(facility) + 1


# Defects editors exist to fix, as drafts in the collection's style carry them: (what the seed says, what the draft
# says instead, where in that its value starts, the field, what is wrong, the value as written).
DEFECTS = {
    "fractional-score": (
        "    score: 85\n",
        "    score: 85.5\n",
        "85.5",
        "analysis.strategic.score",
        "must be a whole number, not the number 85.5",
        85.5,
    ),
    "bare-facility-id": (
        "  - '42'\n",
        "  - 42\n",
        "42",
        "relatedFacilities",
        "item {item} must be text, not the number 42",
        None,
    ),
    "impossible-date": (
        "pubDate: '2024-10-01'",
        "pubDate: '2024-13-45'",
        "'2024",
        "pubDate",
        "'2024-13-45' is not a real date",
        "2024-13-45",
    ),
    "date-in-another-format": (
        "pubDate: '2024-10-01'",
        "pubDate: '01/10/2024'",
        "'01",
        "pubDate",
        "must be a date written YYYY-MM-DD, not '01/10/2024'",
        "01/10/2024",
    ),
    "empty-title": (
        "title: 《巴黎协定》第 6.4 条碳交易机制 (含 CCS/CDR 标准)",
        "title: ''",
        "''",
        "title",
        "must not be empty",
        "",
    ),
    "single-string-for-a-list": (
        "tags:\n  - 巴黎协定\n  - 跨境信用\n  - COP29\n",
        "tags: CCS\n",
        "CCS",
        "tags",
        "must be a list, not 'CCS'",
        "CCS",
    ),
    "year-in-words": ("year: 2024", "year: twenty", "twenty", "year", "must be a whole number, not 'twenty'", "twenty"),
}


def value_at(data: dict, field: str):
    for key in field.split("."):
        data = data[key]
    return data


def position_of(text: str, new: str, written: str) -> tuple[int, int]:
    """The 1-based line and column of `written` inside the one `new` of `text`."""
    index = text.index(new) + new.index(written)
    return text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_a_draft_with_a_defect_editors_fix_is_admitted_pending_with_a_problem_and_kept_as_written(
    tmp_path, draft_text, defect
):
    old, new, written, field, message, value = DEFECTS[defect]
    text = with_defect(draft_text, old, new)
    if defect == "bare-facility-id":
        message = message.format(item=_facility_number(draft_text, "42"))
        value = frontmatter.parse(text).data["relatedFacilities"]
    write(tmp_path / "drafts", "a.md", text)
    line, column = position_of(text, new, written)

    report = run_import(tmp_path / "drafts")

    result = only_result(report)
    assert (result.outcome, result.problems) == (
        ImportOutcome.CREATED,
        [f"line {line}, column {column}, field {field}: {message}"],
    )
    assert report.ok
    policy = Policy.objects.get()
    assert policy.state == ReviewState.PENDING
    stored = policy.warnings.filter(blocking=True).values_list("field", "line", "column", "message")
    assert list(stored) == [(field, line, column, message)]
    assert frontmatter.same(value_at(editing.current_data(policy), field), value)
    export_to_folder(tmp_path / "out", all_records=True)
    assert (tmp_path / "out" / "a.md").read_bytes() == text.encode()


def test_a_draft_without_a_title_is_admitted_with_a_problem(tmp_path):
    write(tmp_path, "a.md", "---\nid: a\nyear: 2024\n---\nBody\n")
    result = only_result(run_import(tmp_path))
    assert (result.outcome, result.problems) == (ImportOutcome.CREATED, ["field title: is missing"])
    assert Policy.objects.get().warnings.get(blocking=True).message == "is missing"


def test_texts_the_collection_carries_have_no_length_limit(tmp_path, draft_text):
    author = "Gemini Intelligence, drafted from" + " the UNFCCC Supervisory Body's published standards;" * 6
    assert len(author) > 300
    text = with_defect(draft_text, "author: Gemini Intelligence", f"author: {author}")
    write(tmp_path, "a.md", text)
    result = only_result(run_import(tmp_path))
    assert (result.outcome, result.problems) == (ImportOutcome.CREATED, [])
    assert Policy.objects.get().provenance_author == author


def test_a_text_longer_than_its_index_allows_is_a_problem_not_a_rejection(tmp_path, draft_text):
    country = "国际" * 201
    text = with_defect(draft_text, "country: 国际", f"country: {country}")
    write(tmp_path, "a.md", text)
    result = only_result(run_import(tmp_path))
    assert result.outcome is ImportOutcome.CREATED
    assert result.problems == ["line 3, column 10, field country: is 402 characters long, over the limit of 400"]
    assert Policy.objects.get().country == ""
    export_to_folder(tmp_path / "out", all_records=True)
    assert (tmp_path / "out" / "a.md").read_bytes() == text.encode()


def test_drafts_admitted_together_report_each_of_their_problems(tmp_path, draft_text):
    two = with_defect(with_defect(draft_text, "year: 2024", "year: twenty"), "    score: 85\n", "    score: 85.5\n")
    write(tmp_path, "a.md", two.replace("intl-paris-art-6-4-ccs", "a", 1))
    write(tmp_path, "b.md", MINIMAL.format(id="b", title="B"))
    report = run_import(tmp_path)
    a, b = report.results
    assert (a.outcome, len(a.problems), b.outcome, b.problems) == (ImportOutcome.CREATED, 2, ImportOutcome.CREATED, [])
    assert a.summary == "created, 2 problems"
    assert b.summary == "created"
    assert (report.problem_count, report.ok) == (2, True)
    assert Policy.objects.get(policy_id="a").warnings.filter(blocking=True).count() == 2


def test_a_changed_file_with_a_defect_updates_the_record_and_reports_the_problem(tmp_path):
    path = write(tmp_path, "a.md", MINIMAL.format(id="a", title="First"))
    run_import(tmp_path)
    write(tmp_path, "a.md", path.read_text().replace("score: 50", "score: 50.5"))
    result = only_result(run_import(tmp_path))
    assert result.outcome is ImportOutcome.UPDATED
    assert result.problems == [
        "line 7, column 12, field analysis.market.score: must be a whole number, not the number 50.5"
    ]
    policy = Policy.objects.get()
    assert (policy.market_score, policy.version) == (None, 2)
    assert policy.warnings.filter(blocking=True).count() == 1


def test_invalid_utf8_is_rejected_with_its_line_and_column(tmp_path):
    write(tmp_path, "latin1.md", "---\nid: a\ntitle: Café\n---\n", encoding="latin-1")
    result = only_result(run_import(tmp_path))
    assert result.outcome is ImportOutcome.REJECTED
    assert result.message == "line 3, column 11: is not valid UTF-8 (byte 0xe9)"


def test_a_nul_byte_is_rejected(tmp_path):
    write(tmp_path, "nul.md", b"---\nid: a\ntitle: T\x00\n---\n")
    assert only_result(run_import(tmp_path)).message.startswith("line 3, column 9: contains a NUL byte")


def test_a_file_over_the_size_limit_is_rejected_before_it_is_read(tmp_path, settings):
    settings.POLICY_FILE_MAX_BYTES = 1000
    write(tmp_path, "big.md", "---\nid: a\ntitle: T\n---\n" + "x" * 2000)
    result = only_result(run_import(tmp_path))
    assert result.outcome is ImportOutcome.REJECTED
    assert "over the limit of 1,000 bytes" in result.message


def alias_bomb(policy_id: str, size: int, aliases: int) -> str:
    """A record whose anchored text of `size` characters is repeated by `aliases` aliases."""
    repeated = ", ".join(["*long"] * aliases)
    return f"---\nid: {policy_id}\ntitle: T\nlong: &long {'x' * size}\ntags: [{repeated}]\n---\n"


def test_a_file_whose_aliases_expand_past_the_file_size_limit_is_rejected_with_line_and_column(tmp_path):
    write(tmp_path, "good.md", MINIMAL.format(id="good", title="Good"))
    run_import(tmp_path / "good.md")
    before = database_state()
    # 1.5 MB, which would read as 600 MB.
    write(tmp_path, "bomb.md", alias_bomb("bomb", 1_500_000, 400))
    result = only_result(run_import(tmp_path / "bomb.md"))
    assert result.outcome is ImportOutcome.REJECTED
    assert result.message == (
        "line 5, column 8, field tags[0]: aliases expand the text to more than 2,097,152 characters, the limit"
    )
    assert database_state() == before


def test_the_limit_on_expanded_text_is_the_file_size_limit(tmp_path, settings):
    settings.POLICY_FILE_MAX_BYTES = 10_000
    # Keys and text come to 3,017 characters, and each alias adds 3,000.
    write(tmp_path, "a.md", alias_bomb("a", 3_000, 2))
    write(tmp_path, "b.md", alias_bomb("b", 3_000, 3))
    fits, too_long = run_import(tmp_path).results
    assert fits.outcome is ImportOutcome.CREATED
    assert too_long.outcome is ImportOutcome.REJECTED
    assert too_long.message == (
        "line 5, column 22, field tags[2]: aliases expand the text to more than 10,000 characters, the limit"
    )
    assert Policy.objects.get().policy_id == "a"


def test_two_files_with_the_same_id_reject_the_second_naming_the_first(tmp_path):
    write(tmp_path, "a.md", MINIMAL.format(id="same", title="One"))
    write(tmp_path, "b.md", MINIMAL.format(id="same", title="Two"))
    first, second = run_import(tmp_path).results
    assert first.outcome is ImportOutcome.CREATED
    assert second.outcome is ImportOutcome.REJECTED
    assert second.message == "has the same id 'same' as a.md"
    assert Policy.objects.get().title == "One"


def test_one_bad_file_never_stops_the_others(tmp_path):
    write(tmp_path, "a.md", MINIMAL.format(id="a", title="A"))
    write(tmp_path, "b.md", "---\nid: b\ntitle: [\n---\n")
    write(tmp_path, "c/d.md", MINIMAL.format(id="d", title="D"))
    outcomes = [(r.name, r.outcome) for r in run_import(tmp_path).results]
    assert outcomes == [
        ("a.md", ImportOutcome.CREATED),
        ("b.md", ImportOutcome.REJECTED),
        ("c/d.md", ImportOutcome.CREATED),
    ]
    assert Policy.objects.get(policy_id="d").file.path == "c/d.md"


def test_a_folder_import_skips_hidden_folders_and_non_markdown_files(tmp_path):
    write(tmp_path, ".git/x.md", MINIMAL.format(id="x", title="X"))
    write(tmp_path, "notes.txt", "not a record")
    write(tmp_path, "a.md", MINIMAL.format(id="a", title="A"))
    assert [r.name for r in run_import(tmp_path).results] == ["a.md"]


def _zip(entries: dict[str, bytes], symlinks: tuple[str, ...] = ()) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name)
            if name in symlinks:
                info.external_attr = 0o120777 << 16
            archive.writestr(info, data)
    buffer.seek(0)
    return buffer


def test_a_zip_is_imported_member_by_member_and_unsafe_members_are_refused_by_name():
    good = MINIMAL.format(id="a", title="A").encode()
    archive = _zip(
        {
            "policies/a.md": good,
            "../evil.md": good,
            "/abs.md": good,
            "C:/drive.md": good,
            "link.md": b"/etc/passwd",
            "README.txt": b"ignored",
        },
        symlinks=("link.md",),
    )
    report = import_sources(iter_zip(archive, label="bundle.zip"), origin="test")
    outcomes = {r.name: (r.outcome, r.message) for r in report.results}
    assert outcomes["bundle.zip:policies/a.md"][0] is ImportOutcome.CREATED
    assert outcomes["bundle.zip:../evil.md"] == (ImportOutcome.REJECTED, "has a path that leaves the archive ('..')")
    assert outcomes["bundle.zip:/abs.md"] == (ImportOutcome.REJECTED, "has an absolute path")
    assert outcomes["bundle.zip:C:/drive.md"][1] == "has a Windows path (backslash or drive letter)"
    assert outcomes["bundle.zip:link.md"] == (ImportOutcome.REJECTED, "is a symbolic link")
    assert len(outcomes) == 5
    assert Policy.objects.get().file.path == "policies/a.md"


def test_a_zip_with_duplicate_members_refuses_the_second():
    good = MINIMAL.format(id="a", title="A").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive, pytest.warns(UserWarning):
        archive.writestr("a.md", good)
        archive.writestr("a.md", good)
    report = import_sources(iter_zip(buffer, label="dup.zip"), origin="test")
    assert [(r.name, r.outcome) for r in report.results] == [
        ("dup.zip:a.md", ImportOutcome.CREATED),
        ("dup.zip:a.md", ImportOutcome.REJECTED),
    ]


def test_a_zip_that_would_inflate_too_far_is_refused_whole(monkeypatch):
    monkeypatch.setattr("policies.transfer.sources.ZIP_MAX_TOTAL_BYTES", 100)
    archive = _zip({"a.md": MINIMAL.format(id="a", title="A" * 200).encode()})
    result = only_result(import_sources(iter_zip(archive, label="big.zip"), origin="test"))
    assert result.outcome is ImportOutcome.REJECTED
    assert "would inflate to" in result.message


def test_a_user_without_permission_to_add_and_change_policies_cannot_import(tmp_path):
    write(tmp_path, "a.md", MINIMAL.format(id="a", title="A"))
    viewer = make_user("viewer", perm_names=("policies.view_policy",))
    with pytest.raises(PermissionDenied):
        run_import(tmp_path, user=viewer)
    assert not Policy.objects.exists()


def test_an_import_by_a_user_is_attributed_to_them(tmp_path):
    write(tmp_path, "a.md", MINIMAL.format(id="a", title="A"))
    editor = make_user("editor", perm_names=("policies.add_policy", "policies.change_policy"))
    run_import(tmp_path, user=editor)
    assert Policy.objects.get().history.get().history_user == editor


def test_the_imported_date_keeps_its_type_for_the_export(tmp_path):
    write(tmp_path, "a.md", "---\nid: a\ntitle: T\npubDate: 2024-10-01\n---\n")
    run_import(tmp_path)
    assert Policy.objects.get().pub_date == datetime.date(2024, 10, 1)


def test_new_records_stored_together_get_the_same_version_file_and_warnings_as_one_by_one(tmp_path, seed_text):
    write(tmp_path, "a.md", MINIMAL.format(id="a", title="A"))
    write(tmp_path, "b.md", seed_text.replace("intl-paris-art-6-4-ccs", "b", 1))
    editor = make_user("editor", perm_names=("policies.add_policy", "policies.change_policy"))
    report = run_import(tmp_path, user=editor)
    assert [(r.outcome, r.message) for r in report.results] == [(ImportOutcome.CREATED, "new record")] * 2
    policy = Policy.objects.get(policy_id="b")
    entry = policy.history.get()
    assert (entry.history_user, entry.history_change_reason, entry.version) == (editor, "Imported from b.md (test)", 1)
    assert entry.related_facilities == policy.related_facilities and len(policy.related_facilities) > 1000
    assert entry.instance.market_label == policy.market_label
    assert policy.template.text == (tmp_path / "b.md").read_text()
    assert policy.content_hash == records.content_hash(records.policy_values(policy)) == entry.content_hash
    stored = sorted(PolicyWarning.objects.values_list("policy__policy_id", "field", "code", "message"))
    assert (
        stored
        and checks.refresh_collection()
        and stored == sorted(PolicyWarning.objects.values_list("policy__policy_id", "field", "code", "message"))
    )
    assert run_import(tmp_path).counts[ImportOutcome.UNCHANGED] == 2


def test_a_database_failure_rejects_that_file_whole_and_the_next_file_is_still_imported(tmp_path, monkeypatch):
    write(tmp_path, "a.md", MINIMAL.format(id="a", title="A"))
    write(tmp_path, "b.md", MINIMAL.format(id="b", title="B"))
    original = PolicyFile.save

    def fail_for_a(self, *args, **kwargs):
        if self.policy.policy_id == "a":
            raise OperationalError("database is locked")
        return original(self, *args, **kwargs)

    original_bulk = PolicyFile.objects.bulk_create

    def fail_together_for_a(files, *args, **kwargs):
        files = list(files)
        if any(policy_file.policy.policy_id == "a" for policy_file in files):
            raise OperationalError("database is locked")
        return original_bulk(files, *args, **kwargs)

    # New files are first stored together; when that fails, one by one, so that only the file at fault is rejected.
    monkeypatch.setattr(PolicyFile, "save", fail_for_a)
    monkeypatch.setattr(PolicyFile.objects, "bulk_create", fail_together_for_a)
    first, second = run_import(tmp_path).results
    assert (first.outcome, second.outcome) == (ImportOutcome.REJECTED, ImportOutcome.CREATED)
    assert first.message == "could not be stored, nothing of it was saved: database is locked"
    assert list(Policy.objects.values_list("policy_id", flat=True)) == ["b"]
    assert Policy.history.count() == 1


def refuse_records_named(policy_id: str) -> None:
    """A trigger that makes the database itself refuse to insert the record with this id."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_record() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$ BEGIN IF NEW.policy_id = '{policy_id}' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_record BEFORE INSERT ON policies_policy "
                "FOR EACH ROW EXECUTE FUNCTION refuse_record()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER refuse_record BEFORE INSERT ON policies_policy "
                f"WHEN NEW.policy_id = '{policy_id}' BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )


def test_a_record_the_database_refuses_is_rejected_alone_though_new_records_are_inserted_together(tmp_path):
    for policy_id in "abc":
        write(tmp_path, f"{policy_id}.md", MINIMAL.format(id=policy_id, title=policy_id.upper()))
    refuse_records_named("b")
    results = run_import(tmp_path).results
    assert [result.outcome for result in results] == [
        ImportOutcome.CREATED,
        ImportOutcome.REJECTED,
        ImportOutcome.CREATED,
    ]
    assert results[1].message.startswith("could not be stored, nothing of it was saved: refused")
    assert list(Policy.objects.values_list("policy_id", flat=True)) == ["a", "c"]
    assert sorted(Policy.history.values_list("policy_id", "history_change_reason")) == [
        ("a", "Imported from a.md (test)"),
        ("c", "Imported from c.md (test)"),
    ]
    assert sorted(PolicyFile.objects.values_list("path", flat=True)) == ["a.md", "c.md"]


def test_an_import_of_new_changed_and_conflicting_files_leaves_the_warnings_a_full_recheck_gives(tmp_path):
    first = MINIMAL.replace("year: 2024", "year: 2024\nurl: ftp://{id}")
    for policy_id in "abc":
        write(tmp_path, f"{policy_id}.md", first.format(id=policy_id, title=policy_id.upper()))
    run_import(tmp_path)
    edit_in_app("c", title="Edited in the app")
    changed = MINIMAL.replace("score: 50", "score: 50\n  mrv:\n    score: 10")
    for policy_id in "bcd":
        title = "Changed on disk" if policy_id == "c" else policy_id.upper()
        write(tmp_path, f"{policy_id}.md", changed.format(id=policy_id, title=title))
    outcomes = [result.outcome for result in run_import(tmp_path).results]
    assert outcomes == [ImportOutcome.UNCHANGED, ImportOutcome.UPDATED, ImportOutcome.CONFLICT, ImportOutcome.CREATED]
    stored = stored_warnings()
    assert ("b", "analysis.mrv.citation", "missing_citation", "is empty, but the MRV dimension is scored") in stored
    assert ("c", "url", "url_not_http", "'ftp://c' is not an http(s) address") in stored
    checks.refresh_collection()
    assert stored_warnings() == stored


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
def test_a_large_import_leaves_postgresql_statistics_that_describe_the_new_records(tmp_path, monkeypatch):
    monkeypatch.setattr("policies.transfer.importing.ANALYZE_AFTER", 3)
    for n in range(3):
        write(tmp_path, f"p{n}.md", f"---\nid: p{n}\ntitle: P{n}\n---\n")

    run_import(tmp_path)

    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [Policy._meta.db_table])
        assert cursor.fetchone()[0] == 3


# What people decided is never undone by a file the app has already seen.


def test_reimporting_the_untouched_drafts_after_a_correction_approval_and_export_changes_nothing(tmp_path):
    source = tmp_path / "examples"
    shutil.copytree(EXAMPLES, source)
    assert run_import(source).ok
    corrected = edit_in_app("intl-paris-art-6-4-ccs", market_score=80)
    reviewer = make_user("reviewer", perm_names=("reviews.review_policy",))
    approved = Policy.objects.get(policy_id="intl-paris-art-6-4-ccs")
    approve(approved, reviewer)
    export_to_folder(tmp_path / "published")
    before = database_state(), list(Policy.objects.values_list("policy_id", "state", "version"))

    report = run_import(source)

    assert report.ok
    assert (database_state(), list(Policy.objects.values_list("policy_id", "state", "version"))) == before
    by_id = {result.policy_id: result for result in report.results}
    older = by_id["intl-paris-art-6-4-ccs"]
    assert older.outcome is ImportOutcome.OLDER
    assert older.message.startswith(f"older than the record (version 1; the record is at version {approved.version})")
    assert {result.outcome for id_, result in by_id.items() if id_ != corrected.policy_id} == {ImportOutcome.UNCHANGED}
    policy = Policy.objects.get(policy_id="intl-paris-art-6-4-ccs")
    assert (policy.state, policy.market_score) == (ReviewState.VERIFIED, 80)


def test_a_file_holding_any_earlier_version_is_older_even_with_other_bytes(tmp_path):
    path = write(tmp_path, "a.md", MINIMAL.format(id="a", title="First"))
    run_import(tmp_path)
    edit_in_app("a", title="Second")
    edit_in_app("a", title="Third")
    # Version 2's content, written by hand with a comment: bytes the app never saw, content it knows.
    write(tmp_path, "a.md", path.read_text().replace("title: First", "title: Second # as it was"))

    result = only_result(run_import(tmp_path))

    assert result.outcome is ImportOutcome.OLDER
    assert result.message.startswith("older than the record (version 2; the record is at version 3)")
    assert Policy.objects.get(policy_id="a").title == "Third"


def test_a_regenerated_draft_is_merged_with_the_corrections_made_since_and_sent_to_review(tmp_path):
    path = write(tmp_path, "a.md", MINIMAL.format(id="a", title="First"))
    run_import(tmp_path)
    edit_in_app("a", market_score=80)
    reviewer = make_user("reviewer", perm_names=("reviews.review_policy",))
    approve(Policy.objects.get(policy_id="a"), reviewer)
    write(tmp_path, "a.md", path.read_text().replace("Body", "Body, regenerated"))

    result = only_result(run_import(tmp_path))

    assert result.outcome is ImportOutcome.MERGED
    assert result.message == (
        "took body from the file; kept reviewStatus, analysis.market.score, provenance.reviewer, "
        "provenance.lastAuditDate, changed in the app since version 1"
    )
    policy = Policy.objects.get(policy_id="a")
    assert (policy.body, policy.market_score, policy.state) == ("Body, regenerated\n", 80, ReviewState.PENDING)
    reason = policy.history.first().history_change_reason
    assert reason.startswith("Imported from a.md (test), merged with the app's changes since version 1: took body")
    assert "kept reviewStatus, analysis.market.score" in reason


def test_a_changed_file_of_a_record_nobody_changed_since_is_taken_whole(tmp_path):
    path = write(tmp_path, "a.md", MINIMAL.format(id="a", title="First"))
    run_import(tmp_path)
    write(tmp_path, "a.md", path.read_text().replace("First", "Second").replace("Body", "New body"))
    result = only_result(run_import(tmp_path))
    assert (result.outcome, result.message) == (ImportOutcome.UPDATED, "changed: title, body")


def test_a_file_whose_name_holds_a_line_break_is_refused_by_name(tmp_path):
    # Its name is where the export would write the record again.
    write(tmp_path / "sub\nfolder", "a.md", MINIMAL.format(id="a", title="A"))
    write(tmp_path, "b\tc.md", MINIMAL.format(id="b", title="B"))

    report = run_import(tmp_path)

    assert [(r.name, r.outcome, r.message) for r in report.results] == [
        ("b\tc.md", ImportOutcome.REJECTED, "has a control character in its name ('\\t', U+0009)"),
        ("sub\nfolder/a.md", ImportOutcome.REJECTED, "has a control character in its name ('\\n', U+000A)"),
    ]
    assert not Policy.objects.exists()


def test_a_file_whose_path_another_record_holds_is_refused_and_changes_nothing(tmp_path):
    write(tmp_path / "one", "shared.md", MINIMAL.format(id="a", title="A"))
    run_import(tmp_path / "one")
    write(tmp_path / "two", "shared.md", MINIMAL.format(id="b", title="B"))
    write(tmp_path / "two", "other.md", MINIMAL.format(id="c", title="C"))
    before = database_state()

    report = run_import(tmp_path / "two")

    refused = next(result for result in report.results if result.policy_id == "b")
    assert refused.outcome is ImportOutcome.REJECTED
    assert refused.message == (
        "shared.md is the file of the record a; two records never share a file: give this file its own name"
    )
    assert Policy.objects.filter(policy_id="c").exists()
    assert not Policy.objects.filter(policy_id="b").exists()
    assert PolicyFile.objects.get(path="shared.md").policy.policy_id == "a"
    assert database_state()[0][0] == before[0][0]


def test_a_new_file_is_remembered_with_the_content_it_holds(tmp_path):
    write(tmp_path, "a.md", MINIMAL.format(id="a", title="First"))
    run_import(tmp_path)
    policy = Policy.objects.get(policy_id="a")
    seen = SeenFile.objects.get()
    assert (seen.policy, seen.content_hash, seen.how, seen.version) == (policy, policy.content_hash, "imported", 1)


def test_a_file_rendered_from_an_edited_version_is_that_version_as_its_file_states_it(tmp_path):
    write(
        tmp_path,
        "a.md",
        MINIMAL.format(id="a", title="First").replace("year: 2024", "year: 2024\nreviewStatus: verified"),
    )
    run_import(tmp_path)
    edit_in_app("a", title="Second")
    rendered = render_policy(Policy.objects.get(policy_id="a")).text
    assert "reviewStatus: pending" in rendered
    write(tmp_path, "a.md", rendered.replace("title: Second", "title: Second # reworded later"))

    assert only_result(run_import(tmp_path)).message == "same content as the record (version 2) as its file states it"

    edit_in_app("a", title="Third")
    write(tmp_path, "a.md", rendered.replace("title: Second", "title: Second  # again"))
    result = only_result(run_import(tmp_path))
    assert (result.outcome, Policy.objects.get(policy_id="a").title) == (ImportOutcome.OLDER, "Third")
    assert result.message.startswith("older than the record (version 2; the record is at version 3)")


def test_a_merged_file_imported_again_says_it_is_already_in_the_record(tmp_path):
    path = write(tmp_path, "a.md", MINIMAL.format(id="a", title="First"))
    run_import(tmp_path)
    edit_in_app("a", market_score=80)
    write(tmp_path, "a.md", path.read_text().replace("Body", "New body"))
    assert only_result(run_import(tmp_path)).outcome is ImportOutcome.MERGED

    again = only_result(run_import(tmp_path))

    assert (again.outcome, again.message) == (
        ImportOutcome.OLDER,
        "older than the record: already taken into its version 3; nothing was changed",
    )
