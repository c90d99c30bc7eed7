"""The portal's layout holds: page families under 250 lines each, none importing another, and
the plumbing importing no page (what two families share lives in plumbing, reads or
questionnaires)."""

from __future__ import annotations

import ast
import pathlib

import gateway.portal

PORTAL = pathlib.Path(gateway.portal.__file__).parent
PAGES = sorted(p for p in (PORTAL / "pages").glob("*.py") if p.name != "__init__.py")


def _imports(path: pathlib.Path) -> set[str]:
    """The portal modules a module imports, as 'pages.x', 'plumbing', ... ."""
    package = "pages" if path.parent.name == "pages" else ""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package if node.level == 1 else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            names = [module] if node.module else [f"{base}.{a.name}".strip(".") for a in node.names]
            out.update(names)
    return out


def test_page_families_stay_small():
    assert PAGES
    assert {
        p.name: len(p.read_text().splitlines()) for p in PAGES if len(p.read_text().splitlines()) > 250
    } == {}


def test_no_page_imports_another_page():
    for page in PAGES:
        assert not {m for m in _imports(page) if m.startswith("pages")}, page.name


def test_the_shared_modules_import_no_page():
    for name in ("plumbing.py", "reads.py", "questionnaires.py", "client.py", "reference.py", "content.py"):
        assert not {m for m in _imports(PORTAL / name) if m.startswith("pages")}, name
