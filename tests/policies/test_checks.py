import datetime
import io
import random

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from policies import checks, saving
from policies.filetext import render_policy
from policies.models import Policy, PolicyWarning
from tests.factories import make_user, run_import
from tests.snapshots import stored_warnings

pytestmark = pytest.mark.django_db

EVIDENCE = "Mandatory buffer pools and a fifteen-year crediting period manage reversal risk."
LONG_LABEL = "Multilateral CCUS Finance Facility"


def record(policy_id: str, **values) -> Policy:
    policy = Policy(policy_id=policy_id, title=policy_id.upper(), **values)
    policy.save_as(user=None, reason="Test")
    return policy


def codes(policy_id: str) -> list[tuple[str, str]]:
    """The stored warnings of a record: (field, code)."""
    return list(PolicyWarning.objects.filter(policy__policy_id=policy_id).values_list("field", "code"))


def check(**values) -> list[tuple[str, str]]:
    return [(w.field, w.code) for w in checks.check_values({"policy_id": "a", **values})]


def test_a_verification_without_a_human_reviewer_is_flagged():
    assert check(review_status="verified", provenance_reviewer="Human Audit Pending") == [
        ("reviewStatus", "unreviewed_verification")
    ]
    assert check(review_status="verified", provenance_reviewer="") == [("reviewStatus", "unreviewed_verification")]
    assert check(review_status="verified", provenance_reviewer="Rita Reviewer") == []


def test_a_year_that_disagrees_with_pubdate_is_flagged():
    assert check(year=2023, pub_date=datetime.date(2024, 10, 1)) == [("year", "year_mismatch")]
    assert check(year=2024, pub_date=datetime.date(2024, 10, 1)) == []
    assert check(year=2024, pub_date=None) == []


def test_a_scored_dimension_without_a_citation_is_flagged():
    assert check(mrv_score=80, mrv_citation=" ") == [("analysis.mrv.citation", "missing_citation")]
    assert check(mrv_score=0, mrv_citation="") == [("analysis.mrv.citation", "missing_citation")]
    assert check(mrv_score=80, mrv_citation="Decision 18/CMA.1") == []
    assert check(mrv_score=None, mrv_citation="") == []


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/a", "www.example.org", "file:///etc/passwd"])
def test_a_url_that_is_not_http_is_flagged(url):
    assert check(url=url) == [("url", "url_not_http")]


@pytest.mark.parametrize("url", ["https://unfccc.int/a", "http://example.org", "HTTPS://EXAMPLE.ORG", ""])
def test_http_urls_and_no_url_are_fine(url):
    assert check(url=url) == []


def test_repeated_facility_ids_are_flagged():
    [warning] = checks.check_values({"related_facilities": ["1", "10", "1", "10", "2"]})
    assert (warning.field, warning.code) == ("relatedFacilities", "duplicate_facility")
    assert "'1', '10' more than once" in warning.message
    assert check(related_facilities=["1", "10", "100"]) == []


def test_facility_ids_of_an_unexpected_form_are_flagged():
    [warning] = checks.check_values({"related_facilities": ["1", "1103-2", "F-12", "12-", " 7", "1-2-3"]})
    assert (warning.field, warning.code) == ("relatedFacilities", "facility_form")
    assert "'F-12', '12-', ' 7', '1-2-3'" in warning.message
    assert check(related_facilities=["1", "1103-2", "10"]) == []


def test_supersedes_naming_an_id_outside_the_collection_is_flagged_until_it_arrives():
    record("new", supersedes=["old", "older"])
    assert codes("new") == [("evolution.supersedes", "unknown_supersedes")]
    assert "names 'old', 'older', not in the collection" in PolicyWarning.objects.get().message
    record("old")
    record("older")
    assert codes("new") == []


def test_a_cycle_of_supersedes_is_flagged_on_every_record_in_it_and_cleared_when_broken():
    record("a", supersedes=["b"])
    record("c", supersedes=["a"])
    b = record("b", supersedes=["c"])
    assert codes("a") == codes("b") == codes("c") == [("evolution.supersedes", "supersedes_cycle")]
    assert PolicyWarning.objects.get(policy__policy_id="a").message.endswith("a → b → c → a")
    b.supersedes = []
    b.save_as(user=None, reason="Break the cycle")
    assert codes("a") == codes("b") == codes("c") == []


def test_a_record_superseding_itself_is_a_cycle():
    record("a", supersedes=["a"])
    assert codes("a") == [("evolution.supersedes", "supersedes_cycle")]
    record("b", supersedes=["a"])
    assert codes("b") == []


def test_evidence_and_labels_copied_verbatim_across_records_are_flagged_on_both():
    record("a", mrv_evidence=EVIDENCE, market_label=LONG_LABEL)
    record("b", statutory_evidence=EVIDENCE)
    assert codes("a") == [("analysis.mrv.evidence", "copied_text")]
    assert codes("b") == [("analysis.statutory.evidence", "copied_text")]
    record("c", incentive_label=LONG_LABEL)
    assert ("analysis.market.label", "copied_text") in codes("a") and codes("c") == [
        ("analysis.incentive.label", "copied_text")
    ]
    assert PolicyWarning.objects.get(policy__policy_id="b").message == "is copied word for word in a"


