"""Concurrent writers lose nothing; imports and exports never overlap; an export reads one moment."""

from __future__ import annotations

import threading
import time

import pytest

from policies import locks
from tests.hardening.databases import on_postgresql

pytestmark = pytest.mark.slow

THREADS, ROUNDS = 8, 25


@pytest.mark.skipif(on_postgresql(), reason="SQLite settings")
def test_sqlite_connections_run_in_wal_mode_with_a_busy_timeout_and_immediate_transactions(scenario_db):
    facts = scenario_db.scenario("pragmas")

    assert facts == {
        "journal_mode": "wal",
        "busy_timeout_ms": 20_000,
        "synchronous": 1,
        "transaction_mode": "IMMEDIATE",
    }


def test_eight_threads_reading_then_writing_the_same_records_lose_no_update_and_never_see_a_locked_database(
    scenario_db,
):
    facts = scenario_db.scenario("read_then_write", str(THREADS), str(ROUNDS))

    assert facts["errors"] == []
    writes = THREADS * ROUNDS
    assert facts["tags"] == facts["distinct_tags"] == writes
    assert facts["versions"] == 2 + writes
    assert facts["history_rows"] == 2 + writes


def test_saves_that_rewrite_each_others_warnings_never_deadlock(scenario_db):
    facts = scenario_db.scenario("edit_neighbours", "6", "15")

    assert facts["errors"] == []
    assert facts["versions"] == 6 * (1 + 15)


def test_a_second_import_is_refused_with_a_message_while_one_is_running(scenario_db, tmp_path):
    holder = scenario_db.popen("-m", "tests.hardening.scenarios", "hold_lock", "import", "20")
    try:
        assert holder.stdout.readline().strip() == "held"
        (tmp_path / "one.md").write_text("---\nid: one\ntitle: One\n---\n", encoding="utf-8")

        second = scenario_db.manage("import_policies", str(tmp_path / "one.md"))

        assert second.returncode == 1
        assert "CommandError: Another import is running; nothing was done." in second.stderr
        assert scenario_db.scenario("fingerprint")["policies"] == 0
    finally:
        holder.kill()
        holder.wait()


def test_a_second_export_is_refused_with_a_message_while_one_is_running(scenario_db, tmp_path):
    holder = scenario_db.popen("-m", "tests.hardening.scenarios", "hold_lock", "export", "20")
    try:
        assert holder.stdout.readline().strip() == "held"

        second = scenario_db.manage("export_policies", str(tmp_path / "out"), "--all")

        assert second.returncode == 1
        assert "CommandError: Another export is running; nothing was done." in second.stderr
    finally:
        holder.kill()
        holder.wait()


def test_a_lock_left_by_a_killed_process_is_free_again(scenario_db, tmp_path):
    holder = scenario_db.popen("-m", "tests.hardening.scenarios", "hold_lock", "import", "60")
    assert holder.stdout.readline().strip() == "held"
    holder.kill()
    holder.wait()
    (tmp_path / "one.md").write_text("---\nid: one\ntitle: One\n---\n", encoding="utf-8")

    imported = scenario_db.manage("import_policies", str(tmp_path / "one.md"))

    assert imported.returncode == 0, imported.stderr
    assert scenario_db.scenario("fingerprint")["policies"] == 1


@pytest.mark.django_db(transaction=True)
def test_a_waiting_caller_gets_the_lock_when_its_holder_releases_it():
    held = threading.Event()

    def hold_briefly():
        with locks.exclusive("export"):
            held.set()
            time.sleep(0.5)

    holder = threading.Thread(target=hold_briefly)
    holder.start()
    held.wait(5)
    with pytest.raises(locks.LockBusy), locks.exclusive("export"):
        pass
    with locks.exclusive("export", wait=10):
        assert not holder.is_alive()
    holder.join()


def test_an_export_reads_one_snapshot_while_a_reviewer_approves_without_waiting_for_it(scenario_db, tmp_path):
    facts = scenario_db.scenario("export_while_approving", str(tmp_path / "out"))

    assert "error" not in facts["approval"], facts["approval"]
    assert facts["approval"]["finished_during_export"]
    assert facts["approval"]["seconds"] < 5
    assert facts["approval"]["state"] == "verified"
    # The export had read the record as pending, so it publishes the version verified before it started.
    assert facts["last_title_exported"] == "Published title 4"
