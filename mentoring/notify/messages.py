"""Building the email for one notification: plain values in, an `EmailMessage` out."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any
from urllib.parse import urlsplit

from markupsafe import escape

SETTINGS_PATH = "/account/settings"
# What her in-app list (and her data export) says in place of a mailbox-only message's text.
MAILBOX_ONLY_TEXT = ("We sent this to your email address. Its link works only from that email, "
                     "so that opening it proves the address is yours.")
FOOTER = "You get this because you have a Hearth account. Change which emails you get: {settings_url}"


@dataclass(frozen=True)
class Recipient:
    email: str
    display_name: str


def resolve_link(link: str | None, base_url: str = "") -> str | None:
    """Where a notification's link points: paths inside Hearth go under `base_url` (absolute for
    email; left as a path when `base_url` is empty, for the in-app list).

    Only http(s) addresses are kept as they are; anything else (a `javascript:` scheme, a
    scheme-relative `//host`) is read as a path inside Hearth, so a link can never run code.
    """
    if not link:
        return None
    parts = urlsplit(link)
    if parts.scheme in ("http", "https") and parts.netloc:
        return link
    return f"{base_url.rstrip('/')}/{link.lstrip('/')}"


def shown_in_app(payload: Mapping[str, Any]) -> tuple[str, str | None]:
    """(text, link) of a notification as her inbox and her data export show it.

    A link that proves control of a mailbox (confirmation, password reset, email change) is
    worth nothing as proof if anyone holding her session can read it in the app, so such a
    message (`mailbox_only`) shows that it was sent and never its text or link.
    """
    if payload.get("mailbox_only"):
        return MAILBOX_ONLY_TEXT, None
    return str(payload.get("text") or ""), resolve_link(payload.get("link"))


def _domain(mail_from: str) -> str:
    address = parseaddr(mail_from)[1]
    return address.rpartition("@")[2] or "hearth.local"


def message_id(notification_id: int, dedup_key: str, mail_from: str) -> str:
    """The same id on every attempt, so a mail client can fold a rare duplicate delivery."""
    digest = hashlib.sha256(dedup_key.encode()).hexdigest()[:16]
    return f"<notification-{notification_id}.{digest}@{_domain(mail_from)}>"


def build_message(
    *,
    notification_id: int,
    dedup_key: str,
    payload: Mapping[str, Any],
    recipient: Recipient,
    mail_from: str,
    base_url: str,
    now: datetime,
) -> EmailMessage:
    """The email for one notification: plain text with the absolute link and the footer,
    plus an escaped HTML alternative."""
    subject = " ".join(str(payload.get("subject") or "A message from Hearth").split())
    text = str(payload.get("text") or "").strip()
    link = resolve_link(payload.get("link"), base_url)
    footer = FOOTER.format(settings_url=f"{base_url.rstrip('/')}{SETTINGS_PATH}")

    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = Address(display_name=recipient.display_name, addr_spec=recipient.email)
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id(notification_id, dedup_key, mail_from)

    blocks = [text] if text else []
    if link:
        blocks.append(link)
    message.set_content("\n\n".join([*blocks, f"-- \n{footer}"]) + "\n")

    paragraphs = [f"<p>{escape(block)}</p>".replace("\n", "<br>\n") for block in text.split("\n\n") if block]
    if link:
        paragraphs.append(f'<p><a href="{escape(link)}">{escape(link)}</a></p>')
    paragraphs.append(f"<hr>\n<p><small>{escape(footer)}</small></p>")
    message.add_alternative(
        "<!doctype html>\n<html><body>\n" + "\n".join(paragraphs) + "\n</body></html>\n", subtype="html"
    )
    # Text files the notification carries (a circle's .ics on joining): {filename, subtype, text}.
    for attachment in payload.get("attachments") or []:
        message.add_attachment(str(attachment["text"]), subtype=str(attachment.get("subtype", "plain")),
                               filename=str(attachment["filename"]))
    return message
