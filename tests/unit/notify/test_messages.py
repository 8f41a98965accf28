"""The email a notification becomes."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime

import pytest

from mentoring.notify.messages import Recipient, SecondLink, build_message, message_id, resolve_link

NOW = datetime(2026, 1, 15, 15, 0, tzinfo=UTC)
BASE_URL = "https://hearth.example"


def build(payload: dict, **overrides: object):  # noqa: ANN201
    values = {
        "notification_id": 7,
        "dedup_key": "reminder:meeting:3:user:9",
        "payload": payload,
        "recipient": Recipient(email="ada@example.com", display_name="Ada Lovelace"),
        "mail_from": "Hearth <hello@hearth.example>",
        "base_url": BASE_URL,
        "now": NOW,
        **overrides,
    }
    return build_message(**values)


def plain_text(message) -> str:  # noqa: ANN001
    return message.get_body(preferencelist=("plain",)).get_content()


def test_the_message_is_addressed_from_hearth_to_her_with_the_subject() -> None:
    message = build({"subject": "Your circle meets tomorrow", "text": "See you there."})
    assert message["From"] == "Hearth <hello@hearth.example>"
    assert message["To"].addresses[0].addr_spec == "ada@example.com"
    assert message["To"].addresses[0].display_name == "Ada Lovelace"
    assert message["Subject"] == "Your circle meets tomorrow"
    assert parsedate_to_datetime(message["Date"]) == NOW
    assert message["Message-ID"].endswith("@hearth.example>")


def test_the_body_has_the_text_the_absolute_link_and_the_settings_footer() -> None:
    message = build({"subject": "Reminder", "text": "Your circle meets tomorrow.", "link": "/circles/3"})
    body = plain_text(message)
    assert body.index("Your circle meets tomorrow.") < body.index("https://hearth.example/circles/3")
    assert "You get this because you have a Hearth account." in body
    assert "Change which emails you get: https://hearth.example/account/settings" in body


def test_a_link_the_text_already_spells_out_is_printed_once() -> None:
    text = "Please confirm your address by opening this link within 48 hours:\nhttps://hearth.example/v/abc"
    message = build({"subject": "Confirm", "text": text, "link": "/v/abc"})
    assert plain_text(message).count("https://hearth.example/v/abc") == 1
    html = message.get_body(preferencelist=("html",)).get_content()
    assert 'href="https://hearth.example/v/abc"' in html


def test_an_absolute_link_is_kept_as_it_is() -> None:
    body = plain_text(build({"subject": "Pay", "text": "Pay here.", "link": "https://pay.example/c/1"}))
    assert "https://pay.example/c/1" in body


def test_the_html_alternative_escapes_what_it_shows() -> None:
    message = build({"subject": "Hi", "text": "<script>alert(1)</script> & more", "link": "/a?b=1&c=2"})
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    assert 'href="https://hearth.example/a?b=1&amp;c=2"' in html


def test_a_subject_cannot_smuggle_in_headers() -> None:
    message = build({"subject": "Hello\r\nBcc: everyone@example.com", "text": "x"})
    assert message["Subject"] == "Hello Bcc: everyone@example.com"
    assert message["Bcc"] is None


def test_the_message_survives_the_wire() -> None:
    message = build({"subject": "Café at 20:30 — bring a friend", "text": "Zoë says hi.", "link": "/c/1"})
    parsed = message_from_bytes(bytes(message), policy=policy.default)
    assert parsed["Subject"] == "Café at 20:30 — bring a friend"
    assert "Zoë says hi." in plain_text(parsed)


def test_every_attempt_carries_the_same_message_id() -> None:
    first = build({"subject": "a", "text": "b"})
    again = build({"subject": "a", "text": "b"}, now=datetime(2026, 1, 15, 16, 0, tzinfo=UTC))
    assert first["Message-ID"] == again["Message-ID"]
    assert message_id(7, "k1", "hello@hearth.example") != message_id(7, "k2", "hello@hearth.example")


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("/circles/3", "https://hearth.example/circles/3"),
        ("circles/3", "https://hearth.example/circles/3"),
        ("https://other.example/x", "https://other.example/x"),
        ("javascript:alert(1)", "https://hearth.example/javascript:alert(1)"),
        ("//evil.example/x", "https://hearth.example/evil.example/x"),
        (None, None),
        ("", None),
    ],
)
def test_links_resolve_inside_hearth_unless_they_are_web_addresses(
    link: str | None, expected: str | None
) -> None:
    assert resolve_link(link, BASE_URL + "/") == expected


def test_without_a_base_url_a_link_stays_a_path_for_the_in_app_list() -> None:
    assert resolve_link("circles/3") == "/circles/3"


def test_without_a_link_there_is_no_button_and_kinds_without_a_template_use_the_default() -> None:
    message = build({"subject": "Hello", "text": "Just news."}, kind="no_such_kind")
    html = message.get_body(preferencelist=("html",)).get_content()
    assert 'class="button"' not in html and "Just news." in html


def test_the_reminder_button_and_plain_link_match_and_a_second_link_is_offered_in_both() -> None:
    message = build({"subject": "Reminder", "text": "Tomorrow.", "link": "/circles/3"}, kind="reminder",
                    second_link=SecondLink("Can't come this time?", "https://hearth.example/talk/cant-come/t"))
    html = message.get_body(preferencelist=("html",)).get_content()
    assert '<a class="button" href="https://hearth.example/circles/3"' in html
    assert "Open the circle page: https://hearth.example/circles/3" in plain_text(message)
    assert "Can't come this time?: https://hearth.example/talk/cant-come/t" in plain_text(message)
    assert 'href="https://hearth.example/talk/cant-come/t"' in html
