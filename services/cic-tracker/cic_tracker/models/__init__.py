"""cic-tracker's tables, one module per aggregate. Importing this registers them all."""
from .messaging import InboxMessage, OutboxMessage  # noqa: F401
