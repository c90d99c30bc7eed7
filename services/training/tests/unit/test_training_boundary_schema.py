"""The boundary, checked in training's schema: no table or column whose name suggests
case-adjacent data (cases, consent, baseline and follow-up measures, scores, goals,
reflections, anything about a family, child or person being supported). Those live in
cic-tracker only (DOMAIN.md, "Two organisations, one boundary").

A name that matches but is not case data must be listed in ALLOWED with the reason, so each
exception is a reviewed decision rather than a silent drift.
"""

import re

import sqlalchemy as sa

# whole words of a snake_case name (after splitting on "_")
FORBIDDEN_WORDS = {
    "case",
    "cases",
    "consent",
    "consents",
    "baseline",
    "baselines",
    "score",
    "scores",
    "goal",
    "goals",
    "reflection",
    "reflections",
    "diagnosis",
    "diagnoses",
    "family",
    "families",
    "child",
    "children",
    "participant",
    "participants",
    "safeguarding",
    "wellbeing",
    "concern",
    "concerns",
    "assessment",
    "assessments",
    "referral",
    "referrals",
    "pupil",
    "pupils",
    "patient",
    "patients",
    "parent",
    "parents",
}
# word sequences that are case-adjacent only together
FORBIDDEN_PHRASES = [
    ("follow", "up"),
    ("followup",),
    ("young", "person"),
    ("child", "name"),
    ("case", "code"),
    ("case", "notes"),
]

ALLOWED = {
    (
        "packages",
        "cases_count",
    ): "a count reported by cic.practicum.completed (counts only cross the boundary)",
    (
        "seat_transfers",
        "consent_given_by",
    ): "the organisation's consent to move a seat (DOMAIN: credits are not "
    "transferred without explicit consent), not consent about a case",
    ("seat_transfers", "consent_given_at"): "as consent_given_by",
    (
        "level_3a_groups",
        "participants_count",
    ): "how many learners attend an in-house Foundation A group (a count)",
    (
        "q_responses",
        "section_scores",
    ): "the learner's own informal I Matter Q about themself (issue 11); the formal "
    "Q about a child or family lives in cic-tracker",
    # issue 11: the community audit version of the wheel is organisation-level and aggregate
    ("community_wheel_audits", "section_scores"): "an organisation's ratings of its community as a whole (no "
    "individual); the personalised wheel lives in cic-tracker",
    ("community_wheel_audits", "participants_count"): "how many took part in the community audit (a count)",
    # issue 21: a parent applying to be a Parent Mentor (their own learning, references and interview),
    # nothing about their family or child
    ("parent_mentor_applications", None): "an adult's application for a Parent Mentor place (seed 001): "
    "their learning, references and interview, no family or child data",
}


def words(name: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", name.lower()) if w]


def suspicious(name: str) -> bool:
    ws = words(name)
    if set(ws) & FORBIDDEN_WORDS:
        return True
    for phrase in FORBIDDEN_PHRASES:
        n = len(phrase)
        if any(tuple(ws[i : i + n]) == phrase for i in range(len(ws) - n + 1)):
            return True
    return False


def findings(metadata: sa.MetaData) -> list[str]:
    out = []
    for table in metadata.sorted_tables:
        if suspicious(table.name) and (table.name, None) not in ALLOWED:
            out.append(f"table {table.name}")
        for col in table.columns:
            if suspicious(col.name) and (table.name, col.name) not in ALLOWED:
                out.append(f"column {table.name}.{col.name}")
    return out


def training_metadata() -> sa.MetaData:
    from training import models  # noqa: F401  (importing registers every table)
    from training.extensions import db

    return db.metadata


def test_training_schema_holds_nothing_case_adjacent():
    metadata = training_metadata()
    assert len(metadata.tables) > 5  # the real schema was loaded
    found = findings(metadata)
    assert found == [], (
        "case-adjacent names in training's schema (move the data to cic-tracker, or add a "
        "reasoned entry to ALLOWED): " + ", ".join(found)
    )


def test_the_scan_catches_case_adjacent_names():
    md = sa.MetaData()
    sa.Table("microproject_cases", md, sa.Column("id", sa.String, primary_key=True))
    sa.Table(
        "people",
        md,
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("follow_up_at", sa.DateTime),
        sa.Column("child_name", sa.String),
        sa.Column("baseline", sa.JSON),
        sa.Column("goal_text", sa.Text),
        sa.Column("family_notes", sa.Text),
        sa.Column("name", sa.String),
        sa.Column("showcase", sa.String),
    )
    found = findings(md)
    assert found == [
        "table microproject_cases",
        "column people.follow_up_at",
        "column people.child_name",
        "column people.baseline",
        "column people.goal_text",
        "column people.family_notes",
    ]


def test_an_allowed_name_is_allowed_only_where_it_was_reviewed():
    md = sa.MetaData()
    sa.Table(
        "packages", md, sa.Column("id", sa.String, primary_key=True), sa.Column("cases_count", sa.Integer)
    )
    sa.Table("orders", md, sa.Column("id", sa.String, primary_key=True), sa.Column("cases_count", sa.Integer))
    assert findings(md) == ["column orders.cases_count"]
