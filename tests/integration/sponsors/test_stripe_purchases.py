"""A seat pool through the real Stripe library against a local Stripe-shaped server: a card
checkout carrying the pool in its metadata, and an invoice with 30-day terms, sent."""

from __future__ import annotations

from urllib.parse import parse_qs

from pytest_httpserver import HTTPServer

from mentoring.billing.gateway import Purchase, StripeGateway

PURCHASE = Purchase(
    description="Hearth sponsored seats: 10 for Northwind",
    amount_cents=160_000,
    currency="USD",
    metadata={"purchase": "seat_pool", "seat_pool_id": "7"},
    idempotency_key="seat-pool-7",
)


def gateway_for(httpserver: HTTPServer) -> StripeGateway:
    return StripeGateway("sk_test_hearth", api_base=httpserver.url_for("").rstrip("/"), max_network_retries=0)


def form(httpserver: HTTPServer, index: int) -> dict[str, list[str]]:
    return parse_qs(httpserver.log[index][0].get_data(as_text=True))


def test_a_pool_card_checkout_carries_the_pool_in_its_metadata(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/checkout/sessions", method="POST").respond_with_json(
        {
            "id": "cs_test_pool",
            "object": "checkout.session",
            "url": "https://checkout.stripe.com/c/pay/cs_test_pool",
        }
    )
    session = gateway_for(httpserver).create_purchase_checkout(
        PURCHASE,
        success_url="https://hearth.example/ok",
        cancel_url="https://hearth.example/back",
        customer_email="hr@northwind.example",
    )
    assert session.id == "cs_test_pool"
    assert httpserver.log[0][0].headers["Idempotency-Key"] == "seat-pool-7"
    sent = form(httpserver, 0)
    assert sent["line_items[0][price_data][unit_amount]"] == ["160000"]
    assert sent["metadata[seat_pool_id]"] == ["7"] and sent["metadata[purchase]"] == ["seat_pool"]


def test_a_pool_invoice_is_created_with_thirty_day_terms_finalised_and_sent(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/customers", method="POST").respond_with_json(
        {"id": "cus_1", "object": "customer"}
    )
    httpserver.expect_request("/v1/invoices", method="POST").respond_with_json(
        {"id": "in_1", "object": "invoice"}
    )
    httpserver.expect_request("/v1/invoiceitems", method="POST").respond_with_json(
        {"id": "ii_1", "object": "invoiceitem"}
    )
    httpserver.expect_request("/v1/invoices/in_1/finalize", method="POST").respond_with_json(
        {"id": "in_1", "object": "invoice", "status": "open"}
    )
    httpserver.expect_request("/v1/invoices/in_1/send", method="POST").respond_with_json(
        {"id": "in_1", "object": "invoice", "hosted_invoice_url": "https://invoice.stripe.com/i/in_1"}
    )
    invoice = gateway_for(httpserver).create_invoice(
        PURCHASE, customer_name="Northwind", customer_email="ap@northwind.example", days_until_due=30
    )
    assert (invoice.id, invoice.url) == ("in_1", "https://invoice.stripe.com/i/in_1")
    paths = [request.path for request, _ in httpserver.log]
    assert paths == [
        "/v1/customers",
        "/v1/invoices",
        "/v1/invoiceitems",
        "/v1/invoices/in_1/finalize",
        "/v1/invoices/in_1/send",
    ]
    created = form(httpserver, 1)
    assert created["collection_method"] == ["send_invoice"] and created["days_until_due"] == ["30"]
    assert created["metadata[seat_pool_id]"] == ["7"]
    item = form(httpserver, 2)
    assert item["invoice"] == ["in_1"] and item["amount"] == ["160000"]
