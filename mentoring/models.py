"""Every table, imported in one place so metadata (and Alembic) sees them all."""

from mentoring.accounts.models import FacilitatorApplication, RoleAssignment, User, UserSession
from mentoring.audit.models import AuditEntry
from mentoring.availability.models import AvailabilityWindow, CalendarFeed, CircleInterest
from mentoring.billing.models import LocalCheckoutSession, Payment, Refund, WebhookEvent
from mentoring.circles.models import Attendance, Circle, CircleAgreement, Enrollment, Meeting
from mentoring.conversations.models import Announcement, Message, MessageReport, Thread
from mentoring.growth.models import CheckIn, CheckInPreference, Goal, GoalNote
from mentoring.jobs.models import SchedulerHeartbeat
from mentoring.notify.models import Notification

__all__ = [
    "Announcement",
    "Attendance",
    "AuditEntry",
    "AvailabilityWindow",
    "CalendarFeed",
    "CircleInterest",
    "CheckIn",
    "CheckInPreference",
    "Circle",
    "CircleAgreement",
    "Enrollment",
    "FacilitatorApplication",
    "Goal",
    "GoalNote",
    "LocalCheckoutSession",
    "Meeting",
    "Message",
    "MessageReport",
    "Notification",
    "Payment",
    "Refund",
    "RoleAssignment",
    "SchedulerHeartbeat",
    "Thread",
    "User",
    "UserSession",
    "WebhookEvent",
]
