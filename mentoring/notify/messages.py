"""Building the email for one notification: plain values in, an `EmailMessage` out."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, TemplateNotFound

SETTINGS_PATH = "/account/settings"
# Templates are `templates/email/<kind>.html`, each extending `email/layout.html`.
DEFAULT_TEMPLATE = "default"
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


@dataclass(frozen=True)
class UnsubscribeLink:
    """The one-click link that turns off this email's kind, and that kind's name in her settings."""

    url: str
    label: str


@dataclass(frozen=True)
class SecondLink:
    """A quieter second link under the button (a reminder's "can't come"), with its words."""

    text: str
    url: str


_templates = Environment(
    loader=FileSystemLoader(str(Path(__file__).resolve().parents[2] / "templates")),
    autoescape=True,
    undefined=StrictUndefined,
)


def _kind_template(kind: str) -> Template:
    """The kind's own template (its button), or the default one for a kind that has none."""
    try:
        return _templates.get_template(f"email/{kind}.html")
    except TemplateNotFound:
        return _templates.get_template(f"email/{DEFAULT_TEMPLATE}.html")


def _footer(settings_url: str, unsubscribe: UnsubscribeLink | None) -> str:
    if unsubscribe is None:
        return FOOTER.format(settings_url=settings_url)
    return (f"You get this email because \u201c{unsubscribe.label}\u201d is on in your Hearth settings.\n"
            f"Turn off these emails only (one click, no login): {unsubscribe.url}\n"
            f"Choose which emails you get: {settings_url}")


def build_message(
    *,
    notification_id: int,
    dedup_key: str,
    payload: Mapping[str, Any],
    recipient: Recipient,
    mail_from: str,
    base_url: str,
    now: datetime,
    kind: str = DEFAULT_TEMPLATE,
    unsubscribe: UnsubscribeLink | None = None,
    second_link: SecondLink | None = None,
) -> EmailMessage:
    """The email for one notification: multipart/alternative with the plain text she has always
    had (text, the one link, the footer) and an HTML part from the kind's template.

    Both parts carry the same link: the HTML part's one button points where the plain text's
    link does. With `unsubscribe` (a kind she may turn off) the message carries
    `List-Unsubscribe` and `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058), and
    both footers say what the link turns off. `second_link` is a quieter link under the button.
    """
    subject = " ".join(str(payload.get("subject") or "A message from Hearth").split())
    text = str(payload.get("text") or "").strip()
    link = resolve_link(payload.get("link"), base_url)
    settings_url = f"{base_url.rstrip('/')}{SETTINGS_PATH}"
    # Rendered as a module, so the kind's `button_label` can also label the plain text's link.
    rendered = _kind_template(kind).make_module(dict(
        subject=subject, paragraphs=[p for p in text.split("\n\n") if p],
        link=link, settings_url=settings_url, unsubscribe_url=unsubscribe.url if unsubscribe else None,
        kind_label=unsubscribe.label if unsubscribe else "", second_link=second_link,
    ))
    html = str(rendered)
    button_label = str(rendered.button_label)

    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = Address(display_name=recipient.display_name, addr_spec=recipient.email)
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id(notification_id, dedup_key, mail_from)
    if unsubscribe is not None:
        message["List-Unsubscribe"] = f"<{unsubscribe.url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"

    blocks = [text] if text else []
    # A text that already spells the link out (account mail does: "open this link: …") shows it
    # once; printing it again under its own label reads as two different links.
    if link and link not in text:
        blocks.append(f"{button_label}: {link}")
    if second_link:
        blocks.append(f"{second_link.text}: {second_link.url}")
    message.set_content("\n\n".join([*blocks, f"-- \n{_footer(settings_url, unsubscribe)}"]) + "\n")
    message.add_alternative(html, subtype="html")
    # Text files the notification carries (a circle's .ics on joining): {filename, subtype, text}.
    for attachment in payload.get("attachments") or []:
        message.add_attachment(str(attachment["text"]), subtype=str(attachment.get("subtype", "plain")),
                               filename=str(attachment["filename"]))
    return message
