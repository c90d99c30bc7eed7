"""People as the API answers them."""

from __future__ import annotations

from .base import Opt, Out, Str, When

PRIVATE = ("email", "user_id")  # an organisation admin sees what the organisation needs, not these


class PersonOut(Out):
    """`email` and `user_id` are shown to the person themself and training admins only."""

    id = Str()
    name = Str()
    email = Opt()
    kind = Str()
    user_id = Opt()
    created_at = When()
