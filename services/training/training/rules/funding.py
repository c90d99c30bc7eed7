"""Who pays, as the `funding` values the API accepts: for an enrolment on a course and for a
microproject package. The one list of codes (services/learning.py and services/packages.py read
it), what each is called and who may choose it."""

from __future__ import annotations

PERSON, ORGANISATION_ADMIN, TRAINING_ADMIN = "person", "organisation_admin", "training_admin"

# code -> (label, who may choose it). Why: a learner pays for themself only (`self`); CPD seats and
# bursary places are the organisation's decision, its admin places a member (domain row 80); a
# package's online accounts are for its practitioner and the members its admin assigns.
ENROLMENT_FUNDINGS: dict[str, tuple[str, tuple[str, ...]]] = {
    "cpd_credit": ("Organisation CPD credit", (ORGANISATION_ADMIN, TRAINING_ADMIN)),
    "package": ("Microproject package account", (PERSON, ORGANISATION_ADMIN, TRAINING_ADMIN)),
    "bursary": ("Bursary or funded place", (ORGANISATION_ADMIN, TRAINING_ADMIN)),
    "self": ("Self-funded", (PERSON,)),
}

# code -> label: who pays for a microproject package bought for a practitioner
PACKAGE_FUNDINGS: dict[str, str] = {
    "organisation": "The organisation",
    "self": "The practitioner",
    "fund_award": "A Microproject Development Fund award",
}


def enrolment_fundings() -> list[dict]:
    return [
        {"code": code, "label": label, "chosen_by": list(who)}
        for code, (label, who) in ENROLMENT_FUNDINGS.items()
    ]


def learner_fundings() -> list[dict]:
    """What a learner may choose for themself, paying themself first (the usual choice)."""
    mine = [f for f in enrolment_fundings() if PERSON in f["chosen_by"]]
    return sorted(mine, key=lambda f: f["code"] != "self")


def package_fundings() -> list[dict]:
    return [{"code": code, "label": label} for code, label in PACKAGE_FUNDINGS.items()]
