"""The payment webhook trusts only Stripe's signature: forged, stale, malformed and tampered
signatures are refused with 400 and change nothing, whatever the body says; a signed body that is
not an event is refused too (400, not a 500 that the gateway would retry for days).

A timestamp ahead of our clock is accepted, as Stripe's own library does: only the secret's
holder can sign one, and refusing it would turn clock skew into lost payments."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.proof.conftest import snapshot
from tests.integration.proof.world import World

SECRET = "whsec_test_secret"  # the app's STRIPE_WEBHOOK_SECRET in tests/conftest.py
WEBHOOK = "/billing/stripe/webhook"
# Stripe's tolerance is five minutes; anything older is a replay.
TOLERANCE = 300


def sign(body: bytes, *, secret: str = SECRET, at: int | None = None) -> str:
    at = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={mac}"


def refund_event(event_id: str = "evt_proof_refund") -> bytes:
    """A real-looking event that, if believed, refunds the member's payment in full."""
    return json.dumps({
        "id": event_id, "object": "event", "type": "charge.refunded",
        "data": {"object": {"id": "ch_mia", "object": "charge", "payment_intent": "pi_mia",
                            "amount": 7500, "amount_refunded": 7500}},
    }).encode()


def _bad_signatures(body: bytes) -> st.SearchStrategy[str | None]:
    now = int(time.time())
    return st.one_of(
        st.none(),  # no header at all
        st.text(st.characters(exclude_characters="\r\n"), max_size=60),  # garbage
        st.just(""),
        st.binary(min_size=32, max_size=32).map(lambda b: f"t={now},v1={b.hex()}"),  # forged
        st.text(min_size=1, max_size=30).map(lambda s: sign(body, secret=f"whsec_{s}")),  # wrong secret
        st.integers(TOLERANCE + 1, 10**9).map(lambda age: sign(body, at=now - age)),  # stale
        st.just(sign(body).replace("v1=", "v0=")),  # another scheme
        st.just(f"t={now}"),  # no signature
        st.just("t=,v1=" + "0" * 64),
        st.just(f"t=\x00{now},v1=" + "0" * 64),
        st.just(sign(body + b" ")),  # signed a different body (tampered)
    )


def test_forged_stale_and_tampered_signatures_are_refused_and_change_nothing(
    app: Flask, world: World, new_client: Callable[[], FlaskClient]
) -> None:
    client = new_client()
    body = refund_event()

    @settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture],
              database=None)
    @given(signature=_bad_signatures(body))
    def refused(signature: str | None) -> None:
        headers = {} if signature is None else {"Stripe-Signature": signature}
        with app.app_context():
            before = snapshot()
        response = client.post(WEBHOOK, data=body, content_type="application/json", headers=headers)
        assert response.status_code == 400, signature
        with app.app_context():
            assert snapshot() == before, signature

    refused()
    # The same body with Stripe's own signature is believed: the refusals above were the signature's.
    with app.app_context():
        before = snapshot()
    response = client.post(WEBHOOK, data=body, content_type="application/json",
                           headers={"Stripe-Signature": sign(body)})
    assert response.status_code == 200
    with app.app_context():
        assert snapshot()["webhook_events"] != before["webhook_events"]


def test_a_correctly_signed_body_that_is_not_an_event_is_refused_not_an_error(
    app: Flask, world: World, new_client: Callable[[], FlaskClient]
) -> None:
    client = new_client()
    for body in (b"", b"not json", b"[]", b'"evt"', b"{}", b'{"id": 1, "type": "x", "data": {"object": {}}}',
                 b'{"id": "evt_x", "type": null, "data": {"object": {}}}',
                 b'{"id": "evt_y", "type": "charge.refunded", "data": []}',
                 b'{"id": "evt_z", "type": "charge.refunded", "data": {"object": "ch_1"}}'):
        with app.app_context():
            before = snapshot()
        response = client.post(WEBHOOK, data=body, content_type="application/json",
                               headers={"Stripe-Signature": sign(body)})
        assert response.status_code == 400, body
        with app.app_context():
            assert snapshot() == before, body
