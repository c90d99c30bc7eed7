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

# code -> (label, who may choose it): who pays for a microproject package bought for a
# practitioner. Why: nobody is billed for what they did not choose: the practitioner (`person`)
# alone pays for themself, only an admin commits the organisation's money; a Microproject
# Development Fund award is already granted, so whoever may buy the package may spend it.
PACKAGE_FUNDINGS: dict[str, tuple[str, tuple[str, ...]]] = {
    "organisation": ("The organisation", (ORGANISATION_ADMIN, TRAINING_ADMIN)),
    "self": ("The practitioner", (PERSON,)),
    "fund_award": ("A Microproject Development Fund award", (PERSON, ORGANISATION_ADMIN, TRAINING_ADMIN)),
}


def may_choose(who: tuple[str, ...], *, person: bool, organisation_admin: bool, training_admin: bool) -> bool:
    """Whether a caller may choose a funding chosen by `who`: `person` when the caller is the
    person it is for (the learner, the practitioner), the others when the caller holds that role."""
    return (
        (PERSON in who and person)
        or (ORGANISATION_ADMIN in who and organisation_admin)
        or (TRAINING_ADMIN in who and training_admin)
    )


def _rows(table: dict[str, tuple[str, tuple[str, ...]]]) -> list[dict]:
    return [{"code": code, "label": label, "chosen_by": list(who)} for code, (label, who) in table.items()]


def enrolment_fundings() -> list[dict]:
    return _rows(ENROLMENT_FUNDINGS)


def learner_fundings() -> list[dict]:
    """What a learner may choose for themself, paying themself first (the usual choice)."""
    mine = [f for f in enrolment_fundings() if PERSON in f["chosen_by"]]
    return sorted(mine, key=lambda f: f["code"] != "self")


def package_fundings() -> list[dict]:
    return _rows(PACKAGE_FUNDINGS)
