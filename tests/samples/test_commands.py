import os

import pytest
from django.core.management import CommandError, call_command


def test_command_writes_the_records_and_says_where(tmp_path, capsys):
    call_command("generate_sample_policies", str(tmp_path / "new"), count=7, seed=2)
    assert len(list((tmp_path / "new").glob("*.md"))) == 7
    assert "7 sample policies (seed 2)" in capsys.readouterr().out


@pytest.mark.parametrize("count", [0, -3])
def test_command_rejects_a_count_below_one(tmp_path, count):
    with pytest.raises(CommandError, match=f"--count must be at least 1, not {count}"):
        call_command("generate_sample_policies", str(tmp_path), count=count)
    assert not list(tmp_path.iterdir())


def test_command_rejects_a_count_that_is_not_a_number(tmp_path):
    with pytest.raises(CommandError, match="invalid int value: 'many'"):
        call_command("generate_sample_policies", str(tmp_path), "--count", "many")


def test_command_rejects_an_out_dir_that_is_a_file(tmp_path):
    target = tmp_path / "policies.md"
    target.write_text("", encoding="utf-8")
    with pytest.raises(CommandError, match=r"OUT_DIR .*policies\.md is not a directory"):
        call_command("generate_sample_policies", str(target), count=1)


def test_command_rejects_an_out_dir_it_cannot_create(tmp_path):
    (tmp_path / "file").write_text("", encoding="utf-8")
    with pytest.raises(CommandError, match=r"Cannot write to .*file/sub: Not a directory"):
        call_command("generate_sample_policies", str(tmp_path / "file" / "sub"), count=1)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write to any directory")
def test_command_rejects_an_out_dir_that_is_not_writable(tmp_path):
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(CommandError, match=r"Cannot write to .*: Permission denied"):
            call_command("generate_sample_policies", str(tmp_path), count=1)
    finally:
        tmp_path.chmod(0o700)


def test_command_refuses_to_overwrite_a_changed_file_without_force(tmp_path):
    call_command("generate_sample_policies", str(tmp_path), count=3, seed=1)
    edited = sorted(tmp_path.iterdir())[0]
    edited.write_text("mine\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"1 file\(s\) in .* already exist with different contents .*--force"):
        call_command("generate_sample_policies", str(tmp_path), count=3, seed=1)
    call_command("generate_sample_policies", str(tmp_path), count=3, seed=1, force=True)
    assert edited.read_text(encoding="utf-8") != "mine\n"
