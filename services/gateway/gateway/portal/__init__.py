"""The public portal: server-rendered pages in the gateway, over the same public APIs.

`register_portal(app)` is called by the gateway's app factory. It sets the session cookie
(`__Host-imatter`: Secure, HttpOnly, SameSite=Lax, Path=/, signed by SECRET_KEY; it holds
the access token and the CSRF token) and registers the pages, whose responses all carry
the security headers (plumbing.SECURITY_HEADERS).

Layout: plumbing (the blueprint, hooks, the signed-in user) <- reads, questionnaires (what
several pages read) <- pages/* (one module per page family, none importing another).
"""

from __future__ import annotations

from flask import Flask

from . import plumbing, reads  # noqa: F401  (reads adds the template globals to plumbing.bp)
from .forms import csrf_token, idempotency_key, pounds

# importing a page family adds its routes to plumbing.bp
from .pages import (  # noqa: F401
    accounts,
    admin,
    admin_learners,
    api_reference,
    bursaries,
    case_notes,
    cases,
    cic_admin,
    cic_finance,
    cic_practice,
    cic_staff,
    community_audit,
    credentials,
    downloads,
    finance,
    invoices,
    lead_professionals,
    lead_professionals_admin,
    learning,
    licence_renewal,
    lp_licences,
    membership_end,
    memberships,
    microproject_hub,
    organisation_settings,
    organisations,
    package_accounts,
    parent_mentors,
    password_change,
    plans,
    practice_guidelines_admin,
    practitioner,
    price_book,
    price_book_versions,
    profile,
    public,
    q_registration,
    q_response_delete,
    resource_licence,
    seat_transfers,
    study_support,
    study_supporters,
    tracker,
    verification,
)


def register_portal(app: Flask) -> None:
    insecure = str(app.config.get("PORTAL_INSECURE_COOKIES") or "") == "1"
    app.config.update(plumbing.cookie_settings(insecure))
    app.register_blueprint(plumbing.bp)
    app.jinja_env.filters["money"] = plumbing.money
    app.jinja_env.filters["pounds"] = pounds  # a money input's value: pounds.pence
    app.jinja_env.globals["csrf_token"] = csrf_token  # globals reach imported macros too
    app.jinja_env.globals["idempotency_key"] = idempotency_key
    app.register_error_handler(404, plumbing.not_found)
