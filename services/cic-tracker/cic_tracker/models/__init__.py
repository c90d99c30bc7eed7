"""cic-tracker's tables, one module per aggregate. Importing this registers them all."""
from .messaging import InboxMessage, OutboxMessage  # noqa: F401
from .directory import Certification, KnownPerson, OrgLicence, OrgMembership  # noqa: F401
from .hubs import Hub  # noqa: F401
from .tracker import Area, Assessment, Case, Goal, Microproject, Reflection  # noqa: F401
from .consultations import Consultation  # noqa: F401
from .fund import FundApplication, FundAward, FundDecision, FundGift, FundReview, FundRound  # noqa: F401
