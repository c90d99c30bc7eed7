"""Every blueprint of the cic-tracker API, listed explicitly (no discovery)."""

from . import (
    consultations,
    evaluation,
    exports,
    fund,
    hubs,
    notification_preferences,
    reflective,  # reflective tools: formal Q, personal wheel, Q bookings
    scale,  # the score ranges, public so clients hold no copy of them
    tracker,
)

API_MODULES = (
    reflective,
    tracker,
    scale,
    consultations,
    fund,
    hubs,
    evaluation,
    notification_preferences,
    exports,
)


def register_blueprints(api, app):
    for module in API_MODULES:
        api.register_blueprint(module.blp)
