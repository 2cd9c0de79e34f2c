"""A backup restores every record and every history row."""

from __future__ import annotations

import pytest

from tests.data import ROOT

pytestmark = pytest.mark.slow


def test_a_backup_restored_into_an_empty_database_holds_every_record_and_every_history_row(
    scenario_db, other_scenario_db, tmp_path
):
    scenario_db.scenario("import_folder", str(ROOT / "examples" / "policies"))
    scenario_db.scenario("edit_bodies", "\nEdited once.\n")
    scenario_db.scenario("export_while_approving", str(tmp_path / "out"))
    original = scenario_db.scenario("fingerprint")
    assert original["policies"] > 40 and original["history_rows"] > 2 * original["policies"]

    backup = scenario_db.manage("backup_database", str(tmp_path / "backups"))
    assert backup.returncode == 0, backup.stderr
    backup_file = backup.stdout.strip().splitlines()[-1]
    scenario_db.scenario("edit_bodies", "\nEdited after the backup.\n")

    restored = other_scenario_db.manage("restore_database", backup_file, "--no-input")
    assert restored.returncode == 0, restored.stderr

    assert other_scenario_db.scenario("fingerprint") == original
