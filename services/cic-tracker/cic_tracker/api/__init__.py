"""Every blueprint of the cic-tracker API, listed explicitly (no discovery)."""


def register_blueprints(api, app):
    for module in _api_modules():
        api.register_blueprint(module.blp)


def _api_modules():
    from . import (
        consultations,
        evaluation,
        fund,
        hubs,
        notification_preferences,  # issue 12
        reflective,  # reflective tools (issue 11): formal Q, personal wheel, Q bookings
        scale,  # the score ranges, public so clients hold no copy of them
        tracker,
    )

    return [reflective, tracker, scale, consultations, fund, hubs, evaluation, notification_preferences]
