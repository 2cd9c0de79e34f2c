"""The rules of the code's layout, checked: what may import what."""

import ast

from tests.data import ROOT

APPS = ("policies", "reviews", "accounts", "api")
PROJECT_PACKAGES = {*APPS, "samples", "config", "bench", "tests"}


def _project(name: str) -> bool:
    return name.split(".")[0] in PROJECT_PACKAGES


def live_code_used_by_migration(path) -> list[str]:
    """What a migration takes from the project's code, other than field validators.

    Django writes a field's validators into its migrations by reference; migrations never run them. Anything else
    (a function, a constant, SQL built by live code) would change what an old migration does when the code does.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    used = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level and _project(node.module):
            used.append(node.module)
        elif isinstance(node, ast.Import):
            used.extend(alias.name for alias in node.names if _project(alias.name))
        elif isinstance(node, ast.Attribute) and not node.attr.startswith("validate_"):
            root = node
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and _project(root.id):
                used.append(ast.unparse(node))
    return [name for name in used if not (name.endswith(".models") and _imported_for_validators(tree, name))]


def _imported_for_validators(tree: ast.Module, module: str) -> bool:
    uses = [node for node in ast.walk(tree) if isinstance(node, ast.Attribute) and ast.unparse(node.value) == module]
    return all(node.attr.startswith("validate_") for node in uses)


def test_no_migration_uses_the_projects_live_code():
    offenders = {
        str(path.relative_to(ROOT)): live_code_used_by_migration(path)
        for app in APPS
        for path in sorted((ROOT / app / "migrations").glob("*.py"))
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def imported_modules(path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return names


def test_the_desk_never_imports_the_sample_generator():
    # samples/ is a development tool: the desk must run, and mean the same, without it.
    importers = {
        str(path.relative_to(ROOT)): names
        for package in (*APPS, "config")
        for path in sorted((ROOT / package).rglob("*.py"))
        if (names := [name for name in imported_modules(path) if name.split(".")[0] == "samples"])
    }
    assert importers == {}


def test_nothing_listens_to_a_records_saves_or_deletions():
    # Everything a save does is in `policies.saving.save_record`, in plain code, in the order it runs.
    from django.db.models import signals

    from policies.models import Policy

    listened = [
        name
        for name in ("pre_save", "post_save", "pre_delete", "post_delete", "m2m_changed")
        if getattr(signals, name).has_listeners(Policy)
    ]
    assert listened == []
