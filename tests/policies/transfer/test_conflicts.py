import datetime

import pytest
from django.core.exceptions import PermissionDenied

from policies.models import ImportConflict, Policy, ReviewState, SeenFile
from policies.transfer.conflicts import AlreadySettled, Choice, InvalidChoices, StaleConflict, settle_conflict
from policies.transfer.importing import ImportOutcome
from reviews.models import ReviewAction, ReviewEvent
from tests.factories import approve, edit_in_app, make_user, run_import

pytestmark = pytest.mark.django_db

SETTLER_PERMS = ("policies.view_policy", "policies.change_policy", "policies.change_importconflict")
FILE = """---
id: a
title: First
country: Norway
year: 2024
analysis:
  market:
    score: 50
tags:
  - storage
---
Body
"""


@pytest.fixture
def settler():
    return make_user("settler", perm_names=SETTLER_PERMS, first_name="Sam", last_name="Settler")


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "a.md").write_text(FILE)
    assert run_import(tmp_path).ok
    return tmp_path


def change_file(folder, *replacements):
    path = folder / "a.md"
    text = path.read_text()
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text)
    return text


@pytest.fixture
def conflict(folder):
    """Title, body and market score changed both in the app and in the file; the country only in the file."""
    edit_in_app("a", title="Title from the app", body="Body from the app\n", market_score=60)
    change_file(
        folder,
        ("title: First", "title: Title from the file"),
        ("Body\n", "Body from the file\n"),
        ("score: 50", "score: 70"),
        ("country: Norway", "country: 挪威"),
    )
    result = run_import(folder).results[0]
    assert result.outcome is ImportOutcome.CONFLICT, result
    return ImportConflict.objects.get()


def settle(conflict, user, **choices):
    return settle_conflict(conflict, user=user, choices=choices, expected_version=conflict.version)


def state():
    """What a refused settlement must not change."""
    policy = Policy.objects.get(policy_id="a")
    return (
        policy.version,
        policy.content_hash,
        policy.template_id,
        Policy.history.count(),
        SeenFile.objects.count(),
        list(ImportConflict.objects.values_list("resolved_at", "resolved_by")),
    )


@pytest.mark.parametrize(
    ("choice", "title"),
    [
        (Choice.keep(), "Title from the app"),
        (Choice.take(), "Title from the file"),
        (Choice.write("A title written to settle it"), "A title written to settle it"),
    ],
)
def test_settling_a_field_keeps_the_records_value_takes_the_files_or_the_one_written(choice, title, conflict, settler):
    settle(conflict, settler, title=choice, body=Choice.keep(), market_score=Choice.keep())

    policy = Policy.objects.get(policy_id="a")
    assert (policy.title, policy.body, policy.market_score) == (title, "Body from the app\n", 60)
    assert policy.country == "挪威", "a field only the file changed is taken"


def test_settling_saves_one_version_on_the_files_text_with_who_and_why_and_closes_the_conflict(conflict, settler):
    versions = Policy.history.count()

    settle(
        conflict,
        settler,
        title=Choice.take(),
        body=Choice.keep(),
        market_score=Choice.write("80"),
    )

    policy = Policy.objects.get(policy_id="a")
    assert (policy.title, policy.body, policy.market_score, policy.country) == (
        "Title from the file",
        "Body from the app\n",
        80,
        "挪威",
    )
    assert Policy.history.count() == versions + 1
    latest = policy.history.first()
    assert (latest.version, latest.history_user) == (3, settler)
    assert latest.history_change_reason == (
        "Settled the import conflict of a.md: took country, title from the file, kept body, wrote analysis.market.score"
    )
    assert policy.template == conflict.file
    conflict.refresh_from_db()
    assert conflict.resolved_by == settler and conflict.resolved_at is not None
    assert not ImportConflict.objects.open().exists()


