"""Supply chain: what each pyproject.toml declares, the lock files pip-tools made from it, and how
`make` and the images install them; the audit's verdicts (docs/decisions/0046).

1. Every entry of every lock is `name==version` with at least one sha256 hash, and no editable,
   URL or index line (pip's --require-hashes refuses anything else).
2. The dev lock holds every dependency that every pyproject.toml declares, at a version inside the
   declared range (with what an extra brings); each service's image lock holds its own and the
   common package's, at the dev lock's version and hashes.
3. Each service's and the common package's third-party imports are declared by name in its
   pyproject.toml (an image has only what is declared: an import outside it fails at run time).
4. `make venv` installs the lock with --require-hashes and our packages with --no-deps.
5. tools/audit.py tells "vulnerable", "clean" and "not audited" apart; tools/lock.py keeps our
   own packages out of a lock.
"""

from __future__ import annotations

import ast
import glob
import importlib.metadata as md
import importlib.util
import os
import re
import sys
import tomllib

import pytest
from packaging.requirements import Requirement

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SERVICES = {"training": "training", "cic-tracker": "cic_tracker", "gateway": "gateway"}
DEV_LOCK = "requirements-dev.lock"
LOCKS = [DEV_LOCK, *(f"services/{svc}/requirements.lock" for svc in SERVICES)]
OURS = {"imatter-shared", "imatter-training", "imatter-cic-tracker", "imatter-gateway"}
_ENTRY = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(.*)$")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock(path: str) -> dict[str, tuple[str, frozenset[str]]]:
    """name -> (version, hashes), with continuation lines joined; fails on any other line."""
    text = open(os.path.join(REPO, path), encoding="utf-8").read().replace("\\\n", " ")
    entries: dict[str, tuple[str, frozenset[str]]] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _ENTRY.match(stripped)
        assert match, f"{path}: {stripped[:80]!r} is not a pinned, hashed requirement"
        name, version, rest = match.groups()
        hashes = frozenset(re.findall(r"--hash=sha256:([0-9a-f]{64})", rest))
        assert hashes, f"{path}: {name}=={version} has no sha256 hash"
        assert not re.sub(r"--hash=sha256:[0-9a-f]{64}", "", rest).strip(), f"{path}: {name}: {rest[:80]!r}"
        assert canonical(name) not in entries, f"{path}: {name} twice"
        entries[canonical(name)] = (version, hashes)
    return entries


def declared(pyproject: str) -> list[Requirement]:
    with open(os.path.join(REPO, pyproject), "rb") as fh:
        project = tomllib.load(fh)["project"]
    return [Requirement(r) for r in project.get("dependencies", [])]


def pyprojects() -> list[str]:
    return ["shared/pyproject.toml", *(f"services/{svc}/pyproject.toml" for svc in SERVICES)]


def with_extras(req: Requirement) -> set[str]:
    """The distribution and what its extras bring (from the installed metadata, built from the lock)."""
    names = {canonical(req.name)}
    for extra in req.extras:
        for raw in md.requires(req.name) or []:
            dep = Requirement(raw)
            if (
                dep.marker
                and dep.marker.evaluate({"extra": extra})
                and not dep.marker.evaluate({"extra": ""})
            ):
                names.add(canonical(dep.name))
    return names


# -- 1. every line pinned and hashed ------------------------------------------------------------


@pytest.mark.parametrize("path", LOCKS)
def test_every_entry_of_the_lock_is_pinned_with_hashes(path):
    entries = read_lock(path)
    assert len(entries) >= 20, f"{path} holds only {len(entries)} packages"
    assert not OURS & set(entries), f"{path} lists our own packages (they come from the checkout)"
    assert "make lock" in open(os.path.join(REPO, path), encoding="utf-8").read(600), (
        f"{path} does not say it is made by `make lock`"
    )


def test_a_lock_line_without_a_hash_is_refused(tmp_path, monkeypatch):
    (tmp_path / "bad.lock").write_text("flask==3.1.3 \\\n    --hash=sha256:" + "a" * 64 + "\nclick==8.5.1\n")
    monkeypatch.setattr(sys.modules[__name__], "REPO", str(tmp_path))
    with pytest.raises(AssertionError, match="click==8.5.1 has no sha256 hash"):
        read_lock("bad.lock")


