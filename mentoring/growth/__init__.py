"""Between meetings: goals, accountability check-ins, asking for support, the care view."""
