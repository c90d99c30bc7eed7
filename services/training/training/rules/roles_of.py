"""Which practitioner roles a person holds or is training for (used for the `practitioner` role).

Replaced by the certification module when it exists; until then nobody is a practitioner.
"""


def practitioner_roles(person_id: str) -> list[str]:
    try:
        from ..certification_queries import roles_in_progress_or_certified
    except ImportError:
        return []
    return roles_in_progress_or_certified(person_id)
