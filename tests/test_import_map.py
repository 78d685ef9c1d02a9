"""The map of the code (README, "Map of the code"), read from the imports with `ast`.

Imports only go down. Between apps: the project package on top, then the feature apps, then
accounts and the outbox, with the project's toolbox of helpers under everything. Within the
code: models -> selectors/services/rules -> views/urls/admin/tasks/commands; nothing imports
another app's views. Imports inside functions count like the others: an import moved into a
function is still an arrow.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Top first: an app may import the apps listed after it, never those before it. The order
# follows what the code does: labelling reads the coaching of a dossier before the committee,
# coaching reads the platforms and pending figures of campaigns, campaigns read the dossiers,
# every app reads accounts (users, organisations, the refusal services raise) and sends email
# through the outbox, which knows no app.
LAYERS = ["propulsons", "labelling", "coaching", "campaigns", "projects", "accounts", "outbox"]

# Helpers of the project package that every app uses (date bounds, posted values, admin bases,
# search fields, the French error pages, the cache, a paginator): the floor under every app.
# They import no app, so any module may import them.
TOOLBOX = {
    "propulsons.admin",
    "propulsons.cache",
    "propulsons.charts",
    "propulsons.counting",
    "propulsons.context_processors",
    "propulsons.dates",
    "propulsons.forms",
    "propulsons.errors",
    "propulsons.http",
    "propulsons.pagination",
    "propulsons.public_cache",
    "propulsons.search",
    "propulsons.templatetags.form_fields",
    "propulsons.templatetags.labels",
    "propulsons.templatetags.phone",
    "propulsons.typography",
}

# The rooms of an app, lowest first; a module never imports a room above its own (in any app).
# Modules not named here (forms, permissions, uploads, demo, ...) sit between and are free.
ROOMS = {
    "models": 0,
    "rules": 1,
    "selectors": 1,
    "services": 1,
    "views": 2,
    "urls": 2,
    "admin": 2,
    "tasks": 2,
    "management": 2,
}

# Exceptions: (importing module, imported module or app) -> why; a name covers the modules
# under it (a views package). Keep these lists short: each entry is a debt.
# (importer, an app above it) allowed anyway, with the reason: none (the dossier page reads the
# apps above projects through projects/sections.py, which they fill).
UPWARD_ARROWS: dict[tuple[str, str], str] = {}
# (importer, another app's views) allowed anyway, with the reason: none.
OTHER_APPS_VIEWS: dict[tuple[str, str], str] = {}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path):
    """(imported module, line, inside a function) for each import of a project module."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(), filename=str(path))
    functions = [
        node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    function_lines = {
        line for function in functions for line in range(function.lineno, function.end_lineno + 1)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(base + [node.module] if node.module else base)
            else:
                base = node.module
            # `from app import services` imports the module app.services.
            targets = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            if target.split(".")[0] in LAYERS:
                yield target, node.lineno, node.lineno in function_lines


def _project_modules() -> set[str]:
    return {_module_name(path) for path in _source_files()}


def _source_files() -> list[Path]:
    return sorted(
        path
        for app in LAYERS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    )


def _resolve(target: str, modules: set[str]) -> str:
    """The project module an import names (`from app.models import X` -> app.models)."""
    while target and target not in modules:
        target = target.rpartition(".")[0]
    return target


def _layer(module: str) -> int:
    if module in TOOLBOX:
        return len(LAYERS)
    return LAYERS.index(module.split(".")[0])


def _room(module: str) -> int | None:
    parts = module.split(".")
    return ROOMS.get(parts[1]) if len(parts) > 1 else None


def _within(module: str, name: str) -> bool:
    return module == name or module.startswith(name + ".")


def _exception_for(importer: str, imported: str, exceptions: dict) -> tuple[str, str] | None:
    for allowed_importer, allowed_imported in exceptions:
        if _within(importer, allowed_importer) and _within(imported, allowed_imported):
            return allowed_importer, allowed_imported
    return None


def _forbidden(importer: str, imported: str) -> str | None:
    importer_app, imported_app = importer.split(".")[0], imported.split(".")[0]
    if importer in TOOLBOX and imported not in TOOLBOX:
        return "a toolbox helper imports no app"
    if (
        importer_app != imported_app
        and _layer(importer) >= _layer(imported)
        and not _exception_for(importer, imported, UPWARD_ARROWS)
    ):
        below = [*LAYERS[_layer(importer) + 1 :], "the propulsons toolbox"]
        return f"{importer_app} may import only {', '.join(below)}"
    if (
        importer_app != imported_app
        and imported.split(".")[1:2] == ["views"]
        and not _exception_for(importer, imported, OTHER_APPS_VIEWS)
    ):
        return "another app's views: read through its selectors, write through its services"
    importer_room, imported_room = _room(importer), _room(imported)
    if importer_room is not None and imported_room is not None and imported_room > importer_room:
        return f"{importer.split('.')[1]} may not import {imported.split('.')[1]} (a room above)"
    return None


def _arrows():
    modules = _project_modules()
    for path in _source_files():
        importer = _module_name(path)
        for target, line, in_function in _imports(path):
            imported = _resolve(target, modules)
            if imported and imported != importer:
                yield path, importer, imported, line, in_function


def test_imports_follow_the_map():
    broken = []
    for path, importer, imported, line, in_function in _arrows():
        reason = _forbidden(importer, imported)
        if reason:
            where = "inside a function" if in_function else "at module level"
            broken.append(
                f"{path.relative_to(ROOT)}:{line}: {importer} -> {imported} ({where}): {reason}"
            )
    assert not broken, "imports against the map (README, Map of the code):\n" + "\n".join(broken)


def test_every_exception_is_still_needed():
    arrows = [(importer, imported) for _, importer, imported, _, _ in _arrows()]
    stale = [
        f"{a} -> {b}"
        for exceptions in (UPWARD_ARROWS, OTHER_APPS_VIEWS)
        for a, b in exceptions
        if not any(_exception_for(*arrow, {(a, b): ""}) for arrow in arrows)
    ]
    assert not stale, "exceptions no longer needed, remove them: " + ", ".join(stale)


def test_there_is_no_import_circle():
    graph: dict[str, set[str]] = {}
    for _, importer, imported, _, _ in _arrows():
        graph.setdefault(importer, set()).add(imported)
    circles = []
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            circles.append(" -> ".join(path[path.index(module) :] + [module]))
            return
        if module in done:
            return
        for imported in sorted(graph.get(module, ())):
            visit(imported, path + [module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
    assert not circles, "import circles:\n" + "\n".join(circles)


@pytest.mark.parametrize(
    "importer, imported, allowed",
    [
        ("campaigns.selectors", "projects.models", True),
        ("projects.services", "campaigns.services", False),
        ("accounts.services", "projects.models", False),
        ("outbox.services", "accounts.models", False),
        ("propulsons.dates", "accounts.models", False),
        ("accounts.views", "propulsons.http", True),
        ("coaching.services", "coaching.views", False),
        ("coaching.models", "coaching.services", False),
        ("labelling.views", "coaching.views", False),
        ("projects.views.team", "coaching.selectors", False),
        ("projects.services", "coaching.selectors", False),
    ],
)
def test_the_map_itself(importer, imported, allowed):
    assert (_forbidden(importer, imported) is None) is allowed