def test_the_settled_file_imported_again_is_older(conflict, settler, folder):
    settle(conflict, settler, title=Choice.take(), body=Choice.keep(), market_score=Choice.keep())

    result = run_import(folder).results[0]

    assert result.outcome is ImportOutcome.OLDER, result
    assert ImportConflict.objects.count() == 1, "no new conflict is filed"
    assert Policy.objects.get(policy_id="a").version == 3


def test_taking_the_file_for_every_field_leaves_the_record_with_the_files_content(conflict, settler, folder):
    settle(conflict, settler, title=Choice.take(), body=Choice.take(), market_score=Choice.take())

    policy = Policy.objects.get(policy_id="a")
    assert (policy.title, policy.body, policy.market_score) == ("Title from the file", "Body from the file\n", 70)
    assert run_import(folder).results[0].outcome is ImportOutcome.UNCHANGED


def test_written_values_are_read_as_the_change_form_reads_them(folder, settler):
    edit_in_app("a", tags=["app"], pub_date=datetime.date(2024, 1, 1), market_label="App label")
    change_file(
        folder,
        ("  - storage", "  - file"),
        ("year: 2024", "year: 2024\npubDate: '2024-02-02'"),
        ("score: 50", "score: 50\n    label: File label"),
    )
    run_import(folder)
    conflict = ImportConflict.objects.get()
    assert conflict.field_names == ["pub_date", "market_label", "tags"]

    settle(
        conflict,
        settler,
        pub_date=Choice.write("2024-03-03"),
        tags=Choice.write("storage\r\n\r\nmarkets\r\n"),
        market_label=Choice.write("Line one\r\nline two"),
    )

    policy = Policy.objects.get(policy_id="a")
    assert policy.pub_date == datetime.date(2024, 3, 3)
    assert policy.tags == ["storage", "markets"]
    assert policy.market_label == "Line one\nline two"


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("101", "analysis.market.score must be from 0 to 100, not 101"),
        ("a lot", "analysis.market.score must be a whole number, not 'a lot'"),
    ],
)
def test_a_written_value_the_form_or_the_import_would_refuse_is_refused_naming_the_field_and_nothing_is_saved(
    written, message, conflict, settler
):
    before = state()

    with pytest.raises(InvalidChoices) as refused:
        settle(conflict, settler, title=Choice.keep(), body=Choice.keep(), market_score=Choice.write(written))

    assert refused.value.errors == {"market_score": [message]}
    assert state() == before


def test_an_empty_title_is_refused_as_the_import_refuses_it(conflict, settler):
    with pytest.raises(InvalidChoices) as refused:
        settle(conflict, settler, title=Choice.write(""), body=Choice.keep(), market_score=Choice.keep())

    assert list(refused.value.errors) == ["title"]


def test_every_conflicting_field_needs_a_choice_and_only_those(conflict, settler):
    before = state()

    with pytest.raises(InvalidChoices) as refused:
        settle(conflict, settler, title=Choice.keep(), country=Choice.keep())

    assert set(refused.value.errors) == {"body", "market_score", "country"}
    assert state() == before


def test_settling_a_record_changed_since_the_file_was_compared_is_refused_and_nothing_is_saved(conflict, settler):
    edit_in_app("a", scope="National")
    before = state()

    with pytest.raises(StaleConflict) as refused:
        settle(conflict, settler, title=Choice.take(), body=Choice.keep(), market_score=Choice.keep())

    assert str(refused.value) == (
        "The record a changed since a.md was compared with it (version 2; it is now at version 3). Import the file "
        "again to compare it with the record as it is now. Nothing was saved."
    )
    assert state() == before


def test_settling_with_choices_made_on_an_earlier_comparison_is_refused(conflict, settler, folder):
    seen_version = conflict.version
    edit_in_app("a", scope="National")
    run_import(folder)  # the same file, compared anew with version 3: the open conflict is updated
    conflict.refresh_from_db()
    assert conflict.version == 3
    before = state()

    with pytest.raises(StaleConflict) as refused:
        settle_conflict(
            conflict,
            user=settler,
            choices={"title": Choice.keep(), "body": Choice.keep(), "market_score": Choice.keep()},
            expected_version=seen_version,
        )

    assert "compared anew with version 3" in str(refused.value)
    assert state() == before


