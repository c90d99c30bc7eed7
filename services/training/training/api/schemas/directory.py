"""The public directory of certified practitioners: public fields only."""

from __future__ import annotations

from marshmallow import fields, pre_dump

from ...services import directory
from .base import Opt, Out, Str, When, With, page_of


class DirectoryEntryOut(Out):
    """Never an email or a person id: the entry's own id identifies it publicly."""

    id = Str()
    name = Str(attribute="display_name")
    locality = Opt()
    summary = Opt()
    certifications = fields.List(fields.Dict(), metadata={"description": "current certifications"})
    listed_since = When(attribute="opted_in_at")

    @pre_dump(pass_collection=True)
    def _with_certifications(self, entries, many, **kw):
        rows = entries if many else [entries]
        creds = directory.credentials_of([e.person_id for e in rows])  # a whole page in two queries
        out = [With(e, certifications=creds[e.person_id]) for e in rows]
        return out if many else out[0]


class DirectoryWithdrawnOut(Out):
    person_id = Str()
    listed = fields.Boolean()
    withdrawn_at = When()


class DirectoryEntryPage(page_of(DirectoryEntryOut)):
    # the items dumped as one collection, so `_with_certifications` gets the whole page and loads
    # its credentials in two queries (as `List(Nested())` each entry was dumped alone: 2 a row)
    items = fields.Nested(DirectoryEntryOut, many=True, required=True)
