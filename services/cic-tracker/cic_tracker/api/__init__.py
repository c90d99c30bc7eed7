"""Every blueprint of the cic-tracker API, listed explicitly (no discovery)."""


def register_blueprints(api, app):
    for module in _api_modules():
        api.register_blueprint(module.blp)


def _api_modules():
    modules = []
    # each domain module is added here explicitly as it is written
    return modules
