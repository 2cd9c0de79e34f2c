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


def test_each_model_admin_is_registered_once_and_never_replaced():
    # One `Policy` admin, registered where it is complete (`reviews.admin`), not registered and then swapped.
    from django.apps import apps
    from django.contrib import admin

    from policies.models import Policy
    from reviews.admin import ReviewPolicyAdmin

    ours = {model.__name__ for app in APPS for model in apps.get_app_config(app).get_models()}
    unregistered = [
        f"{path.relative_to(ROOT)}: {ast.unparse(node)}"
        for package in (*APPS, "config")
        for path in sorted((ROOT / package).rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "unregister"
        and any(isinstance(arg, ast.Name) and arg.id in ours for arg in node.args)
    ]
    # Django's own User and Group, and knox's tokens, are replaced by admins of ours: that is what unregister is for.
    assert unregistered == []
    assert type(admin.site._registry[Policy]) is ReviewPolicyAdmin


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


# The import graph of the desk's code (not its tests or migrations): module -> the project modules it imports,
# function-local imports included.
DESK = ("policies", "reviews", "api", "accounts", "config", "samples")


def _module_name(path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    paths = [
        path
        for package in DESK
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts and "tests" not in path.parts
    ]
    modules = {_module_name(path): path for path in paths}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base]).strip(".")
                found.add(base)
                found.update(f"{base}.{alias.name}" for alias in node.names)
        graph[name] = {target for target in found if target in modules and target != name}
    return graph


def _in(module: str, *packages: str) -> bool:
    return any(module == package or module.startswith(package + ".") for package in packages)


DOORS = (
    "policies.admin",
    "policies.forms",
    "policies.management",
    "reviews.views",
    "reviews.admin",
    "accounts.admin",
    "accounts.forms",
    "api",
)
# The edges ARCHITECTURE.md lists as known exceptions, to be removed; no other may appear.
KNOWN_EXCEPTIONS = {
    ("policies.models", "policies.saving"),
}


# The store, as ARCHITECTURE.md draws it: records, their rules, their files' text and the database's plumbing.
STORE = (
    "policies.models",
    "policies.records",
    "policies.saving",
    "policies.checks",
    "policies.editing",
    "policies.diffing",
    "policies.rendering",
    "policies.search",
    "policies.countries",
    "policies.wording",
    "policies.filetext",
    "policies.locks",
)


def _is_door(module: str) -> bool:
    return _in(module, *DOORS) or ".management" in module


def broken_rules(graph: dict[str, set[str]]) -> list[tuple[str, str, str]]:
    broken = []
    for module, targets in graph.items():
        for target in sorted(targets):
            edge = (module, target)
            if edge in KNOWN_EXCEPTIONS:
                continue
            if _in(module, "policies.codec") and not _in(target, "policies.codec"):
                broken.append((*edge, "the codec imports nothing of the project"))
            if module == "policies.schema":
                broken.append((*edge, "the schema imports nothing of the project"))
            if _in(module, "policies") and _in(target, "reviews", "api", "accounts", "samples"):
                broken.append((*edge, "policies never imports the other apps"))
            if _in(module, "reviews") and _in(target, "api", "accounts", "samples"):
                broken.append((*edge, "reviews never imports api, accounts or samples"))
            if not _in(module, "samples") and _in(target, "samples"):
                broken.append((*edge, "the desk never imports the sample generator"))
            if not _is_door(module) and not _in(module, "config") and _is_door(target):
                broken.append((*edge, "nothing below the doors imports them"))
            if _in(module, *STORE) and _in(target, "policies.transfer"):
                broken.append((*edge, "the store does not import the transfer, which builds on it"))
            if _in(module, "policies.models", "policies.records", "policies.schema", "policies.saving") and _in(
                target, "policies.editing"
            ):
                broken.append((*edge, "the store's base does not import the edit rules"))
    return broken


def test_the_layers_of_architecture_md_hold():
    assert broken_rules(import_graph()) == []


def test_the_known_exceptions_still_exist_so_the_list_shrinks_as_they_are_fixed():
    graph = import_graph()
    assert {(module, target) for module, target in KNOWN_EXCEPTIONS if target not in graph[module]} == set()


def test_a_new_import_against_the_layers_is_caught():
    graph = import_graph()
    graph["policies.codec.frontmatter"].add("policies.models")
    graph["policies.records"].add("policies.transfer.importing")
    graph["policies.checks"].add("policies.transfer.exporting")
    graph["reviews.workflow"].add("api.views")
    caught = {(module, target) for module, target, _ in broken_rules(graph)}
    assert {
        ("policies.codec.frontmatter", "policies.models"),
        ("policies.records", "policies.transfer.importing"),
        ("policies.checks", "policies.transfer.exporting"),
        ("reviews.workflow", "api.views"),
    } <= caught