# -- 2. the locks cover what is declared ----------------------------------------------------------


@pytest.mark.parametrize("pyproject", pyprojects())
def test_the_dev_lock_holds_every_declared_dependency_within_its_range(pyproject):
    lock = read_lock(DEV_LOCK)
    reqs = declared(pyproject)
    assert reqs, f"{pyproject} declares no dependencies"
    for req in reqs:
        if canonical(req.name) in OURS:
            continue
        assert req.specifier, f"{pyproject}: {req} has no version range"
        for name in with_extras(req):
            assert name in lock, f"{DEV_LOCK} lacks {name} ({pyproject} declares {req}); run `make lock`"
        version = lock[canonical(req.name)][0]
        assert req.specifier.contains(version, prereleases=True), (
            f"{DEV_LOCK} has {req.name}=={version}, outside {pyproject}'s {req.specifier}; run `make lock`"
        )


@pytest.mark.parametrize("svc", sorted(SERVICES))
def test_each_image_lock_holds_its_dependencies_at_the_dev_lock_versions(svc):
    dev, mine = read_lock(DEV_LOCK), read_lock(f"services/{svc}/requirements.lock")
    for req in declared("shared/pyproject.toml") + declared(f"services/{svc}/pyproject.toml"):
        if canonical(req.name) not in OURS:
            for name in with_extras(req):
                assert name in mine, f"services/{svc}/requirements.lock lacks {name} ({req}); run `make lock`"
    for name, (version, hashes) in mine.items():
        assert name in dev, f"{svc}: {name} is in its image lock but not in {DEV_LOCK}"
        assert dev[name] == (version, hashes), (
            f"{svc}: {name}=={version} differs from {DEV_LOCK}; run `make lock`"
        )
    assert "honcho" not in mine and "pytest" not in mine, f"{svc}: development tools in the image"


@pytest.mark.parametrize("svc", sorted(SERVICES))
def test_a_service_depends_on_the_common_package(svc):
    assert "imatter-shared" in {canonical(r.name) for r in declared(f"services/{svc}/pyproject.toml")}


# -- 3. imports are declared -----------------------------------------------------------------------


def third_party_imports(*dirs: str) -> dict[str, str]:
    """Top-level modules imported anywhere under dirs (not stdlib, not ours) -> one file using it.
    Imports inside `try: ... except ImportError:` are optional and left out."""
    ours = {"imatter_shared", *SERVICES.values()}
    found: dict[str, str] = {}
    for top in dirs:
        for path in glob.glob(os.path.join(REPO, top, "**", "*.py"), recursive=True):
            rel = os.path.relpath(path, REPO)
            if "/tests/" in rel:
                continue
            tree = ast.parse(open(path, encoding="utf-8").read(), rel)
            optional = _optional_imports(tree)
            for node in ast.walk(tree):
                if id(node) in optional:
                    continue
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for name in names:
                    first = name.split(".")[0]
                    if first not in sys.stdlib_module_names and first not in ours:
                        found.setdefault(first, rel)
    return found


def _optional_imports(tree: ast.AST) -> set[int]:
    optional: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Try):
            continue
        caught = set()
        for handler in node.handlers:
            types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
            caught |= {t.id for t in types if isinstance(t, ast.Name)}
        if caught & {"ImportError", "ModuleNotFoundError"}:
            for stmt in node.body:
                optional |= {id(n) for n in ast.walk(stmt) if isinstance(n, (ast.Import, ast.ImportFrom))}
    return optional


@pytest.mark.parametrize(
    "code,pyproject",
    [("shared/imatter_shared", "shared/pyproject.toml")]
    + [(f"services/{svc}/{pkg}", f"services/{svc}/pyproject.toml") for svc, pkg in SERVICES.items()],
)
def test_what_the_code_imports_is_declared_by_name(code, pyproject):
    """Declared by name, not only brought in by another package: a module our code calls itself
    (jinja2, werkzeug, click, webargs) keeps a range of its own, whatever flask allows next."""
    names = {canonical(r.name) for r in declared(pyproject)}
    dists = md.packages_distributions()
    undeclared = sorted(
        f"{module} ({where})"
        for module, where in third_party_imports(code).items()
        if not {canonical(d) for d in dists.get(module, [])} & names
    )
    assert not undeclared, f"{pyproject} does not declare: " + "; ".join(undeclared)


