"""Every blueprint of the training API, listed explicitly (no discovery)."""


def register_blueprints(api, app):
    from . import internal

    app.register_blueprint(internal.bp)
    for module in _api_modules():
        api.register_blueprint(module.blp)


def _api_modules():
    modules = []
    # each domain module is added here explicitly as it is written
    from . import orders, organisations, people, price_book  # organisation side (issue 4)

    modules += [organisations, people, price_book, orders]
    from . import (  # membership by consent, signed completions (second contract)
        learning_platform,
        memberships,
    )

    modules += [memberships, learning_platform]
    from . import (  # people side (issue 5)
        bursaries,
        catalogue,
        directory,
        enrolments,
        interest,
        lead_professionals,
        packages,
        pathways,
        practitioner_licences,
    )

    modules += [
        catalogue,
        enrolments,
        pathways,
        packages,
        practitioner_licences,
        directory,
        interest,
        lead_professionals,
        bursaries,
    ]
    from . import notification_preferences  # issue 12

    modules += [notification_preferences]
    from . import reflective  # reflective tools (issue 11)

    modules += [reflective]
    from . import payments  # money from payment: the card provider's signed webhook

    modules += [payments]
    from . import seat_transfers  # seat transfers approved by I Matter Training (domain row 14)

    modules += [seat_transfers]
    from . import organisation_kinds  # the kind policy table as data (domain rows 54, 84, 85)

    modules += [organisation_kinds]
    from . import reference  # catalogue reference data, so clients hold no rule of their own

    modules += [reference]
    return modules
