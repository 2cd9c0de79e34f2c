"""Killed imports and exports, full disks and forbidden folders damage nothing."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys

import pytest

from policies.transfer import exporting
from policies.transfer.exporting import ExportOutcome, export_to_folder
from tests.data import ROOT
from tests.factories import run_import

pytestmark = pytest.mark.slow

COUNT = 60


def kill_when(process, line: str) -> None:
    """SIGKILL the process as soon as it prints `line` (it is then in the middle of that file)."""
    for printed in process.stdout:
        if printed.strip() == line:
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, "the scenario finished before it could be killed"


def test_an_import_killed_midway_leaves_every_record_as_before_or_after_its_file(scenario_db, tmp_path):
    old, new = str(tmp_path / "old"), str(tmp_path / "new")
    scenario_db.scenario("write_collection", old, "250", "2", "A")
    scenario_db.scenario("write_collection", new, "250", "2", "B")
    scenario_db.scenario("import_folder", old)

    importing = scenario_db.popen("-m", "tests.hardening.scenarios", "import_folder", new)
    kill_when(importing, "importing scenario-0180.md")

    states = scenario_db.scenario("check_records", old, new)["records"]
    assert set(states.values()) <= {"A", "B"}, {k: v for k, v in states.items() if v not in "AB"}
    assert "A" in states.values()


def test_an_import_killed_midway_leaves_what_it_stored_with_its_warnings_and_the_start_up_completes_them(
    scenario_db, tmp_path
):
    folder = str(tmp_path / "drafts")
    scenario_db.scenario("write_collection", folder, "250", "2", "A")
    importing = scenario_db.popen("-m", "tests.hardening.scenarios", "import_folder", folder)
    kill_when(importing, "importing scenario-0180.md")

    after_kill = scenario_db.scenario("stored_warnings")
    # Every stored draft is the seed under another id: each claims a verification that no person made.
    assert after_kill["warnings"] and after_kill["owed"]
    assert all(["reviewStatus", "unreviewed_verification"] in found for found in after_kill["warnings"].values())

    settling = scenario_db.manage("check_policies", "--if-owed")
    assert "Checked the collection an interrupted import left unchecked." in settling.stdout, settling.stderr

    settled = scenario_db.scenario("stored_warnings")
    assert not settled["owed"]
    assert settled["warnings"] == scenario_db.scenario("full_check")["warnings"]
    assert any(["analysis.market.evidence", "copied_text"] in found for found in settled["warnings"].values())


def test_an_export_killed_midway_leaves_every_file_whole_and_the_next_run_cleans_up(scenario_db, tmp_path):
    source, out, reference = tmp_path / "source", tmp_path / "out", tmp_path / "reference"
    scenario_db.scenario("write_collection", str(source), str(COUNT), "32", "A")
    scenario_db.scenario("import_folder", str(source))
    scenario_db.scenario("export_folder", str(out))
    scenario_db.scenario("edit_bodies", "\nEdited after the first export.\n")

    exporting_run = scenario_db.popen("-m", "tests.hardening.scenarios", "export_folder", str(out))
    kill_when(exporting_run, "exporting scenario-0030.md")
    scenario_db.scenario("export_folder", str(reference))

    versions = {}
    for path in sorted(out.glob("*.md")):
        data = path.read_bytes()
        versions[path.name] = (
            "old"
            if data == (source / path.name).read_bytes()
            else "new"
            if data == (reference / path.name).read_bytes()
            else "torn"
        )
    assert set(versions.values()) == {"old", "new"}, versions
    assert len(versions) == COUNT

    scenario_db.scenario("export_folder", str(out))

    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in reference.iterdir())
    assert all(p.read_bytes() == (reference / p.name).read_bytes() for p in out.iterdir())


@pytest.mark.django_db(transaction=True)
def test_an_export_removes_temporary_files_left_by_a_killed_run_and_nothing_else(tmp_path, seed_text):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "seed.md").write_text(seed_text, encoding="utf-8")
    run_import(tmp_path / "in")
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    stale = [out / ".seed.md.k2j_9x0a.tmp", out / "sub" / ".other.md.abcdefgh.tmp"]
    # The last one is the export's name but for a final line break: the name is matched whole.
    kept = [
        out / ".notes.tmp",
        out / "notes.txt",
        out / "sub" / "keep.md.abcdefgh.tmp",
        out / ".seed.md.abcdefgh.tmp\n",
    ]
    for path in stale + kept:
        path.write_text("partial", encoding="utf-8")

    export_to_folder(out, all_records=True)

    assert not any(path.exists() for path in stale)
    assert all(path.exists() for path in kept)


@pytest.mark.django_db(transaction=True)
def test_a_full_disk_during_export_names_the_file_and_damages_nothing(tmp_path, seed_text, monkeypatch):
    source = tmp_path / "in"
    source.mkdir()
    for name in ("a", "b", "c"):
        text = seed_text.replace("id: intl-paris-art-6-4-ccs", f"id: {name}", 1)
        (source / f"{name}.md").write_text(text, encoding="utf-8")
    run_import(source)
    out = tmp_path / "out"
    out.mkdir()
    (out / "b.md").write_text("the old b", encoding="utf-8")
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if os.readlink(f"/proc/self/fd/{fd}").startswith(str(out / ".b.md.")):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(exporting.os, "fsync", fsync)

    report = export_to_folder(out, all_records=True)

    failed = [r for r in report.results if r.outcome is ExportOutcome.FAILED]
    assert [(r.path, r.message) for r in failed] == [("b.md", "could not be written: No space left on device")]
    assert (out / "b.md").read_text(encoding="utf-8") == "the old b"
    assert (out / "a.md").read_bytes() == (source / "a.md").read_bytes()
    assert (out / "c.md").read_bytes() == (source / "c.md").read_bytes()
    assert sorted(p.name for p in out.iterdir()) == ["a.md", "b.md", "c.md"]


@pytest.mark.skipif(shutil.which("setpriv") is None or os.geteuid() != 0, reason="needs root and setpriv")
def test_an_export_into_a_folder_it_may_not_write_names_the_file_and_damages_nothing(scenario_db, tmp_path):
    source, out = tmp_path / "source", tmp_path / "out"
    scenario_db.scenario("write_collection", str(source), "2", "1", "A")
    scenario_db.scenario("import_folder", str(source))
    out.mkdir()
    (out / "scenario-0001.md").write_text("the old file", encoding="utf-8")
    out.chmod(0o555)
    try:
        # Root writes anywhere; without the capability to override file permissions it is refused like anyone.
        done = subprocess.run(
            [
                *(
                    "setpriv",
                    "--inh-caps=-dac_override,-dac_read_search",
                    "--bounding-set=-dac_override,-dac_read_search",
                ),
                *(sys.executable, "manage.py", "export_policies", str(out), "--all"),
            ],
            cwd=ROOT,
            env=scenario_db.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        out.chmod(0o755)

    assert done.returncode == 1, done.stderr
    assert "failed: scenario-0000.md: could not be written: Permission denied" in done.stdout
    assert "failed: scenario-0001.md: could not be written: Permission denied" in done.stdout
    assert (out / "scenario-0001.md").read_text(encoding="utf-8") == "the old file"
    assert sorted(p.name for p in out.iterdir()) == ["scenario-0001.md"]
