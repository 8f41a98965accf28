"""Statuses are enums with one definition each, and keep the values already stored."""

from __future__ import annotations

from mentoring.circles.models import (
    LIVE_CIRCLE_STATUSES,
    LIVE_ENROLLMENT_STATUSES,
    AttendanceStatus,
    CircleStatus,
    EnrollmentStatus,
    MeetingStatus,
)


def test_meeting_and_attendance_statuses_keep_the_stored_values() -> None:
    assert [str(s) for s in MeetingStatus] == ["scheduled", "cancelled", "held"]
    assert [str(s) for s in AttendanceStatus] == ["present", "absent", "excused"]


def test_live_circles_are_open_full_or_running_and_live_places_can_be_left() -> None:
    assert set(LIVE_CIRCLE_STATUSES) == {CircleStatus.OPEN, CircleStatus.FULL, CircleStatus.RUNNING}
    assert set(LIVE_ENROLLMENT_STATUSES) == {EnrollmentStatus.HELD, EnrollmentStatus.ACTIVE,
                                             EnrollmentStatus.OFFERED, EnrollmentStatus.WAITLISTED}
