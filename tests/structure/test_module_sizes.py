"""No production module grows past what a reader takes in at once: 400 lines, and 250 for a
portal page module (one page family each). Tests and Alembic revisions are not counted."""

from __future__ import annotations

from support.project_modules import production_modules

MAX_LINES = 400
MAX_PAGE_LINES = 250
# the portal's page modules: one page family each
PAGE_PACKAGE = "gateway.portal.pages"


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
    found = too_long()
    assert not found, "modules over the size limit:\n" + "\n".join(found.values())


def test_the_scan_sees_every_service_and_no_test_or_revision():
    names = set(production_modules())
    assert {"gateway.portal.plumbing", "training.services.packages", "cic_tracker.services.tracker"} <= names
    assert "imatter_shared.messaging.transports.amqp" in names
    assert not [n for n in names if ".tests." in n or ".versions." in n or n.startswith("tests")]
