"""Seat transfers and the organisation-kind policy table in the portal, through the Flask test client
against the real training app on a loopback port: the organisation's admin asks for a transfer in the
seats section (errors at the fields, the 409 rule in words), a training admin approves or refuses it on
the admin pages (the top-up fee with its placeholder label; the 409 rule when a decision is refused),
and the "ten elements" page shows the policy table as training answers it, not a copy."""

from __future__ import annotations

import re

import pytest

from support.portal import HTML, Visitor, csrf_of, gateway_and_training


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with gateway_and_training(tmp_path_factory.mktemp("transfers-portal")) as apps:
        yield apps


def _org(visitor, name, kind="school", band="micro", licences=("starter", "cpd")):
    """Registered through the portal by `visitor` (who becomes its admin), then licences bought."""
    token = csrf_of(visitor.get("/organisations/new"))
    r = visitor.client.post(
        "/organisations/new",
        headers=HTML,
        data={
            "csrf_token": token,
            "name": name,
            "kind": kind,
            "size_band": band,
            "link_contact_email": visitor.email,
            "senior_leadership_commitment": "on",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    org_id = r.headers["Location"].rstrip("/").split("/")[-1]
    for t in licences:
        r = visitor.post(
            f"/organisations/{org_id}/licences/{t}", {"agreement_accepted": "on"}
        )  # row 3: the Starter
        assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    return org_id


def _seats_total(world, org_id):
    from training.services import seats

    with world["training"].app_context():
        return seats.summary(org_id)["total"]


def _transfer_states(world, from_org):
    from training.extensions import db
    from training.models import SeatTransfer

    with world["training"].app_context():
        return {
            t.id: t.state for t in db.session.query(SeatTransfer).filter_by(from_organisation_id=from_org)
        }


def _labelled(html):
    for i in re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html):
        assert f'for="{i}"' in html, f"no label for {i}"


def test_an_organisation_admin_requests_a_seat_transfer_in_the_seats_section(world):
    sender_admin = Visitor(world, "Sid Sender", roles=["learner"])
    receiver_admin = Visitor(world, "Rae Receiver", roles=["learner"])
    sender = _org(sender_admin, "Fictional Alder School")
    receiver = _org(receiver_admin, "Fictional Birch School")
    community = _org(
        receiver_admin, "Fictional Cedar Community Service", kind="community_service", licences=("starter",)
    )
    total = _seats_total(world, sender)
    assert total >= 3

    page = sender_admin.get(f"/organisations/{sender}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and html.count("<h1") == 1
    assert 'id="seat-transfers"' in html and "<legend>Request a seat transfer</legend>" in html
    assert 'for="transfer-to_organisation_id"' in html and 'for="transfer-count"' in html
    _labelled(html)

    # errors at the fields; nothing requested
    url = f"/organisations/{sender}/seats/transfers"
    r = sender_admin.post(url, {"to_organisation_id": "", "count": "0"}, page=f"/organisations/{sender}")
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert 'id="transfer-to_organisation_id-error"' in html and 'id="transfer-count-error"' in html
    assert 'aria-invalid="true"' in html and html.count("<h1") == 1
    # the API's field error (an unknown organisation) is shown at the field too
    r = sender_admin.post(
        url, {"to_organisation_id": "no-such-organisation", "count": "2"}, page=f"/organisations/{sender}"
    )
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert 'id="transfer-to_organisation_id-error"' in html and "Unknown organisation." in html
    assert _transfer_states(world, sender) == {}

    # the 409 rule in words: more seats than are free
    r = sender_admin.post(
        url, {"to_organisation_id": receiver, "count": str(total + 1)}, page=f"/organisations/{sender}"
    )
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert "The rule that refused it" in html and "Enough unassigned seats free to transfer" in html
    # the organisation-kind rule, in training's own words for the action
    r = sender_admin.post(
        url, {"to_organisation_id": community, "count": "1"}, page=f"/organisations/{sender}"
    )
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert "Community services do not hold access to I Matter online learning accounts." in html
    assert "may not hold, buy, receive or assign online L1-2 learning accounts" in html
    assert _transfer_states(world, sender) == {}

    r = sender_admin.post(
        url, {"to_organisation_id": receiver, "count": "2"}, page=f"/organisations/{sender}"
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("#seat-transfers")
    ((tid, state),) = _transfer_states(world, sender).items()
    assert state == "requested" and _seats_total(world, sender) == total  # nothing moves yet
    html = sender_admin.client.get(r.headers["Location"], headers=HTML).get_data(as_text=True)
    assert "Transfer of 2 seats to Fictional Birch School requested" in html
    row = html[html.index('id="seat-transfers-caption"') :]
    assert "Fictional Birch School" in row and "Waiting for a decision" in row

    # someone who is not the organisation's admin gets no form and cannot ask
    outsider = Visitor(world, "Otto Outsider", roles=["learner"])
    assert outsider.get(f"/organisations/{sender}").status_code == 404
    token = csrf_of(outsider.get("/"))
    r = outsider.client.post(
        url, headers=HTML, data={"csrf_token": token, "to_organisation_id": receiver, "count": "1"}
    )
    assert r.status_code == 404 and len(_transfer_states(world, sender)) == 1


def test_a_training_admin_approves_or_refuses_transfers_with_the_fee_and_the_rule(world):
    from training.extensions import db
    from training.services import price_book

    sender_admin = Visitor(world, "Sue Sender", roles=["learner"])
    receiver_admin = Visitor(world, "Ray Receiver", roles=["learner"])
    sender = _org(sender_admin, "Fictional Dogwood School")
    receiver = _org(receiver_admin, "Fictional Elm School")
    total = _seats_total(world, sender)
    url = f"/organisations/{sender}/seats/transfers"
    for count in ("2", "1"):
        r = sender_admin.post(
            url, {"to_organisation_id": receiver, "count": count}, page=f"/organisations/{sender}"
        )
        assert r.status_code == 302
    with world["training"].app_context():
        _, book = price_book.current()
        unit = int(book["transfer_top_up_fee"])
        placeholder = bool(book.get("placeholder"))
        db.session.remove()

    admin = Visitor(world, "Tia Trainer", roles=["training_admin"])
    assert 'href="/admin/seat-transfers"' in admin.get("/admin").get_data(as_text=True)
    page = admin.get("/admin/seat-transfers")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and html.count("<h1") == 1
    assert "Fictional Dogwood School" in html and "Fictional Elm School" in html
    _labelled(html)
    from gateway.portal.plumbing import money

    assert money(unit * 2) in html
    assert ("Placeholder fee" in html) == placeholder

    # the receiver's own admin cannot decide: the admin pages are for training admins
    assert receiver_admin.get("/admin/seat-transfers").status_code == 403

    by_count = {}
    from training.models import SeatTransfer

    with world["training"].app_context():
        for t in db.session.query(SeatTransfer).filter_by(from_organisation_id=sender):
            by_count[t.count] = t.id
    two, one = by_count[2], by_count[1]

    r = admin.post(f"/admin/seat-transfers/{two}/approve", {}, page="/admin/seat-transfers")
    assert r.status_code == 302
    html = admin.client.get(r.headers["Location"], headers=HTML).get_data(as_text=True)
    assert (
        "Approved: 2 seats moved" in html
        and f"top-up fee of {money(unit * 2)} invoiced to Fictional Elm School" in html
    )
    assert _transfer_states(world, sender)[two] == "approved" and _seats_total(world, sender) == total - 2

    # deciding twice: the 409 rule is shown
    r = admin.post(f"/admin/seat-transfers/{two}/refuse", {"reason": "late"}, page="/admin/seat-transfers")
    html = admin.client.get(r.headers["Location"], headers=HTML).get_data(as_text=True)
    assert "Not refused" in html and "each request is decided once" in html
    assert _transfer_states(world, sender)[two] == "approved"

    # a reason too long: the error at that request's reason field; nothing is decided
    r = admin.post(f"/admin/seat-transfers/{one}/refuse", {"reason": "x" * 600}, page="/admin/seat-transfers")
    assert r.status_code == 400
    assert f'id="refuse-{one}-reason-error"' in r.get_data(as_text=True)
    assert _transfer_states(world, sender)[one] == "requested"

    r = admin.post(
        f"/admin/seat-transfers/{one}/refuse",
        {"reason": "Receiver has enough seats"},
        page="/admin/seat-transfers",
    )
    assert r.status_code == 302 and _transfer_states(world, sender)[one] == "refused"
    assert "Receiver has enough seats" in admin.get("/admin/seat-transfers?state=refused").get_data(
        as_text=True
    )
    assert _seats_total(world, sender) == total - 2
    # the sender's admin sees both requests with their state
    html = sender_admin.get(f"/organisations/{sender}").get_data(as_text=True)
    row = html[html.index('id="seat-transfers-caption"') :]
    assert "Approved" in row and "Refused" in row and "Receiver has enough seats" in row

    # approving when the sender no longer has the seats: the rule, and nothing moves
    r = sender_admin.post(
        url, {"to_organisation_id": receiver, "count": str(total - 2)}, page=f"/organisations/{sender}"
    )
    assert r.status_code == 302
    last = next(t for t, s in _transfer_states(world, sender).items() if s == "requested")
    from training.models import SeatCredit

    with world["training"].app_context():
        db.session.add(SeatCredit(organisation_id=sender, source="transfer_out", count=-1, created_by="test"))
        db.session.commit()
    r = admin.post(f"/admin/seat-transfers/{last}/approve", {}, page="/admin/seat-transfers")
    html = admin.client.get(r.headers["Location"], headers=HTML).get_data(as_text=True)
    assert "Not approved" in html, re.findall(r"(?:Approved|Not approved)[^<]*", html)
    assert "Enough unassigned seats free to transfer" in html
    assert _transfer_states(world, sender)[last] == "requested"


def test_the_elements_page_shows_the_policy_table_training_answers(world, monkeypatch):
    from training.rules import policy

    visitor = world["gateway"].test_client()
    html = visitor.get("/elements", headers=HTML).get_data(as_text=True)
    assert html.count("<h1") == 1
    assert 'id="organisation-kinds"' in html
    for row in policy.table()["kinds"]:
        assert f'id="kind-{row["kind"]}"' in html
        for f in row["forbidden"]:
            assert f["rule"] in html
    assert "Community services do not provide Tracker accounts." in html

    # a value that only the API has: the page follows training, not a copy in the portal
    monkeypatch.setitem(policy.ACTIONS, "fictional_action", "run a fictional lottery")
    monkeypatch.setitem(
        policy.FORBIDDEN,
        "school",
        {**policy.FORBIDDEN["school"], "fictional_action": "Schools run no fictional lottery."},
    )
    monkeypatch.setattr(policy, "KINDS", policy.KINDS + ("fictional_kind",))
    monkeypatch.setitem(policy.HOLDS, "fictional_kind", "A fictional kind only training knows.")
    monkeypatch.delitem(policy.FORBIDDEN["community_service"], "tracker_accounts")
    html = visitor.get("/elements", headers=HTML).get_data(as_text=True)
    assert "Schools run no fictional lottery." in html and "May not run a fictional lottery" in html
    assert 'id="kind-fictional_kind"' in html and "A fictional kind only training knows." in html
    assert "Community services do not provide Tracker accounts." not in html
