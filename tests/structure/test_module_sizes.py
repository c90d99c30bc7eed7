"""No production module grows past what a reader takes in at once: 400 lines, and 250 for a
portal page module (one page family each). Tests and Alembic revisions are not counted."""

from __future__ import annotations

from support.project_modules import production_modules

MAX_LINES = 400
MAX_PAGE_LINES = 250
# the portal's page modules: the page families, and the two modules that still hold pages
PAGE_PACKAGE = "gateway.portal.pages"

# module -> why it may stay too long (none may)
KNOWN_OFFENDERS: dict[str, str] = {}


def limit_of(name: str) -> int:
    if name.startswith(PAGE_PACKAGE + "."):
        return MAX_PAGE_LINES
    return MAX_LINES


def too_long() -> dict[str, str]:
    out = {}
    for name, module in sorted(production_modules().items()):
        lines = len(module.path.read_text(encoding="utf-8").splitlines())
        if lines > limit_of(name):
            out[name] = f"{module.rel}: {lines} lines (limit {limit_of(name)})"
    return out


def test_module_sizes():
    new = {name: why for name, why in too_long().items() if name not in KNOWN_OFFENDERS}
    assert not new, "modules over the size limit:\n" + "\n".join(new.values())


def test_known_size_offenders_are_still_offenders():
    fixed = sorted(set(KNOWN_OFFENDERS) - set(too_long()))
    assert not fixed, f"no longer over the limit, remove from KNOWN_OFFENDERS: {fixed}"
