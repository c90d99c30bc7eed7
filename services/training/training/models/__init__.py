"""Training's tables, one module per aggregate. Importing this registers them all."""
from .messaging import InboxMessage, OutboxMessage  # noqa: F401
from .people import Person  # noqa: F401
from .organisations import Membership, Organisation, OrganisationAdmin  # noqa: F401