def test_changing_the_copy_clears_the_warning_of_the_record_it_was_copied_from():
    record("a", mrv_evidence=EVIDENCE)
    b = record("b", mrv_evidence=EVIDENCE)
    b.mrv_evidence = EVIDENCE + " Revised by an editor."
    b.save_as(user=None, reason="Own words")
    assert codes("a") == codes("b") == []


def test_empty_and_short_texts_shared_across_records_are_not_flagged():
    for policy_id in ("a", "b"):
        record(policy_id, market_label="Tax credit", mrv_label="税收抵免", mrv_evidence="", strategic_label="  ")
    assert codes("a") == codes("b") == []


def test_cjk_texts_count_double_toward_the_minimum_length():
    text = "引入了强制性的风险缓冲池与动态计入期"  # 18 characters, 36 columns
    record("a", mrv_evidence=text)
    record("b", mrv_evidence=text)
    assert codes("a") == [("analysis.mrv.evidence", "copied_text")]


def test_deleting_a_record_refreshes_the_records_compared_with_it():
    record("a", mrv_evidence=EVIDENCE)
    record("b", mrv_evidence=EVIDENCE, supersedes=["a"])
    saving.delete_records([Policy.objects.get(policy_id="a")], user=None, reason="Test")
    assert codes("b") == [("evolution.supersedes", "unknown_supersedes")]


def test_saving_updates_the_stored_warnings_the_same_way_a_full_recheck_does():
    record("a", mrv_evidence=EVIDENCE, supersedes=["b", "gone"], url="ftp://x", related_facilities=["1", "1"])
    record("b", mrv_evidence=EVIDENCE, supersedes=["a"])
    c = record("c", mrv_evidence=EVIDENCE)
    c.mrv_evidence = "Different"
    c.save_as(user=None, reason="Edit")
    stored = stored_warnings()
    checks.refresh_collection()
    assert stored_warnings() == stored


def test_renaming_a_record_on_a_cycle_clears_the_cycle_on_the_others():
    record("a", supersedes=["b"])
    record("c", supersedes=["a"])
    b = record("b", supersedes=["c"])
    b.policy_id = "b2"
    b.save_as(user=None, reason="Renamed")
    assert codes("a") == [("evolution.supersedes", "unknown_supersedes")]
    assert codes("b2") == codes("c") == []


@pytest.mark.slow
def test_any_sequence_of_saves_renames_and_deletions_leaves_the_warnings_a_full_recheck_gives():
    # Saves rewrite only the warnings they can affect; a full recheck rewrites all. They must always agree.
    shuffle = random.Random(6)
    ids = ["a", "b", "c", "d", "e", "f"]
    for step in range(60):
        policy_id = shuffle.choice(ids)
        policy = Policy.objects.filter(policy_id=policy_id).first()
        if policy is not None and shuffle.random() < 0.15:
            saving.delete_records([policy], user=None, reason="Test")
        else:
            policy = policy or Policy(policy_id=policy_id, title=policy_id)
            if policy.pk and shuffle.random() < 0.15:
                policy.policy_id = f"{policy_id}-{step}"
                ids.append(policy.policy_id)
            policy.supersedes = shuffle.sample(ids, shuffle.choice([0, 1, 1, 2]))
            policy.mrv_evidence = shuffle.choice(["", EVIDENCE, EVIDENCE + " Revised."])
            policy.save_as(user=None, reason=f"step {step}")
        stored = stored_warnings()
        checks.refresh_collection()
        assert stored_warnings() == stored, f"after step {step}"


def test_a_full_recheck_names_the_first_three_others_and_counts_the_rest_as_a_save_does():
    for n in range(6):
        record(f"r{n}", mrv_evidence=EVIDENCE, market_label=LONG_LABEL if n < 2 else "", supersedes=[f"r{n + 1}"])
    record("r6", statutory_evidence="x" * 11, incentive_evidence="x" * 11)
    stored = sorted(PolicyWarning.objects.values_list("policy__policy_id", "field", "code", "message"))
    found = checks.refresh_collection()
    assert sorted(PolicyWarning.objects.values_list("policy__policy_id", "field", "code", "message")) == stored
    assert PolicyWarning.objects.get(policy__policy_id="r2", code="copied_text").message == (
        "is copied word for word in r0, r1, r3 and 2 more"
    )
    assert [w.code for w in found["r0"]] == ["copied_text", "copied_text"] and found["r6"] == []


