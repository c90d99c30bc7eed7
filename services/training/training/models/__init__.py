"""Training's tables, one module per aggregate. Importing this registers them all."""

from .bursaries import BursaryEntry, BursaryFund  # noqa: F401,E402
from .certification import Certification, PathwayItem  # noqa: F401,E402

# data protection (issue 8): the append-only audit trail and the breach register
from .dataprotection import AuditEvent, Breach  # noqa: F401,E402
from .directory import DirectoryEntry  # noqa: F401,E402
from .interest import Interest  # noqa: F401,E402
from .lead_professionals import (  # noqa: F401,E402
    LeadProfessionalApplication,
    Level3AGroup,
    ObligationRecord,
    StudySupporterApplication,
)

# people side (issue 5): learning, certification, packages
from .learning import Enrolment, LearningAccount  # noqa: F401,E402
from .licences import Licence  # noqa: F401,E402
from .messaging import InboxMessage, OutboxMessage  # noqa: F401

# notifications (issue 12): the email outbox and preferences
from .notifications import Notification, NotificationPreference  # noqa: F401,E402
from .orders import Invoice, Order, OrderLine, PaymentEvent  # noqa: F401,E402
from .organisations import Membership, Organisation, OrganisationAdmin  # noqa: F401
from .packages import FundAward, Package, PackageAccountGrant  # noqa: F401,E402
from .people import Person  # noqa: F401

# people side (issue 5), continued: licences, bursaries, directory, interest, Lead Professionals
from .practitioner_licences import PractitionerLicence  # noqa: F401,E402

# organisation side (issue 4): price book, licences, orders, seats
from .price_book import PriceBookVersion  # noqa: F401,E402

# reflective tools (issue 11): questionnaire versions, informal Q, community wheel, Q registrations
from .reflective import CommunityAudit, CommunityWheelLicence, QRegistration, QResponse, QuestionnaireVersion  # noqa: F401,E402
from .seats import SeatAssignment, SeatCredit, SeatTransfer  # noqa: F401,E402
