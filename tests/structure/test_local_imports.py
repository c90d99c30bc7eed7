"""A function-local import hides a dependency from the reader: each one that remains says why,
in a comment on its line (or the line above, or inside a multi-line import)."""

from __future__ import annotations

import ast
from pathlib import Path

from support.project_modules import production_modules


def unexplained_local_imports(path: Path, label: str) -> list[str]:
    lines = path.read_text(encoding="utf-8").split("\n")
    tree = ast.parse("\n".join(lines), label)
    out = []
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(fn):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            span = lines[node.lineno - 1 : node.end_lineno]
            above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
            if not (any("#" in line for line in span) or above.startswith("#")):
                out.append(f"{label}:{node.lineno}: {lines[node.lineno - 1].strip()}")
    return sorted(set(out))


def test_every_function_local_import_says_why():
    found = [line for m in production_modules().values() for line in unexplained_local_imports(m.path, m.rel)]
    assert not found, "function-local imports without a why-comment:\n" + "\n".join(found)


def test_the_check_sees_an_unexplained_local_import(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(
        "import json\n\n\ndef f():\n    import os\n    return os\n\n\n"
        "def g():\n    # late: optional dependency\n    import re\n    from x import (  # why\n        y,\n    )\n"
    )
    assert unexplained_local_imports(path, "m.py") == ["m.py:5: import os"]
