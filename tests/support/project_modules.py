"""The project's production modules, found on disk: the services' packages and imatter_shared,
without tests and without Alembic revisions (released history, never edited)."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]  # tests/support/ -> the repository
PACKAGE_ROOTS = (
    REPO / "services" / "training",
    REPO / "services" / "cic-tracker",
    REPO / "services" / "gateway",
    REPO / "shared",
)
PACKAGES = ("training", "cic_tracker", "gateway", "imatter_shared")


@dataclass(frozen=True)
class Module:
    name: str  # dotted, e.g. training.services.packages
    path: Path  # the .py file
    is_package: bool  # an __init__.py

    @property
    def rel(self) -> str:
        return self.path.relative_to(REPO).as_posix()


def production_modules() -> dict[str, Module]:
    found: dict[str, Module] = {}
    for root in PACKAGE_ROOTS:
        for package in PACKAGES:
            top = root / package
            if not top.is_dir():
                continue
            for path in sorted(top.rglob("*.py")):
                parts = path.relative_to(root).with_suffix("").parts
                if "tests" in parts or "versions" in parts:
                    continue
                is_package = parts[-1] == "__init__"
                name = ".".join(parts[:-1] if is_package else parts)
                found[name] = Module(name, path, is_package)
    return found


def imported_modules(module: Module, known: dict[str, Module]) -> set[str]:
    """Project modules `module` imports anywhere in its text: top level and function-local alike
    (a late import still runs, so it still closes a circle)."""
    tree = ast.parse(module.path.read_text(encoding="utf-8"), module.rel)
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _longest_known(alias.name, known)
                if target:
                    out.add(target)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, package)
            if base is None:
                continue
            for alias in node.names:
                # `from pkg import name`: name is a submodule, or a name defined in pkg itself
                target = _longest_known(f"{base}.{alias.name}", known) if base else None
                if target:
                    out.add(target)
    out.discard(module.name)
    return out


def _absolute(node: ast.ImportFrom, package: str) -> str | None:
    if node.level == 0:
        return node.module
    parts = package.split(".")
    if node.level - 1 > len(parts):
        return None
    base = ".".join(parts[: len(parts) - (node.level - 1)])
    return f"{base}.{node.module}" if node.module else base


def _longest_known(dotted: str, known: dict[str, Module]) -> str | None:
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            return candidate
    return None
