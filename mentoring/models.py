"""Every table, imported in one place so metadata (and Alembic) sees them all."""

from mentoring.accounts.models import FacilitatorApplication, RoleAssignment, User, UserSession
from mentoring.audit.models import AuditEntry
from mentoring.availability.models import AvailabilityWindow, CalendarFeed, CircleInterest
from mentoring.billing.models import LocalCheckoutSession, Payment, Refund, WebhookEvent
from mentoring.buddies.models import BuddyApart, BuddyPair, BuddyPairMember, PracticeSession
from mentoring.circles.models import Attendance, Circle, CircleAgreement, Enrollment, Meeting
from mentoring.conversations.models import Announcement, Message, MessageReport, Thread
from mentoring.growth.models import CheckIn, CheckInPreference, Goal, GoalNote
from mentoring.jobs.models import SchedulerHeartbeat
from mentoring.notify.models import Notification
from mentoring.outcomes.models import OutcomeMeasure, PulseResponse
from mentoring.sponsors.models import (
    EmployeeLink,
    InviteCode,
    Organization,
    OrganizationDomain,
    ReportMonth,
    SeatClaim,
    SeatPool,
    SponsorInvite,
)

__all__ = [
    "Announcement",
    "Attendance",
    "AuditEntry",
    "AvailabilityWindow",
    "BuddyApart",
    "BuddyPair",
    "BuddyPairMember",
    "CalendarFeed",
    "CircleInterest",
    "CheckIn",
    "CheckInPreference",
    "Circle",
    "CircleAgreement",
    "EmployeeLink",
    "Enrollment",
    "FacilitatorApplication",
    "Goal",
    "GoalNote",
    "InviteCode",
    "LocalCheckoutSession",
    "Meeting",
    "Message",
    "MessageReport",
    "Notification",
    "OutcomeMeasure",
    "Organization",
    "OrganizationDomain",
    "Payment",
    "PracticeSession",
    "PulseResponse",
    "Refund",
    "ReportMonth",
    "RoleAssignment",
    "SchedulerHeartbeat",
    "SeatClaim",
    "SeatPool",
    "SponsorInvite",
    "Thread",
    "User",
    "UserSession",
    "WebhookEvent",
]
