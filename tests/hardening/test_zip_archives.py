"""Zip archives are read member by member, and every dangerous member is refused by name."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

from policies.models import Policy
from policies.transfer import sources
from policies.transfer.importing import ImportOutcome
from tests.data import ROOT
from tests.factories import run_import

pytestmark = pytest.mark.django_db

GOOD = "---\nid: good\ntitle: Good\n---\n"


def archive(*members: tuple[str | zipfile.ZipInfo, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, text in members:
            zf.writestr(name, text)
    return buffer.getvalue()


def import_archive(data: bytes, tmp_path: Path):
    path = tmp_path / "upload.zip"
    path.write_bytes(data)
    return run_import(path)


def refusals(report) -> dict[str, str]:
    return {r.name: r.message for r in report.results if r.outcome is ImportOutcome.REJECTED}


def symlink(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (0o120777 << 16) | 0x20
    return info


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        ("../escape.md", "has a path that leaves the archive ('..')"),
        ("docs/../../escape.md", "has a path that leaves the archive ('..')"),
        ("/etc/escape.md", "has an absolute path"),
        ("C:/escape.md", "has a Windows path (backslash or drive letter)"),
        ("c:escape.md", "has a Windows path (backslash or drive letter)"),
        ("docs\\escape.md", "has a Windows path (backslash or drive letter)"),
    ],
)
def test_a_member_whose_path_would_leave_the_archive_is_refused_by_name(member, reason, tmp_path):
    report = import_archive(archive((member, "---\nid: bad\n---\n"), ("good.md", GOOD)), tmp_path)

    assert refusals(report) == {f"upload.zip:{member}": reason}
    assert list(Policy.objects.values_list("policy_id", flat=True)) == ["good"]


@pytest.mark.parametrize(
    ("member", "character"),
    [
        ("line\nbreak.md", "'\\n', U+000A"),
        ("final-line-break.md\n", "'\\n', U+000A"),
        ("carriage\rreturn.md", "'\\r', U+000D"),
        ("tab\t.md", "'\\t', U+0009"),
        ("escape\x1b.md", "'\\x1b', U+001B"),
        ("line\u2028separator.md", "'\\u2028', U+2028"),
    ],
)
def test_a_member_whose_name_holds_a_control_character_is_refused_by_name(member, character, tmp_path):
    # Its name is where the export would write the record again.
    report = import_archive(archive((member, "---\nid: bad\ntitle: T\n---\n"), ("good.md", GOOD)), tmp_path)
    assert refusals(report) == {f"upload.zip:{member}": f"has a control character in its name ({character})"}
    assert list(Policy.objects.values_list("policy_id", flat=True)) == ["good"]


def test_a_symbolic_link_member_is_refused_by_name(tmp_path):
    report = import_archive(archive((symlink("link.md"), "/etc/passwd"), ("good.md", GOOD)), tmp_path)

    assert refusals(report) == {"upload.zip:link.md": "is a symbolic link"}
    assert Policy.objects.count() == 1


@pytest.mark.parametrize("second", ["good.md", "GOOD.md"])
@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_a_member_that_appears_twice_is_refused_by_name(second, tmp_path):
    report = import_archive(archive(("good.md", GOOD), (second, GOOD.replace("good", "other"))), tmp_path)

    assert refusals(report) == {f"upload.zip:{second}": "appears twice in the archive"}
    assert list(Policy.objects.values_list("policy_id", flat=True)) == ["good"]


def test_an_archive_with_too_many_entries_is_refused_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "ZIP_MAX_MEMBERS", 3)

    report = import_archive(archive(*((f"p{n}.md", GOOD.replace("good", f"p{n}")) for n in range(4))), tmp_path)

    assert refusals(report) == {"upload.zip": "has 4 entries, more than the limit of 3"}
    assert Policy.objects.count() == 0


def test_an_archive_that_would_inflate_beyond_the_limit_is_refused_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "ZIP_MAX_TOTAL_BYTES", 1000)

    report = import_archive(archive(("big.md", GOOD + "x" * 2000)), tmp_path)

    assert refusals(report) == {"upload.zip": "would inflate to 2,029 bytes, over the limit of 1,000"}


def lie_about_size(data: bytes, declared: int) -> bytes:
    """The archive with its (only) member's uncompressed size replaced, in both headers."""
    patched = bytearray(data)
    struct.pack_into("<I", patched, patched.find(b"PK\x03\x04") + 22, declared)
    struct.pack_into("<I", patched, patched.find(b"PK\x01\x02") + 24, declared)
    return bytes(patched)


def test_a_member_that_inflates_beyond_its_declared_size_is_refused_by_name(tmp_path):
    text = GOOD + "x" * 100_000

    report = import_archive(lie_about_size(archive(("liar.md", text)), 40), tmp_path)

    assert list(refusals(report)) == ["upload.zip:liar.md"]
    assert "holds more than the 40 bytes it declares" in refusals(report)["upload.zip:liar.md"]
    assert Policy.objects.count() == 0


def test_a_member_that_holds_less_than_its_declared_size_is_refused_by_name(tmp_path):
    report = import_archive(lie_about_size(archive(("liar.md", GOOD)), 1000), tmp_path)

    assert refusals(report) == {"upload.zip:liar.md": "cannot be read: declares 1,000 bytes but holds 29"}


def test_archives_are_never_extracted_to_disk(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("extract/extractall must not be used")

    monkeypatch.setattr(zipfile.ZipFile, "extractall", refuse)
    monkeypatch.setattr(zipfile.ZipFile, "extract", refuse)

    report = import_archive(archive(("good.md", GOOD)), tmp_path)

    assert report.counts[ImportOutcome.CREATED] == 1
    assert not any("extractall(" in path.read_text() for path in (ROOT / "policies").rglob("*.py"))
