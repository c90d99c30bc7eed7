"""Training's tables, one module per aggregate. Importing this registers them all."""

from imatter_shared.dataprotection import annotate

from ..extensions import db
from .bursaries import BursaryEntry, BursaryFund  # noqa: F401
from .certification import Certification, PathwayItem  # noqa: F401
from .credentials import Credential  # noqa: F401
from .dataprotection import ANNOTATIONS, AuditEvent, Breach  # noqa: F401
from .directory import DirectoryCounter, DirectoryEntry  # noqa: F401
from .idempotency import IdempotencyKey  # noqa: F401
from .interest import Interest  # noqa: F401
from .lead_professionals import (  # noqa: F401
    LeadProfessionalApplication,
    Level3AGroup,
    ObligationRecord,
    StudySupporterApplication,
)
from .learning import Enrolment, LearningAccount  # noqa: F401
from .licences import Licence  # noqa: F401
from .lp_licences import LeadProfessionalLicence  # noqa: F401
from .messaging import InboxMessage, OutboxMessage, SchedulerRun  # noqa: F401
from .microproject_plans import GuidelinesAcknowledgement, MicroprojectPlan, PracticeGuidelinesVersion  # noqa: F401
from .notifications import Notification, NotificationPreference  # noqa: F401
from .orders import Invoice, Order, OrderLine, PaymentEvent  # noqa: F401
from .organisations import Membership, Organisation, OrganisationAdmin  # noqa: F401
from .packages import FundAward, Package, PackageAccountGrant  # noqa: F401
from .parent_mentors import ParentMentorApplication  # noqa: F401
from .people import Person  # noqa: F401
from .practitioner_licences import PractitionerLicence  # noqa: F401
from .price_book import PriceBookVersion  # noqa: F401
from .reflective import (  # noqa: F401
    CommunityAudit,
    CommunityWheelLicence,
    QRegistration,
    QResponse,
    QuestionnaireVersion,
)
from .seats import SeatAssignment, SeatCredit, SeatTransfer  # noqa: F401
from .study_support import (  # noqa: F401
    StudySupportBooking,
    StudySupportBuddy,
    StudySupportSeries,
    StudySupportSession,
)

# The processing register's annotations (models/dataprotection.py), applied once every table above
# is declared: annotating at import time would miss the tables imported after it.
annotate(db.metadata, ANNOTATIONS)
