"""The codes integration events carry (roles, licence types and statuses, membership statuses,
organisation kinds): declared once, used by the catalogue's schemas and by both services."""

ROLE_CODES = ("informed", "senior_link", "link", "child", "lead", "lead_plus")
LICENCE_TYPES = ("starter", "cpd", "enhanced")
# "suspended" : in date, but its Starter Licence has
# expired, so what depends on it stops until the Starter is renewed (nothing is deleted)
LICENCE_STATUSES = ("active", "expired", "cancelled", "superseded", "suspended")
MEMBERSHIP_STATUSES = ("active", "ended")
ORGANISATION_KINDS = (
    "school",
    "primary_care",
    "community_service",
    "locality_hub",
    "commissioner",
    "other_service",
)
