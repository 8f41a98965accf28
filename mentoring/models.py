"""Every table, imported in one place so metadata (and Alembic) sees them all."""

from mentoring.accounts.models import FacilitatorApplication, RoleAssignment, User
from mentoring.audit.models import AuditEntry
from mentoring.billing.models import Payment, Refund, WebhookEvent
from mentoring.circles.models import Attendance, Circle, Enrollment, Meeting
from mentoring.jobs.models import SchedulerHeartbeat
from mentoring.notify.models import Notification
from mentoring.sponsors.models import (
    EmployeeLink,
    InviteCode,
    Organization,
    OrganizationDomain,
    SeatClaim,
    SeatPool,
    SponsorInvite,
)

__all__ = [
    "Attendance",
    "AuditEntry",
    "Circle",
    "EmployeeLink",
    "Enrollment",
    "FacilitatorApplication",
    "InviteCode",
    "Meeting",
    "Notification",
    "Organization",
    "OrganizationDomain",
    "Payment",
    "Refund",
    "RoleAssignment",
    "SchedulerHeartbeat",
    "SeatClaim",
    "SeatPool",
    "SponsorInvite",
    "User",
    "WebhookEvent",
]
