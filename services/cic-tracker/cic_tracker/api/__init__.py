"""Every blueprint of the cic-tracker API, listed explicitly (no discovery)."""


def register_blueprints(api, app):
    for module in _api_modules():
        api.register_blueprint(module.blp)


def _api_modules():
    from . import consultations, evaluation, fund, hubs, tracker
    from . import notification_preferences  # issue 12
    return [tracker, consultations, fund, hubs, evaluation, notification_preferences]
