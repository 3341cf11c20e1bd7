"""The package's layers look down only, and ``import wsgicors`` loads no framework.

Read from the source with ``ast``: every ``import`` and ``from ... import`` of every module,
at any depth (imports inside functions count too), resolved to a ``wsgicors`` module name.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "wsgicors"

# The core, bottom to top: a module may import only modules listed before it.
CORE = (
    "wsgicors.errors",
    "wsgicors.decisions",
    "wsgicors.durations",
    "wsgicors.headers",
    "wsgicors.origins",
    "wsgicors.policy",
    "wsgicors.compiled",
    "wsgicors.scopes",
    "wsgicors.views",
    "wsgicors.routes",
    "wsgicors.middleware",
)
# Above the core, bottom to top: the one loader, the adapters, the tools beside the runtime
# (with the older names of two of them), then the command line.
RUNTIME = ("wsgicors.config", "wsgicors.compat", "wsgicors.integrations")
TOOLS = ("wsgicors.tools", "wsgicors.browser", "wsgicors.debug")
ABOVE_THE_CORE = (*RUNTIME, *TOOLS, "wsgicors.cli")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """The wsgicors modules ``path`` imports, relative imports resolved."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            module = node.module or ""
            target = f"{base}.{module}".strip(".") if node.level else module
            found.add(target)
            # `from . import werkzeug` imports a submodule.
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return {module for module in found if module.startswith("wsgicors")}


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def within(module: str, layer: str) -> bool:
    return module == layer or module.startswith(layer + ".")


def known(modules: set[str]) -> set[str]:
    return {module for module in modules if module in MODULES}


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_only_lower_core_modules(module: str) -> None:
    allowed = set(CORE[: CORE.index(module) + 1])
    path = MODULES[module]
    imported = known(imports_of(path))
    # A package may import its own submodules (routes imports its framework routers lazily).
    outside = {m for m in imported if not any(within(m, layer) for layer in allowed)}
    assert outside == set(), f"{module} imports {sorted(outside)}"


def test_routers_never_import_integrations() -> None:
    for module, path in MODULES.items():
        if within(module, "wsgicors.routes"):
            imported = imports_of(path)
            assert not any(within(m, "wsgicors.integrations") for m in imported), module


def test_nothing_imports_the_cli() -> None:
    importers = {
        module
        for module, path in MODULES.items()
        if module not in ("wsgicors.cli", "wsgicors.__main__")
        and any(within(m, "wsgicors.cli") for m in imports_of(path))
    }
    assert importers == set()


def in_layers(module: str, layers: tuple[str, ...]) -> bool:
    return any(within(module, layer) for layer in layers)


def importers_of(layers: tuple[str, ...]) -> dict[str, set[str]]:
    """Each module outside ``layers`` that imports a module inside them, and what it imports."""
    found = {
        module: {m for m in imports_of(path) if in_layers(m, layers)}
        for module, path in MODULES.items()
        if not in_layers(module, layers)
    }
    return {module: imported for module, imported in found.items() if imported}


def test_core_never_imports_the_tools() -> None:
    for module in CORE:
        imported = imports_of(MODULES[module])
        assert not any(in_layers(m, TOOLS) for m in imported), module


def test_runtime_above_the_core_never_imports_the_tools() -> None:
    for module, path in MODULES.items():
        if in_layers(module, RUNTIME):
            assert not any(in_layers(m, TOOLS) for m in imports_of(path)), module


def test_only_the_command_line_and_the_old_names_import_the_tools() -> None:
    importers = set(importers_of(("wsgicors.tools",)))
    assert importers <= {"wsgicors.cli", "wsgicors.browser", "wsgicors.debug"}


def test_tools_never_import_the_cli() -> None:
    for module, path in MODULES.items():
        if in_layers(module, TOOLS):
            assert not any(within(m, "wsgicors.cli") for m in imports_of(path)), module


def test_core_never_imports_the_layers_above() -> None:
    for module in CORE:
        imported = imports_of(MODULES[module])
        above = {m for m in imported for layer in ABOVE_THE_CORE if within(m, layer)}
        assert above == set(), f"{module} imports {sorted(above)}"


def test_import_wsgicors_loads_no_framework_and_no_tool() -> None:
    code = (
        "import sys, wsgicors; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('werkzeug', 'django', 'flask', 'publicsuffixlist') "
        "or m.startswith('wsgicors.tools') "
        "or m in ('wsgicors.cli', 'wsgicors.browser', 'wsgicors.debug', 'wsgicors.compat', "
        "'wsgicors.config')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert result.stdout == "[]\n"


def test_public_names_still_importable_lazily() -> None:
    import wsgicors
    from wsgicors.compat import CORS
    from wsgicors.integrations.gunicorn import wrap

    assert wsgicors.CORS is CORS
    assert wsgicors.wrap is wrap
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        _ = wsgicors.nope  # type: ignore[attr-defined]


def test_version_read_from_the_installed_distribution() -> None:
    import importlib.metadata

    import wsgicors

    assert wsgicors.__version__ == importlib.metadata.version("wsgicors")
