"""A new frontmatter key is one row in `policies/schema.py` and the migration `makemigrations` writes: nothing
else. The test copies the project, adds the row, makes the migration, and runs `new_field_scenario.py` in the
copy, which follows the key through the import, the change form, a diff, the review screen, the API and the export.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.data import ROOT

pytestmark = pytest.mark.slow

ROW_BEFORE = '    Field(("url",), "url", "text", IDENTITY'
NEW_ROW = '    Field(("region",), "region", "text", IDENTITY, _("Region")),\n'


def _run(args: list[str], cwd) -> subprocess.CompletedProcess:
    # SQLite in the copy, whatever the suite runs on: the scenario is about the schema, and a PostgreSQL test
    # database of its own would share its name with the suite's.
    env = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_a_new_key_is_one_schema_row_and_a_migration(tmp_path):
    copy = tmp_path / "desk"
    ignored = shutil.ignore_patterns(".git", ".venv", "node_modules", "__pycache__", "*.sqlite3*", "docs", "bench")
    shutil.copytree(ROOT, copy, ignore=ignored)
    schema_file = copy / "policies" / "schema.py"
    text = schema_file.read_text(encoding="utf-8")
    assert text.count(ROW_BEFORE) == 1
    schema_file.write_text(text.replace(ROW_BEFORE, NEW_ROW + ROW_BEFORE), encoding="utf-8")

    made = _run(["manage.py", "makemigrations", "policies", "--name", "region", "--settings", "tests.settings"], copy)
    assert made.returncode == 0, made.stdout + made.stderr
    assert "Add field region to policy" in made.stdout

    scenario = _run(["-m", "pytest", "-p", "no:cacheprovider", "-q", "tests/schema/new_field_scenario.py"], copy)
    assert scenario.returncode == 0, scenario.stdout[-4000:] + scenario.stderr[-2000:]
    assert "\n7 passed" in scenario.stdout
