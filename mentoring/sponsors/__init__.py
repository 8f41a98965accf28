"""Employers who pay for their employees' seats, and reports that cannot expose an employee."""
