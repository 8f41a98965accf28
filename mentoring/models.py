"""Every table, imported in one place so metadata (and Alembic) sees them all."""

from mentoring.accounts.models import FacilitatorApplication, RoleAssignment, User
from mentoring.audit.models import AuditEntry
from mentoring.billing.models import Payment, Refund, WebhookEvent
from mentoring.circles.models import Attendance, Circle, Enrollment, Meeting
from mentoring.growth.models import CheckIn, CheckInPreference, Goal, GoalNote
from mentoring.notify.models import Notification

__all__ = [
    "Attendance",
    "AuditEntry",
    "CheckIn",
    "CheckInPreference",
    "Circle",
    "Enrollment",
    "FacilitatorApplication",
    "Goal",
    "GoalNote",
    "Meeting",
    "Notification",
    "Payment",
    "Refund",
    "RoleAssignment",
    "User",
    "WebhookEvent",
]
