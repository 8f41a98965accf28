"""The few ways people in a circle reach each other: "can't come", a private word with the
facilitator, and the facilitator's announcements."""
