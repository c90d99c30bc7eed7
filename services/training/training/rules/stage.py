"""The implementation stage 0-5 (DOMAIN.md "Implementation stages", seed 000), derived from
plain counts, never stored, with the next steps to show the organisation."""

from __future__ import annotations

STAGES = {
    0: "Not yet engaged",
    1: "Engagement",
    2: "Shared learning",
    3: "Workforce",
    4: "Practitioners",
    5: "Microprojects",
}


def stage(*, learners: int, practitioners: int, microprojects: int, starter: bool) -> int:
    """0 not yet engaged until an active Starter Licence (DOMAIN "Rulings" -> Stages; nothing
    else counts before it), 1 engagement (Starter, link contact), 2 one or two staff
    on L1-2, 3 L1-2 beyond two staff, 4 a Link/Child/Lead in training or certified, 5 a
    microproject with 1-3 cases under way. The highest stage reached counts."""
    if not starter:
        return 0
    if microprojects > 0:
        return 5
    if practitioners > 0:
        return 4
    if learners > 2:
        return 3
    if learners > 0:
        return 2
    return 1


def next_steps(
    *,
    stage_no: int,
    starter: bool,
    cpd: bool,
    enhanced: bool,
    senior_leadership_commitment: bool,
    seats_available: int,
    learners: int,
) -> list[str]:
    """Plain-language next steps for the organisation, most urgent first."""
    steps: list[str] = []
    if not senior_leadership_commitment:
        steps.append("Record senior leadership commitment (needed for the Starter Licence).")
    if not starter:
        steps.append(
            "Take out (or renew) the Starter Licence: it is the entry point and comes before anything else "
            "(stage 0 'Not yet engaged' until it is active)."
        )
    if stage_no <= 2 and starter and not cpd:
        steps.append(
            "Take out the CPD Licence to get online L1-2 account credits, or use bursary-funded places."
        )
    if stage_no == 0:
        pass  # nothing else counts until the Starter Licence is active
    elif stage_no == 1:
        steps.append("Start 1-2 staff on Level 1-2 learning.")
        steps.append("Consider guided study support to help turn learning into practice.")
    elif stage_no == 2:
        steps.append(
            "Extend Level 1-2 learning beyond the first staff for team consistency and a shared language."
        )
    elif stage_no == 3:
        steps.append("Start a Link, Child or Lead practitioner on their training pathway.")
    elif stage_no == 4:
        if not enhanced:
            steps.append("Take out the Enhanced Practice Licence: it is needed for microproject packages.")
        steps.append("Buy a microproject package and start a microproject with 1-3 cases.")
    else:
        steps.append("Complete the microproject practicum and review what works before scaling.")
        if not enhanced:
            steps.append("Renew the Enhanced Practice Licence to keep using microproject packages.")
    if cpd and seats_available == 0 and stage_no >= 2:
        steps.append("All online L1-2 accounts are in use: buy an extra seat bundle to add staff.")
    return steps


def oversight_steps(
    *, stage_no: int, child_practitioners: int, lead_plus: int, lead_plus_in_training: int, leads: int
) -> list[str]:
    """Steps naming the Lead Plus role (domain rows 29, 30, 45; DOMAIN.md "Rulings"): a Child
    practitioner's Type 1 practicum needs a Lead Plus overseer and their certification a Lead in
    the organisation; "a full strategy will require a Lead Plus role offering oversight" (seed 000).
    Counts are of ACTIVE (accepted) members: certified (`lead_plus`, `leads`: Lead or Lead Plus)
    or, for `lead_plus_in_training`, with Lead Plus training booked."""
    steps: list[str] = []
    if child_practitioners and not lead_plus:
        steps.append(
            "A Child practitioner's Type 1 practicum needs a Lead Plus overseer: "
            + (
                "complete your Lead Plus practitioner's training, "
                if lead_plus_in_training
                else "train a Lead Plus practitioner, "
            )
            + "or ask I Matter Training to assign one of its own Lead Plus practitioners."
        )
    if child_practitioners and not leads:
        steps.append(
            "Child certification needs a certified Lead (or Lead Plus) practitioner in the organisation "
            "for oversight: start a Lead practitioner on their pathway."
        )
    if stage_no >= 4 and not child_practitioners and not lead_plus and not lead_plus_in_training:
        steps.append(
            "Plan a Lead Plus practitioner: a full strategy needs Lead Plus oversight of Lead, "
            "Child and Link practitioners."
        )
    return steps
