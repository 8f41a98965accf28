"""Demo accounts for `flask --app wsgi seed-demo`: members, facilitators, an HR partner and an admin."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from mentoring.accounts.models import Role, User
from mentoring.accounts.passwords import hash_password
from mentoring.accounts.roles import grant_role
from mentoring.db import utcnow
from mentoring.extensions import db

MEMBERS: tuple[tuple[str, str], ...] = (
    ("Amara O.", "America/New_York"), ("Sofia R.", "Europe/Madrid"), ("Mei L.", "America/Los_Angeles"),
    ("Fatima B.", "Europe/Paris"), ("Hannah K.", "Europe/Berlin"), ("Priscila S.", "America/Sao_Paulo"),
    ("Aisha M.", "Europe/London"), ("Chloé D.", "Europe/Paris"), ("Keisha W.", "America/Chicago"),
    ("Ingrid N.", "Europe/Oslo"), ("Lucía G.", "America/Mexico_City"), ("Zainab A.", "Europe/London"),
    ("Rachel T.", "America/Toronto"), ("Olga P.", "Europe/Warsaw"), ("Nia J.", "America/Denver"),
    ("Giulia C.", "Europe/Rome"), ("Deepa V.", "America/New_York"), ("Maëlle F.", "Europe/Brussels"),
    ("Valentina M.", "America/Bogota"), ("Sarah E.", "Europe/Dublin"), ("Yuki H.", "America/Vancouver"),
    ("Ana B.", "Europe/Lisbon"), ("Tamika R.", "America/Detroit"),
    ("Elif Y.", "Europe/Istanbul"), ("Camila F.", "America/Argentina/Buenos_Aires"),
    ("Johanna S.", "Europe/Stockholm"), ("Grace N.", "America/Phoenix"), ("Marta K.", "Europe/Prague"),
    ("Leila H.", "Europe/Amsterdam"), ("Jasmine T.", "America/Chicago"), ("Niamh O.", "Europe/Dublin"),
    ("Rosa V.", "America/Lima"), ("Anneke V.", "Europe/Amsterdam"), ("Thandiwe M.", "Europe/London"),
    ("Carmen L.", "America/Los_Angeles"), ("Katarzyna W.", "Europe/Warsaw"), ("Esther A.", "America/Toronto"),
    ("Sanna L.", "Europe/Helsinki"), ("Gabriela P.", "America/Santiago"), ("Eleni K.", "Europe/Athens"),
)

FACILITATORS: tuple[tuple[str, str, str], ...] = (
    ("Dr. Joanne Ellis", "Europe/London",
     "Counselling psychologist and mother of two. I have run peer support groups for parents returning "
     "to work for eight years."),
    ("Maribel Ortega", "America/New_York",
     "Certified group facilitator and former HR lead. I help mothers set boundaries at work without guilt."),
    ("Anja Becker", "Europe/Berlin",
     "Systemic coach and single mother. My circles are practical: one small experiment each week."),
    ("Tanya Brooks", "America/Chicago",
     "Social worker and peer-support trainer. I care about making room for every voice in the circle."),
)


def _account(email: str, display_name: str, timezone: str, password_hash: str, now: datetime,
             bio: str | None = None) -> User:
    user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        user = User(email=email, password_hash=password_hash, display_name=display_name, timezone=timezone,
                    email_verified_at=now, created_at=now, email_opt_out=[], bio=bio)
        db.session.add(user)
        db.session.flush()
    return user


def seed_accounts(password: str) -> list[str]:
    """Create the demo accounts that don't exist yet (looked up by email); return the login lines."""
    now = utcnow()
    wanted = {f"member{n}@demo.hearth" for n in range(1, len(MEMBERS) + 1)}
    wanted |= {f"facilitator{n}@demo.hearth" for n in range(1, len(FACILITATORS) + 1)}
    wanted |= {"hr@demo.hearth", "admin@demo.hearth"}
    existing = set(db.session.execute(select(User.email).where(User.email.in_(wanted))).scalars())
    # scrypt is slow on purpose: hash once (only if someone is missing) and share the hash.
    password_hash = hash_password(password) if wanted - existing else ""
    for n, (name, timezone) in enumerate(MEMBERS, start=1):
        _account(f"member{n}@demo.hearth", name, timezone, password_hash, now)
    for n, (name, timezone, bio) in enumerate(FACILITATORS, start=1):
        user = _account(f"facilitator{n}@demo.hearth", name, timezone, password_hash, now, bio=bio)
        grant_role(user.id, Role.FACILITATOR, actor_id=None, now=now, reason="demo data")
    # Her sponsor_admin role is for Northwind: the sponsors demo grants it with the organisation.
    _account("hr@demo.hearth", "Priya (HR, Northwind)", "America/New_York", password_hash, now)
    admin = _account("admin@demo.hearth", "Hearth team", "Europe/London", password_hash, now)
    grant_role(admin.id, Role.ADMIN, actor_id=None, now=now, reason="demo data")
    return [
        f"member1@demo.hearth … member{len(MEMBERS)}@demo.hearth (members)",
        f"facilitator1@demo.hearth … facilitator{len(FACILITATORS)}@demo.hearth (facilitators)",
        "hr@demo.hearth (HR partner at Northwind, sponsor admin)",
        "admin@demo.hearth (platform admin)",
    ]
