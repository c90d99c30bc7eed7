"""Shared bits of the API modules: paging arguments and the no-store header for case data."""

from imatter_shared.web.paging import PageArgs, paged  # noqa: F401  (per_page above 100 is read as 100)


def no_store(response):
    """Case data must never sit in a browser or proxy cache."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response
