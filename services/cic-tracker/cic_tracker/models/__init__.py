"""cic-tracker's tables, one module per aggregate. Importing this registers them all."""
from .messaging import InboxMessage, OutboxMessage  # noqa: F401
from .directory import (Certification, KnownOrganisation, KnownPerson, OrgAdmin, OrgLicence, OrgMembership,  # noqa: F401
                        PractitionerLicence)
from .hubs import Hub  # noqa: F401
from .catalogue import PackageType  # noqa: F401  (issue 16: package types learnt from training)
from .tracker import Area, Assessment, Case, Goal, Microproject, Reflection  # noqa: F401
from .consultations import Consultation  # noqa: F401
from .fund import FundAccount, FundApplication, FundAward, FundDecision, FundGift, FundReview, FundRound  # noqa: F401,E501
# notifications (issue 12): the email outbox, preferences and contact addresses
from .notifications import Notification, NotificationContact, NotificationPreference  # noqa: F401,E402
# reflective tools (issue 11): formal Q and personal wheel on a case, licence facts, Q bookings
from .reflective import CaseToolResponse, QRegistrationBooking, QuestionnaireVersion, ToolLicence  # noqa: F401,E402
# data protection (issue 8): the append-only audit trail and the breach register
from .dataprotection import AuditEvent, Breach  # noqa: F401,E402
