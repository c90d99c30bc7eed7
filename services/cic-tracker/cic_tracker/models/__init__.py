"""cic-tracker's tables, one module per aggregate. Importing this registers them all."""

from imatter_shared.dataprotection import annotate

from ..extensions import db
from .catalogue import PackageType  # noqa: F401  (package types learnt from training)
from .consultations import Consultation  # noqa: F401

# data protection: the append-only audit trail and the breach register
from .dataprotection import ANNOTATIONS, AuditEvent, Breach  # noqa: F401
from .directory import (  # noqa: F401
    Certification,
    KnownOrganisation,
    KnownPerson,
    OrgAdmin,
    OrgLicence,
    OrgMembership,
    PractitionerLicence,
)
from .fund import FundAccount, FundApplication, FundAward, FundDecision, FundGift, FundReview, FundRound  # noqa: F401
from .guidelines import GuidelinesAcknowledgement, GuidelinesVersion  # noqa: F401
from .hubs import Hub  # noqa: F401
from .messaging import InboxMessage, OutboxMessage, SchedulerRun  # noqa: F401

# notifications: the email outbox, preferences and contact addresses
from .notifications import Notification, NotificationContact, NotificationPreference  # noqa: F401

# reflective tools: formal Q and personal wheel on a case, licence facts, Q bookings
from .reflective import CaseToolResponse, QRegistrationBooking, QuestionnaireVersion, ToolLicence  # noqa: F401
from .tracker import Area, Assessment, Case, Goal, Microproject, Reflection  # noqa: F401

# The processing register's annotations (models/dataprotection.py), applied once every table above
# is declared: annotating at import time would miss the tables imported after it.
annotate(db.metadata, ANNOTATIONS)
