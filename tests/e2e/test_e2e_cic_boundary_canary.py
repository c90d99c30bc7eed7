"""The boundary, end to end: real processes, real events between training and cic-tracker.

A unique marker is written into every free-text and code field of a case. It must never
appear in training's database, training's logs or anything training received (the event
store every message to training passes through); the practicum completion must still
reach training (counts only). Then the fund: apply, close, review, award, and the award
pays for a package in training.
"""

import os
import uuid

import pytest

from support.api_client import wait_for
from support.stories import files_under, holds, ok, practitioner_with_package

pytestmark = pytest.mark.e2e


def test_case_text_never_reaches_training(stack, api):
    marker = "CANARY" + uuid.uuid4().hex[:12]
    admin, pro, org, person, package = practitioner_with_package(api)

    # the workspace appears from training.package.purchased
    items = wait_for(lambda: pro.get("/api/v1/tracker/microprojects").json()["items"], what="workspace")
    [mp] = items
    assert mp["package_id"] == package["id"] and mp["credits_left"] == 6

    consent = {
        "given_by": f"{marker} given by",
        "scope": f"{marker} scope",
        "given_at": "2026-11-01T09:00:00Z",
    }
    case_ids = []
    for i in range(3):
        r = pro.post(
            f"/api/v1/tracker/microprojects/{mp['id']}/cases", {"code": f"{marker}-{i}", "consent": consent}
        )
        case_ids.append(ok(r)["id"])
    r = pro.post(
        f"/api/v1/tracker/microprojects/{mp['id']}/cases", {"code": f"{marker}-9", "consent": consent}
    )
    assert r.status_code == 409 and r.json()["unmet"] == ["max_cases"]
    for case_id in case_ids:
        for kind, score in (("baseline", 3), ("follow_up", 6)):
            ok(
                pro.post(
                    f"/api/v1/tracker/cases/{case_id}/assessments",
                    {"kind": kind, "scores": {"communication": score}, "notes": f"{marker} note"},
                )
            )
        ok(pro.post(f"/api/v1/tracker/cases/{case_id}/goals", {"text": f"{marker} goal", "status": "open"}))
        ok(pro.post(f"/api/v1/tracker/cases/{case_id}/reflections", {"text": f"{marker} reflection"}))
    r = pro.post(
        f"/api/v1/tracker/cases/{case_ids[0]}/assessments",
        {"kind": "follow_up", "scores": {"communication": 7}, "notes": marker},
    )
    assert r.status_code == 409 and r.json()["unmet"] == ["tracker_credit"]
    done = ok(
        pro.post(f"/api/v1/tracker/microprojects/{mp['id']}/completion", {"reflection": f"{marker} final"}),
        200,
    )
    # a SUPERVISED practicum (issue 16, row 35): it waits for the overseer's or a Lead's sign-off;
    # the organisation's admin (no Lead) and the practitioner may not sign it off
    assert done["state"] == "awaiting_sign_off" and done["tracker_uses_per_case"] == 2
    assert pro.post(f"/api/v1/tracker/microprojects/{mp['id']}/sign-off").status_code == 403
    assert admin.post(f"/api/v1/tracker/microprojects/{mp['id']}/sign-off").status_code == 403

    # the path worked: training received the credit reports (counts only), and no completion yet
    def training_view():
        p = admin.get(f"/api/v1/organisations/{org['id']}/packages/{package['id']}").json()
        return p if p.get("credits_left") == 0 else None

    seen = wait_for(training_view, what="training records the credit use")
    assert seen["practicum_state"] != "completed"

    # the marker is in cic-tracker's own files (so the scan can see it) ...
    var = stack.var
    cic_files = [p for p in files_under(var) if os.path.basename(p).startswith(("cic_tracker.db", "cic"))]
    assert any(holds(p, marker) for p in cic_files), "the scan must find the marker where it belongs"
    # ... and nowhere else: training's database (and its WAL), training's logs, the event
    # store every message to training passed through, the gateway.
    scanned = [p for p in files_under(var) if p not in cic_files]
    names = {os.path.basename(p) for p in scanned}
    assert "training.db" in names and "events.db" in names, names
    assert [p for p in scanned if holds(p, marker)] == []
    for name in ("training", "training_relay", "training_consumer"):
        assert os.path.exists(stack.log_path(name)) and marker not in stack.read_log(name)


