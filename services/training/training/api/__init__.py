"""Every blueprint of the training API, listed explicitly (no discovery)."""

from . import (
    bursaries,
    catalogue,
    conditional,
    credentials,
    directory,
    enrolments,
    exports,
    interest,
    internal,
    lead_professionals,
    learning_platform,
    lp_licences,
    memberships,
    microproject_plans,
    notification_preferences,
    orders,
    organisation_kinds,
    organisations,
    packages,
    parent_mentors,
    pathways,
    payments,
    people,
    practice_guidelines,
    practitioner_licences,
    price_book,
    reference,
    reflective,
    seat_transfers,
    study_support,
    study_supporters,
)

# in the order the OpenAPI document lists them
API_MODULES = (
    organisations,  # the organisation side: organisations, licences, seats
    people,
    price_book,
    orders,
    memberships,  # membership by consent
    learning_platform,  # signed completions from the learning platform
    catalogue,  # the people side: catalogue, learning, pathways, packages ...
    enrolments,
    pathways,
    packages,
    practitioner_licences,
    directory,
    interest,
    lead_professionals,
    lp_licences,  # Lead Professional licences, scopes, specialist licences (issue 21)
    bursaries,
    notification_preferences,
    reflective,  # reflective tools
    payments,  # money from payment: the card provider's signed webhook
    seat_transfers,  # seat transfers approved by I Matter Training (domain row 14)
    organisation_kinds,  # the kind policy table as data (domain rows 54, 84, 85)
    reference,  # catalogue reference data, so clients hold no rule of their own
    exports,  # CSV downloads for staff
    credentials,  # Open Badges 3.0 credentials of certifications (issue 21)
    study_support,  # study support series, sessions, bookings, attendance, buddies (issue 21)
    study_supporters,  # volunteer study supporters (issue 21)
    microproject_plans,  # planning tools, no case data (issue 21, decision 0063)
    practice_guidelines,  # versioned guidelines and acknowledgements (decision 0064)
    parent_mentors,  # Parent Mentor applications and places (issue 21, decision 0058)
)


def register_blueprints(api, app):
    app.register_blueprint(internal.bp)  # the gateway's own calls: not in the public OpenAPI
    conditional.register(app)  # ETag, Cache-Control and 304 on the public catalogue reads
    for module in API_MODULES:
        api.register_blueprint(module.blp)