def test_warnings_noted_for_a_version_are_used_only_while_the_record_is_at_that_version():
    with checks.deferred_refresh():
        kept = record("kept", url="ftp://kept")
        checks.note_checked(kept, [checks.Finding("url", "noted by the saver", "url_not_http")])
        edited = record("edited")
        checks.note_checked(edited, [])
        edited.url = "ftp://edited"
        edited.save_as(user=None, reason="Edit")
    assert list(PolicyWarning.objects.filter(policy=kept).values_list("message", flat=True)) == ["noted by the saver"]
    assert codes("edited") == [("url", "url_not_http")]


def test_the_warnings_are_not_part_of_the_records_history():
    policy = record("a", url="ftp://x")
    assert policy.warnings.count() == 1
    assert policy.history.count() == 1 and policy.version == 1


def test_an_import_checks_the_whole_collection_once(tmp_path):
    (tmp_path / "a.md").write_text("---\nid: a\ntitle: A\nevolution:\n  supersedes: [b]\n---\n")
    (tmp_path / "b.md").write_text("---\nid: b\ntitle: B\nurl: ftp://b\n---\n")
    run_import(tmp_path)
    assert codes("a") == []
    assert codes("b") == [("url", "url_not_http")]


def test_the_list_filters_on_warnings_and_shows_how_many(client, viewer):
    record("clean", url="https://example.org")
    record("flagged", url="ftp://x", year=2020, pub_date=datetime.date(2021, 1, 1))
    url = reverse("admin:policies_policy_changelist")
    listed = lambda **query: [p.policy_id for p in client.get(url, query).context["cl"].result_list]  # noqa: E731
    assert listed(has_warnings="yes") == ["flagged"]
    assert listed(has_warnings="no") == ["clean"]
    assert listed() == ["clean", "flagged"]
    html = client.get(url).content.decode()
    assert 'class="policy-warning-count"' in html and "⚠ 2" in html
    assert "url: &#x27;ftp://x&#x27; is not an http(s) address" in html
    assert "has_warnings=yes" in html


def test_the_warnings_filter_does_not_run_the_checks(client, viewer, django_assert_max_num_queries, monkeypatch):
    for n in range(30):
        record(f"r{n:02}", url="ftp://x" if n % 2 else "")
    monkeypatch.setattr(checks, "check_values", lambda values: pytest.fail("checked while listing"))
    client.get(reverse("admin:index"))  # the session's first page also reads the viewer's language choice
    with django_assert_max_num_queries(10):
        response = client.get(reverse("admin:policies_policy_changelist"), {"has_warnings": "yes"})
    assert len(response.context["cl"].result_list) == 15


def test_the_change_form_and_review_screen_show_the_warnings(client):
    policy = record("a", url="ftp://x")
    client.force_login(make_user("root", is_superuser=True))
    for name in ("admin:policies_policy_change", "admin:policies_policy_review"):
        html = client.get(reverse(name, args=[policy.pk])).content.decode()
        assert 'data-field="url"' in html and "is not an http(s) address" in html


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("check_policies", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return out.getvalue(), err.getvalue(), exit_.code
    return out.getvalue(), err.getvalue(), 0


def test_the_command_prints_one_line_per_warning_with_id_and_field_and_exits_1():
    record("a", url="ftp://x", mrv_score=50)
    record("b", url="https://example.org")
    PolicyWarning.objects.all().delete()
    out, err, status = run()
    assert status == 1
    assert out.splitlines() == [
        "a: url: 'ftp://x' is not an http(s) address",
        "a: analysis.mrv.citation: is empty, but the MRV dimension is scored",
    ]
    assert "2 warnings in 1 of 2 records checked." in err
    assert PolicyWarning.objects.count() == 2


def test_a_value_kept_as_written_is_a_problem_the_command_prints_with_its_line_and_column():
    policy = record("a", market_score=None, invalid="analysis.market.score: 85.5\n")
    text = render_policy(policy).text
    line = text[: text.index("score: 85.5")].count("\n") + 1
    PolicyWarning.objects.all().delete()
    out, err, status = run()
    assert status == 1
    assert out.splitlines() == [
        f"a: analysis.market.score: must be a whole number, not the number 85.5 (line {line}, column 12; needs fixing)"
    ]
    assert "1 warning in 1 of 1 records checked; 1 needs fixing." in err
    stored = PolicyWarning.objects.get()
    assert (stored.blocking, stored.line, stored.column) == (True, line, 12)


def test_the_command_exits_0_when_nothing_is_wrong():
    record("b", url="https://example.org")
    assert run() == ("", "0 warnings in 0 of 1 records checked.\n", 0)


def test_the_command_checks_one_record_by_id_against_the_collection():
    record("a", url="ftp://x")
    record("b", supersedes=["a", "z"])
    out, _, status = run("--id", "b")
    assert status == 1 and out == "b: evolution.supersedes: names 'z', not in the collection\n"
    with pytest.raises(CommandError, match="No record with the id 'nope'") as refused:
        run("--id", "nope")
    assert refused.value.returncode == 2


def test_the_command_explains_itself(capsys):
    with pytest.raises(SystemExit):
        call_command("check_policies", "--help")
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--id ID" in help_text and "Exits 1 if there is any warning" in help_text