# -- 4. make installs from the lock ------------------------------------------------------------------


def test_make_installs_the_lock_with_hashes_and_our_packages_without_dependencies():
    makefile = open(os.path.join(REPO, "Makefile"), encoding="utf-8").read()
    recipe = makefile[makefile.index("$(STAMP):") : makefile.index("venv: $(STAMP)")]
    assert re.search(r"pip install [^\n]*--require-hashes -r \$\(LOCK\)", recipe)
    assert re.search(r"pip install [^\n]*--no-deps [^\n]*\$\(LOCAL_PACKAGES\)", recipe)
    assert "LOCK := requirements-dev.lock" in makefile and "requirements.txt" not in makefile
    assert re.search(r"^test: lint audit$", makefile, re.M), (
        "make test runs ruff (lint) and pip-audit (audit)"
    )
    assert not glob.glob(os.path.join(REPO, "**", "requirements*.txt"), recursive=True), (
        "hand-kept requirements files are replaced by the locks"
    )


# -- 5. the tools -------------------------------------------------------------------------------------


def _tool(name: str):
    spec = importlib.util.spec_from_file_location(f"tools_{name}", os.path.join(REPO, "tools", f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_audit_fails_on_a_known_vulnerability_and_passes_a_clean_lock():
    audit = _tool("audit")
    vulnerable = {
        "dependencies": [
            {"name": "flask", "version": "3.1.3", "vulns": []},
            {"name": "jinja2", "version": "3.1.6", "vulns": [{"id": "GHSA-x", "fix_versions": ["3.1.7"]}]},
        ]
    }
    code, lines = audit.verdict(1, vulnerable, "", strict=False)
    assert code == 1 and any("jinja2 3.1.6: GHSA-x (fixed in 3.1.7)" in line for line in lines)
    clean = {"dependencies": [{"name": "flask", "version": "3.1.3", "vulns": []}]}
    assert audit.verdict(0, clean, "", strict=True) == (
        0,
        ["pip-audit: 1 packages, no known vulnerabilities"],
    )


def test_audit_says_not_audited_loudly_when_the_service_does_not_answer():
    audit = _tool("audit")
    skipped = {
        "dependencies": [
            {
                "name": "flask",
                "skip_reason": "Dependency not found on PyPI and could not be audited: flask (3.1.3)",
            },
            {"name": "click", "version": "8.5.1", "vulns": []},
        ]
    }
    code, lines = audit.verdict(0, skipped, "", strict=False)
    assert code == 0 and any("NOT AUDITED: 1 of 2 packages" in line for line in lines)
    assert audit.verdict(0, skipped, "", strict=True)[0] == audit.NOT_AUDITED
    unreachable = "requests.exceptions.ConnectionError: ... NameResolutionError(...)"
    code, lines = audit.verdict(1, None, unreachable, strict=False)
    assert code == 0 and any("NOT AUDITED" in line for line in lines)
    # a failure that is ours (a broken lock) is a failure, network or not
    assert audit.verdict(2, None, "ERROR: invalid requirement 'flask=='", strict=False)[0] == 2


def test_lock_keeps_our_packages_out_and_the_rest_as_it_is():
    lock = _tool("lock")
    text = (
        "# header\n"
        "# WARNING: pip install will require the following package to be hashed.\n"
        "# Consider using a hashable URL like https://github.com/jazzband/pip-tools/archive/SOMECOMMIT.zip\n"
        "-e file:shared\n"
        "    # via\n"
        "    #   -r requirements-dev.in\n"
        "flask==3.1.3 \\\n"
        "    --hash=sha256:" + "b" * 64 + "\n"
        "    # via imatter-shared\n"
    )
    out = lock.without_our_packages(text)
    assert out == "# header\nflask==3.1.3 \\\n    --hash=sha256:" + "b" * 64 + "\n    # via imatter-shared\n"
