"""The CIC's CSV downloads, read back with the csv module: the evaluation summary keeps its
suppressed cells empty and carries no case text; the fund's rounds and ledger add up to the API."""

import csv
import io
import uuid

import pytest

MARK = "PRIVATE-TEXT-9d2f"


def _rows(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_commissioners_download_the_evaluation_summary_with_small_cells_left_empty(client, cic, consent):
    person, headers = cic.person()
    for n in range(2):  # a package holds at most 3 cases: two make a cell of 6
        big = cic.package(person, package_type=4, tracker_uses=9)
        for i in range(3):
            cic.case_with_change(client, big, headers, consent, f"{MARK}-{n}{i}", 2, 2 + i, notes=MARK)
    small = cic.package(person, package_type=3, tracker_uses=6)
    cic.case_with_change(client, small, headers, consent, f"{MARK}-s", 5, 9, notes=MARK)
    user = "u-comm-" + uuid.uuid4().hex[:6]
    commissioner = cic.keys.headers(user_id=user)
    assert client.get("/api/v1/cic/exports/evaluation-summary.csv", headers=commissioner).status_code == 403
    cic.feed(
        "training.organisation_admin.changed",
        {
            "organisation_id": "org-comm",
            "user_id": user,
            "status": "active",
            "organisation_kind": "commissioner",
        },
    )
    r = client.get("/api/v1/cic/exports/evaluation-summary.csv", headers=commissioner)
    rows = _rows(r)
    assert MARK not in r.get_data(as_text=True)
    api = client.get("/api/v1/evaluation/summary", headers=commissioner).get_json()
    cells = {row["package_type"]: row for row in rows}
    assert cells["4"]["cases"] == "6" and cells["4"]["suppressed"] == "no"
    assert float(cells["4"]["average_change_communication"]) == 1.0
    assert cells["3"]["cases"] == "" and cells["3"]["suppressed"] == "yes"
    assert cells["3"]["average_change_communication"] == ""
    assert cells["all"]["microprojects"] == str(api["totals"]["microprojects"])
    assert len(rows) == len(api["cells"]) + 1


@pytest.mark.parametrize(
    "path", ["/api/v1/cic/exports/fund-rounds.csv", "/api/v1/cic/exports/fund-ledger.csv"]
)
def test_only_fund_staff_download_the_fund(client, cic, path):
    assert client.get(path).status_code == 401
    assert client.get(path, headers=cic.fundable()[1]).status_code == 403
    assert client.get(path, headers=cic.staff("fund_reviewer")).status_code == 200


def test_the_fund_ledger_and_rounds_add_up_to_the_api(client, cic):
    applicant = cic.fundable()
    staff = cic.staff("cic_staff", "fund_reviewer")
    cic.funded(client, 20000)
    pledge = client.post(
        "/api/v1/fund/gifts", json={"amount": 999, "name": "=cmd|' /C calc'!A0"}, headers=staff
    )
    assert pledge.status_code == 201  # a pledge never counts, so it is not in the ledger
    app = client.post(
        "/api/v1/fund/applications",
        json={
            "practitioner_id": applicant[0],
            "organisation_id": applicant[2],
            "package_type": 1,
            "summary": MARK,
        },
        headers=applicant[1],
    ).get_json()
    client.post(f"/api/v1/fund/rounds/{app['round_id']}/close", headers=staff)
    cic.reviewed(client, app["id"])
    r = client.post(
        f"/api/v1/fund/applications/{app['id']}/decision", json={"outcome": "awarded"}, headers=staff
    )
    assert r.status_code == 200, r.get_json()

    ledger = client.get("/api/v1/fund/ledger", headers=staff).get_json()
    rows = _rows(client.get("/api/v1/cic/exports/fund-ledger.csv", headers=staff))
    assert [r["kind"] for r in rows] == ["gift", "award"]
    assert sum(int(r["amount_pence"]) for r in rows) == ledger["balance"] == int(rows[-1]["balance_pence"])
    assert rows[-1]["balance_gbp"] == f"{ledger['balance'] / 100:.2f}"
    assert rows[1]["application_id"] == app["id"]

    r = client.get("/api/v1/cic/exports/fund-rounds.csv", headers=staff)
    assert MARK not in r.get_data(as_text=True)  # no application summary
    rounds = {row["round_id"]: row for row in _rows(r)}
    decided = rounds[app["round_id"]]
    assert (decided["state"], decided["applications"], decided["awarded"]) == ("decided", "1", "1")
    assert decided["amount_awarded_pence"] == str(ledger["awards_total"]) == "15000"
    assert decided["amount_awarded_gbp"] == "150.00"
