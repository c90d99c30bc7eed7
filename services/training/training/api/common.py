"""Small helpers shared by the blueprints (pagination, the training-admin check)."""

from __future__ import annotations

from imatter_shared.web.errors import Forbidden
from imatter_shared.web.paging import PageArgs, page, paged  # noqa: F401  (one paging rule for every list)

from ..authz import caller


def require_training_admin():
    c = caller()
    if not c.is_training_admin:
        raise Forbidden("This needs the training_admin role.")
    return c
