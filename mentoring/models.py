"""Every table, imported in one place so metadata (and Alembic) sees them all."""

from mentoring.accounts.models import FacilitatorApplication, RoleAssignment, User
from mentoring.audit.models import AuditEntry
from mentoring.availability.models import AvailabilityWindow, CalendarFeed, CircleInterest
from mentoring.billing.models import Payment, Refund, WebhookEvent
from mentoring.circles.models import Attendance, Circle, Enrollment, Meeting
from mentoring.jobs.models import SchedulerHeartbeat
from mentoring.notify.models import Notification

__all__ = [
    "Attendance",
    "AuditEntry",
    "AvailabilityWindow",
    "CalendarFeed",
    "CircleInterest",
    "Circle",
    "Enrollment",
    "FacilitatorApplication",
    "Meeting",
    "Notification",
    "Payment",
    "Refund",
    "RoleAssignment",
    "SchedulerHeartbeat",
    "User",
    "WebhookEvent",
]