def test_a_conflict_is_settled_once(conflict, settler):
    settle(conflict, settler, title=Choice.take(), body=Choice.keep(), market_score=Choice.keep())
    before = state()

    with pytest.raises(AlreadySettled) as refused:
        settle(conflict, settler, title=Choice.keep(), body=Choice.keep(), market_score=Choice.keep())

    assert str(refused.value).startswith("The import conflict of a.md was settled already, by Sam Settler on ")
    assert state() == before


@pytest.mark.parametrize(
    "perm_names",
    [
        ("policies.view_policy", "policies.view_importconflict"),
        ("policies.view_policy", "policies.change_importconflict"),
        ("policies.change_policy", "policies.view_importconflict"),
    ],
)
def test_only_someone_who_may_change_policies_and_import_conflicts_settles_one(perm_names, conflict):
    before = state()

    with pytest.raises(PermissionDenied):
        settle(
            conflict,
            make_user("viewer", perm_names=perm_names),
            title=Choice.take(),
            body=Choice.keep(),
            market_score=Choice.keep(),
        )

    assert state() == before


def test_a_verified_record_goes_back_to_review_when_a_conflict_is_settled(folder, settler):
    edit_in_app("a", title="Title from the app")
    reviewer = make_user("reviewer", perm_names=("reviews.review_policy",))
    policy = Policy.objects.get(policy_id="a")
    approve(policy, reviewer)
    change_file(folder, ("title: First", "title: Title from the file"))
    assert run_import(folder).results[0].outcome is ImportOutcome.CONFLICT
    conflict = ImportConflict.objects.get()

    settle(conflict, settler, title=Choice.take())

    policy.refresh_from_db()
    assert (policy.title, policy.state) == ("Title from the file", ReviewState.PENDING)
    event = ReviewEvent.objects.filter(policy=policy).latest("id")
    assert (event.action, event.actor) == (ReviewAction.EDIT, settler)


def test_the_approval_stamp_is_kept_or_taken_never_written(folder, settler):
    reviewer = make_user("reviewer", perm_names=("reviews.review_policy",))
    policy = Policy.objects.get(policy_id="a")
    approve(policy, reviewer)
    change_file(folder, ("tags:", "reviewStatus: draft\ntags:"))
    assert run_import(folder).results[0].outcome is ImportOutcome.CONFLICT
    conflict = ImportConflict.objects.get()
    assert conflict.field_names == ["review_status"]

    with pytest.raises(InvalidChoices) as refused:
        settle(conflict, settler, review_status=Choice.write("verified"))

    assert refused.value.errors == {
        "review_status": [
            "reviewStatus is not edited by hand: the review workflow writes it when a reviewer approves the record"
        ]
    }
    settle(conflict, settler, review_status=Choice.keep())
    assert Policy.objects.get(policy_id="a").review_status == "verified"


def test_keeping_every_value_of_the_record_saves_no_version_and_the_file_is_older(folder, settler):
    edit_in_app("a", title="Title from the app")
    change_file(folder, ("title: First", "title: Title from the file"))
    run_import(folder)
    conflict = ImportConflict.objects.get()
    versions = Policy.history.count()

    settlement = settle(conflict, settler, title=Choice.keep())

    assert settlement.version is None
    assert Policy.history.count() == versions
    conflict.refresh_from_db()
    assert conflict.resolved_by == settler
    assert run_import(folder).results[0].outcome is ImportOutcome.OLDER


def test_a_written_value_is_checked_as_the_import_checks_a_files(folder, settler):
    edit_in_app("a", year=2025)
    change_file(folder, ("year: 2024", "year: 2026"))
    run_import(folder)
    conflict = ImportConflict.objects.get()

    with pytest.raises(InvalidChoices) as refused:
        settle(conflict, settler, year=Choice.write("12"))

    assert refused.value.errors == {"year": ["year must be a four-digit year, not 12"]}
