"""The public directory of certified practitioners: public fields only."""

from __future__ import annotations

from marshmallow import fields

from .base import Opt, Out, Str, When, page_of


class DirectoryEntryOut(Out):
    """Never an email or a person id: the entry's own id identifies it publicly."""

    id = Str()
    name = Str()
    locality = Opt()
    summary = Opt()
    certifications = fields.List(fields.Dict(), metadata={"description": "current certifications"})
    listed_since = When()


class DirectoryWithdrawnOut(Out):
    person_id = Str()
    listed = fields.Boolean()
    withdrawn_at = When()


DirectoryEntryPage = page_of(DirectoryEntryOut)
