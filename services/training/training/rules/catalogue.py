"""The course and package catalogue (seeds 000, 001), read from the price book in force.

The tables are data I Matter Training edits without a release: courses, package types and their
prices live in the versioned price book (services/price_book.py, seeded from the seeds' published
prices, placeholders labelled; the package types' defaults and structure come from the shared
contract table, imatter_shared.contract.packages). This module only reads them: the public
names below (`COURSES`, `COURSES_BY_CODE`, `L1_2_COURSES`, `PACKAGE_TYPES_BY_TYPE`, ...) are
live views of the current version, read afresh on every use (outside an application context
they show the seed catalogue, for pure unit tests).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence

from ..price_book_seed import PLACEHOLDER_BOOK

PUBLISHED = "published"
PLACEHOLDER = "placeholder"


# Where the catalogue in force is read from: the app factory points it at the price book
# (services/price_book.py, which itself reads these rules to check a version, so the rules cannot
# import it). Until then, as in pure unit tests, the seed catalogue.
_source: Callable[[], dict] = lambda: PLACEHOLDER_BOOK  # noqa: E731


def read_from(source: Callable[[], dict]) -> None:
    """Read the catalogue tables from `source` (the price book in force) from now on."""
    global _source
    _source = source


def tables() -> dict:
    """The catalogue part of the price book in force (shared: do not mutate)."""
    return _source()


class Memo:
    """`compute(tables)` worked out once per price-book version: the tables in force are one
    shared object per stored version, never mutated (services/price_book.py), so the answer for
    the same object is the same answer. Computed again whenever another version is in force."""

    def __init__(self, compute):
        self._compute = compute
        self._last: tuple[dict, object] | None = None  # (tables, result): the reference keeps its id

    def __call__(self, t: dict):
        last = self._last
        if last is not None and last[0] is t:
            return last[1]
        result = self._compute(t)
        self._last = (t, result)  # one tuple assignment: a thread sees the old pair or the new
        return result


class _LiveList(Sequence):
    """A read-only list computed from the current price book on every use."""

    def __init__(self, compute):
        self._compute = Memo(compute)

    def _items(self):
        return self._compute(tables())

    def __getitem__(self, i):
        return copy.deepcopy(self._items()[i])

    def __len__(self):
        return len(self._items())

    def __iter__(self):
        return iter(copy.deepcopy(list(self._items())))

    def __contains__(self, value):
        return value in self._items()

    def __eq__(self, other):
        return list(self._items()) == list(other)

    def __repr__(self):
        return f"Live({list(self._items())!r})"


class _LiveMap(Mapping):
    """A read-only mapping computed from the current price book on every use."""

    def __init__(self, compute):
        self._compute = Memo(compute)

    def _map(self):
        return self._compute(tables())

    def __getitem__(self, key):
        return copy.deepcopy(self._map()[key])

    def peek(self, key, default=None):
        """The shared row itself, for a caller that only reads it (the pathway rules, hundreds
        of times per request): do not mutate. [] and get() give a copy."""
        return self._map().get(key, default)

    def __iter__(self):
        return iter(list(self._map()))

    def __len__(self):
        return len(self._map())

    def __contains__(self, key):
        return key in self._map()

    def __repr__(self):
        return f"Live({self._map()!r})"


def _codes(pred):
    return lambda t: tuple(c["code"] for c in t["courses"] if pred(c))


def _is_l1_2(c: dict) -> bool:
    return c["level"] in (1, 2) and c["kind"] == "online_course"


# kind: online_course (an online L1-2 account is needed), session (study support, consolidation),
#       training (practitioner role training), practicum, preparation.
COURSES: Sequence = _LiveList(lambda t: t["courses"])
COURSES_BY_CODE: Mapping = _LiveMap(lambda t: {c["code"]: c for c in t["courses"]})

# "L1-2 completion" means Foundation and Intermediate completed (DOMAIN.md "Learning").
L1_2_COURSES: Sequence = _LiveList(_codes(_is_l1_2))
FOUNDATION_COURSES: Sequence = _LiveList(_codes(lambda c: c["level"] == 1 and c["kind"] == "online_course"))
# an online L1-2 account (one seat) opens these; Awareness is open access and needs no seat
ACCOUNT_COURSES: Sequence = _LiveList(_codes(lambda c: c.get("online_account", _is_l1_2(c))))

# the package types as the price book in force sells them (figures an admin may edit); what each
# type means (set-up, overseer, completion, 1-3 cases) is the contract table, read by both services
PACKAGE_TYPES: Sequence = _LiveList(lambda t: t["package_types"])
PACKAGE_TYPES_BY_TYPE: Mapping = _LiveMap(lambda t: {p["type"]: p for p in t["package_types"]})

# What the personal resource licence allows (seed 001 i): held by anyone who has accessed
# L1 or L2. (The seed also names buyers of course notes or posters; those are not sold on the
# platform, so no page or response promises them: README "Assumptions", domain row 52.)
RESOURCE_LICENCE = {
    "allows": [
        "use the resources to help yourself and your own family",
        "use the resources informally with your own immediate pupils, patients or clients",
        "share and show the resources, and work in a team with others",
    ],
    "does_not_allow": [
        "training others in I Matter",
        "formally supporting others in I Matter (until Lead Professional application and certification)",
        "using the informal I Matter Q formally outside a licensed pathway",
    ],
}
