"""docs/portal-coverage.md lists every /api/v1 operation of the merged OpenAPI with the portal page
that uses it (issue 21), as tools/portal_coverage.py writes it from the portal's source: a new
endpoint or page changes the list, and the list is regenerated in the same change. The
capabilities issue 21 names (bursaries, the Q registration consultation, Parent Mentors, hubs,
gifts and the Fund ledger) each have a page."""

from __future__ import annotations

import importlib.util
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
_spec = importlib.util.spec_from_file_location("portal_coverage", ROOT / "tools" / "portal_coverage.py")
coverage_tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(coverage_tool)


@pytest.fixture(scope="module")
def rows():
    return coverage_tool.coverage(coverage_tool.merged_document())


def test_the_committed_list_is_what_the_tool_writes(rows):
    committed = (ROOT / "docs" / "portal-coverage.md").read_text()
    assert committed == coverage_tool.markdown(rows), (
        "docs/portal-coverage.md is out of date: run "
        "`.venv/bin/python tools/portal_coverage.py > docs/portal-coverage.md`"
    )


@pytest.mark.parametrize(
    "operation",
    [
        "GET /api/v1/bursaries/{organisation_id}",
        "POST /api/v1/bursaries/{organisation_id}/deposits",
        "POST /api/v1/bursaries/{organisation_id}/places",
        "GET /api/v1/training/q/registration-offer",
        "POST /api/v1/training/q/registration-consultations",
        "POST /api/v1/parent-mentors/applications",
        "POST /api/v1/parent-mentors/applications/{application_id}/interview",
        "POST /api/v1/parent-mentors/applications/{application_id}/decision",
        "POST /api/v1/parent-mentors/applications/{application_id}/answer",
        "GET /api/v1/hubs",
        "POST /api/v1/hubs",
        "POST /api/v1/fund/gifts",
        "POST /api/v1/fund/gifts/{gift_id}/received",
        "GET /api/v1/fund/ledger",
    ],
)
def test_the_capabilities_issue_21_names_have_a_page(rows, operation):
    row = next(r for r in rows if f"{r['method']} {r['path']}" == operation)
    assert row["status"] == "page" and row["pages"], row


def test_every_operation_is_classified_and_a_reason_is_given_for_no_page(rows):
    assert len({(r["method"], r["path"]) for r in rows}) == len(rows) > 150
    for r in rows:
        assert r["status"] in ("page", "no page needed", "GAP"), r
        # a page uses it, or a reason says why none is needed, never both
        assert (r["status"] == "no page needed") == bool(r["why"]), r
    # a reason names an operation that exists (a stale entry is removed with its endpoint)
    known = {f"{r['method']} {r['path']}" for r in rows}
    assert set(coverage_tool.NOT_A_PAGE) <= known, set(coverage_tool.NOT_A_PAGE) - known