def _second_reviewer(stack, api):
    """The seeded second fund reviewer (an award needs two independent reviews)."""
    return api.signed_in("fund-reviewer@imatter.local", stack.admin_password)


def test_fund_award_pays_for_a_package_in_training(stack, api, cic_admin):
    admin, pro, org, person, _ = practitioner_with_package(api)
    body = {
        "practitioner_id": person["id"],
        "organisation_id": org["id"],
        "package_type": 3,
        "summary": "Funding is the barrier for a second small project",
    }

    def applied():  # cic checks the application against training's events, which arrive async
        r = pro.post("/api/v1/fund/applications", body)
        return r.json() if r.status_code == 201 else None

    application = wait_for(applied, what="cic accepts the application")
    round_id = application["round_id"]
    r = cic_admin.post(f"/api/v1/fund/applications/{application['id']}/decision", {"outcome": "awarded"})
    assert r.status_code == 409 and r.json()["unmet"] == ["round_closed"]
    assert ok(cic_admin.post(f"/api/v1/fund/rounds/{round_id}/close"), 200)["state"] == "closed"
    ok(
        cic_admin.post(
            f"/api/v1/fund/applications/{application['id']}/reviews",
            {"score": 5, "comment": "clear", "no_conflict": True},
        )
    )
    r = cic_admin.post(f"/api/v1/fund/applications/{application['id']}/decision", {"outcome": "awarded"})
    assert r.status_code == 409 and r.json()["unmet"] == ["two_reviews"]
    ok(
        _second_reviewer(stack, api).post(
            f"/api/v1/fund/applications/{application['id']}/reviews", {"score": 4, "no_conflict": True}
        )
    )
    # an award needs received gifts covering it (row 104): a supporter pledges, CIC staff receive
    price = application["amount_requested"]
    if cic_admin.get("/api/v1/fund/ledger").json()["balance"] < price:
        r = cic_admin.post(f"/api/v1/fund/applications/{application['id']}/decision", {"outcome": "awarded"})
        assert r.status_code == 409 and r.json()["unmet"] == ["fund_balance"]
    gift = ok(pro.post("/api/v1/fund/gifts", {"amount": price, "name": "A fictional supporter"}))
    assert gift["state"] == "pledged"
    assert ok(cic_admin.post(f"/api/v1/fund/gifts/{gift['id']}/received"), 200)["state"] == "received"
    award_id = ok(
        cic_admin.post(f"/api/v1/fund/applications/{application['id']}/decision", {"outcome": "awarded"}), 200
    )["award_id"]
    assert award_id

    def buy_with_award():
        r = admin.post(
            f"/api/v1/organisations/{org['id']}/packages",
            {"type": 3, "practitioner_id": person["id"], "funding": "fund_award", "fund_award_id": award_id},
        )
        return r.json() if r.status_code == 201 else None

    package = wait_for(buy_with_award, what="training accepts the fund award")
    assert package["funding"] == "fund_award" and package["fund_award_id"] == award_id

    def redeemed():
        entries = cic_admin.get("/api/v1/fund/ledger").json()["entries"]
        return [e for e in entries if e["kind"] == "award" and e["state"] == "redeemed"]

    wait_for(redeemed, what="cic-tracker marks the award redeemed")
    # the new package opens its own workspace for the practitioner
    wait_for(
        lambda: len(pro.get("/api/v1/tracker/microprojects").json()["items"]) == 2, what="second workspace"
    )
