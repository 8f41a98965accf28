"""Every table, imported in one place so metadata (and Alembic) sees them all."""

from mentoring.accounts.models import FacilitatorApplication, RoleAssignment, User
from mentoring.audit.models import AuditEntry
from mentoring.billing.models import Payment, Refund, WebhookEvent
from mentoring.circles.models import Attendance, Circle, Enrollment, Meeting
from mentoring.conversations.models import Announcement, Message, MessageReport, Thread
from mentoring.jobs.models import SchedulerHeartbeat
from mentoring.notify.models import Notification

__all__ = [
    "Announcement",
    "Attendance",
    "AuditEntry",
    "Circle",
    "Enrollment",
    "FacilitatorApplication",
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
    "WebhookEvent",
]
