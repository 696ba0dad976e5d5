"""A local fake of the parts of Stripe's HTTP API the ledger calls.

A threaded HTTP server on 127.0.0.1 answers with objects shaped like Stripe's own
(copied from Stripe's published samples in ``shared/stripe-fixtures/fixtures3.json``),
supports ``expand``, and records every request so tests can check what was sent.
Test builders (``paid_charge``, ``refund``, ``dispute``, ``invoice_for``, ``payout``)
put the objects a scenario needs into its store.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
import threading
import time
from decimal import ROUND_HALF_EVEN, Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import stripe

from tests.helpers import SHUTDOWN_POLL

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "stripe-fixtures" / "fixtures3.json"
API_KEY = "sk_test_fake"
_RESOURCES = {
    "checkout/sessions": "checkout.session",
    "payment_intents": "payment_intent",
    "charges": "charge",
    "balance_transactions": "balance_transaction",
    "refunds": "refund",
    "disputes": "dispute",
    "invoices": "invoice",
    "subscriptions": "subscription",
    "payouts": "payout",
    "events": "event",
}
_PREFIX = {
    "checkout.session": "cs_test_",
    "payment_intent": "pi_",
    "charge": "ch_",
    "balance_transaction": "txn_",
    "refund": "re_",
    "dispute": "dp_",
    "invoice": "in_",
    "subscription": "sub_",
    "payout": "po_",
    "event": "evt_",
    "invoice_payment": "inpay_",
}


def _load_templates() -> dict:
    path = FIXTURES
    if not path.exists():  # a checkout elsewhere: fall back to the shared folder's usual place
        path = Path("/work/shared/stripe-fixtures/fixtures3.json")
    return json.loads(path.read_text())["resources"]


def decode_form(pairs: list[tuple[str, str]]) -> dict:
    """Stripe's form encoding (``a[b][0][c]=v``) back into nested dicts and lists."""
    root: dict = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value

    def listify(node):
        if isinstance(node, dict):
            node = {k: listify(v) for k, v in node.items()}
            if node and all(k.isdigit() for k in node):
                return [node[k] for k in sorted(node, key=int)]
        return node

    return listify(root)


class FakeStripe:
    """The store of objects and the server that serves them."""

    def __init__(self) -> None:
        self.templates = _load_templates()
        self.objects: dict[str, dict] = {}
        self.requests: list[tuple[str, str, dict]] = []
        self.fail_next: int | None = None
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL}, daemon=True
        )

    # ---- server ----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def start(self) -> FakeStripe:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _reply(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", f"req_{next(fake._ids)}")
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str) -> None:
                split = urlsplit(self.path)
                pairs = parse_qsl(split.query, keep_blank_values=True)
                if method == "POST":
                    length = int(self.headers.get("Content-Length") or 0)
                    pairs += parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True)
                params = decode_form(pairs)
                fake.requests.append((method, split.path, params))
                if self.headers.get("Authorization") != f"Bearer {API_KEY}":
                    self._reply(401, fake.error("authentication_error", "Invalid API Key provided"))
                    return
                status, body = fake.respond(method, split.path, params)
                self._reply(status, body)

            def do_GET(self):
                self._handle("GET")

            def do_POST(self):
                self._handle("POST")

            def do_DELETE(self):
                self._handle("DELETE")

        return Handler

    @staticmethod
    def error(kind: str, message: str, code: str | None = None) -> dict:
        return {"error": {"type": kind, "message": message, "code": code}}

    def respond(self, method: str, path: str, params: dict) -> tuple[int, dict]:
        if self.fail_next is not None:
            status, self.fail_next = self.fail_next, None
            return status, self.error("api_error", "Something went wrong on Stripe's end.")
        expand = params.get("expand") or []
        if method == "POST" and path == "/v1/checkout/sessions":
            return 200, self._create_checkout_session(params)
        if method == "GET" and path == "/v1/refunds":
            refunds = [
                o
                for o in self.objects.values()
                if o.get("object") == "refund" and o.get("charge") == params.get("charge")
            ]
            return 200, self._expand(self._list(refunds, "/v1/refunds"), expand)
        if method == "GET" and path == "/v1/invoice_payments":
            payments = [o for o in self.objects.values() if o.get("object") == "invoice_payment"]
            if "invoice" in params:
                payments = [p for p in payments if p["invoice"] == params["invoice"]]
            if "payment" in params:
                wanted = params["payment"].get("payment_intent")
                payments = [p for p in payments if p["payment"].get("payment_intent") == wanted]
            return 200, self._expand(self._list(payments, "/v1/invoice_payments"), expand)
        subscription = re.fullmatch(r"/v1/subscriptions/([A-Za-z0-9_]+)", path)
        if subscription and method in ("POST", "DELETE"):
            return self._change_subscription(method, subscription.group(1), params)
        match = re.fullmatch(r"/v1/(.+)/([A-Za-z0-9_]+)", path)
        if method == "GET" and match and match.group(1) in _RESOURCES:
            found = self.objects.get(match.group(2))
            if found is None or found.get("object") != _RESOURCES[match.group(1)]:
                return 404, self.error(
                    "invalid_request_error", f"No such object: '{match.group(2)}'", "resource_missing"
                )
            return 200, self._expand(copy.deepcopy(found), expand)
        return 404, self.error("invalid_request_error", f"Unrecognized request URL ({method}: {path}).")

    def _change_subscription(self, method: str, subscription_id: str, params: dict) -> tuple[int, dict]:
        """Update (``pause_collection`` set, or unset with an empty value) or cancel (DELETE)."""
        found = self.objects.get(subscription_id)
        if found is None or found.get("object") != "subscription":
            return 404, self.error(
                "invalid_request_error", f"No such subscription: '{subscription_id}'", "resource_missing"
            )
        if method == "DELETE":
            if found["status"] == "canceled":
                return 400, self.error("invalid_request_error", "Subscription already canceled.")
            found.update(status="canceled", canceled_at=int(time.time()), ended_at=int(time.time()))
        elif "pause_collection" in params:
            pause = params["pause_collection"]
            found["pause_collection"] = (
                {"behavior": pause.get("behavior"), "resumes_at": None} if isinstance(pause, dict) else None
            )
        return 200, copy.deepcopy(found)

    def _list(self, items: list[dict], url: str) -> dict:
        return {"object": "list", "data": copy.deepcopy(items), "has_more": False, "url": url}

    def _expand(self, obj: dict, paths: list[str]) -> dict:
        for path in paths:
            self._expand_path(obj, path.split("."))
        return obj

    def _expand_path(self, obj: dict, parts: list[str]) -> None:
        if not parts or not isinstance(obj, dict):
            return
        key, rest = parts[0], parts[1:]
        value = obj.get(key)
        if key == "data" and isinstance(value, list):
            for item in value:
                self._expand_path(item, rest)
            return
        if isinstance(value, str) and value in self.objects:
            value = obj[key] = copy.deepcopy(self.objects[value])
        if isinstance(value, dict):
            self._expand_path(value, rest)

    # ---- builders --------------------------------------------------------------------------

    def new_id(self, kind: str) -> str:
        with self._lock:
            return f"{_PREFIX[kind]}{next(self._ids):06d}TEST"

    def _new(self, kind: str, **fields) -> dict:
        obj = copy.deepcopy(self.templates[kind])
        obj.update(id=self.new_id(kind), object=kind, created=int(time.time()), livemode=False)
        obj.update(fields)
        self.objects[obj["id"]] = obj
        return obj

    def _create_checkout_session(self, params: dict) -> dict:
        line = params["line_items"][0]
        price = line["price_data"]
        amount = int(price["unit_amount"]) * int(line.get("quantity", 1))
        session = self._new(
            "checkout.session",
            mode=params["mode"],
            metadata=params.get("metadata") or {},
            client_reference_id=params.get("client_reference_id"),
            currency=price["currency"],
            amount_total=amount,
            amount_subtotal=amount,
            success_url=params["success_url"],
            cancel_url=params["cancel_url"],
            status="open",
            payment_status="unpaid",
            payment_intent=None,
            subscription=None,
            invoice=None,
            customer=None,
            customer_details=None,
        )
        session["url"] = f"https://checkout.stripe.com/c/pay/{session['id']}"
        return copy.deepcopy(session)

    def balance_transaction(
        self,
        amount: int,
        currency: str,
        *,
        fee: int = 0,
        kind: str = "charge",
        source: str | None = None,
        exchange_rate: str | None = None,
    ) -> dict:
        return self._new(
            "balance_transaction",
            amount=amount,
            currency=currency.lower(),
            fee=fee,
            net=amount - fee,
            type=kind,
            reporting_category=kind,
            source=source,
            status="available",
            exchange_rate=float(exchange_rate) if exchange_rate else None,
            fee_details=[
                {
                    "amount": fee,
                    "currency": currency.lower(),
                    "type": "stripe_fee",
                    "description": "Stripe processing fees",
                    "application": None,
                }
            ]
            if fee
            else [],
        )

    def paid_charge(
        self,
        amount: int,
        currency: str,
        *,
        fee: int,
        metadata: dict | None = None,
        charge_metadata: dict | None = None,
        settle_in: str | None = None,
        rate: str | None = None,
    ) -> dict:
        """A succeeded charge with its PaymentIntent and balance transaction.

        ``settle_in`` and ``rate`` make Stripe settle in another currency (``fee`` is then in
        the settlement currency), as for an account whose balance is in EUR.
        """
        intent = self._new(
            "payment_intent",
            amount=amount,
            amount_received=amount,
            currency=currency.lower(),
            status="succeeded",
            metadata=metadata or {},
            latest_charge=None,
            last_payment_error=None,
            next_action=None,
            processing=None,
            transfer_data=None,
        )
        settled = amount
        if settle_in:
            settled = int((Decimal(amount) * Decimal(rate)).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
        charge = self._new(
            "charge",
            amount=amount,
            amount_captured=amount,
            currency=currency.lower(),
            status="succeeded",
            paid=True,
            captured=True,
            payment_intent=intent["id"],
            metadata=charge_metadata if charge_metadata is not None else (metadata or {}),
            refunded=False,
            amount_refunded=0,
            disputed=False,
            billing_details={"address": None, "email": None, "name": None, "phone": None},
        )
        transaction = self.balance_transaction(
            settled, settle_in or currency, fee=fee, source=charge["id"], exchange_rate=rate
        )
        charge["balance_transaction"] = transaction["id"]
        intent["latest_charge"] = charge["id"]
        return charge

    def complete_checkout(
        self,
        checkout_id: str,
        charge: dict | None = None,
        *,
        subscription: str | None = None,
        invoice: str | None = None,
        customer: str | None = "cus_TEST1",
    ) -> dict:
        session = self.objects[checkout_id]
        session.update(
            status="complete",
            payment_status="paid",
            customer=customer,
            customer_details={"email": "donor@example.org", "name": "Secret Donor"},
        )
        if charge is not None:
            session["payment_intent"] = charge["payment_intent"]
        session["subscription"] = subscription
        session["invoice"] = invoice
        return copy.deepcopy(session)

    def refund(
        self, charge: dict, amount: int, *, settled: int | None = None, status: str = "succeeded"
    ) -> dict:
        transaction_currency = self.objects[charge["balance_transaction"]]["currency"]
        transaction = self.balance_transaction(
            -(settled if settled is not None else amount), transaction_currency, kind="refund"
        )
        refund = self._new(
            "refund",
            amount=amount,
            currency=charge["currency"],
            charge=charge["id"],
            payment_intent=charge["payment_intent"],
            status=status,
            balance_transaction=transaction["id"],
            failure_balance_transaction=None,
        )
        transaction["source"] = refund["id"]
        charge.update(
            refunded=charge["amount_refunded"] + amount == charge["amount"],
            amount_refunded=charge["amount_refunded"] + amount,
        )
        return refund

    def dispute(self, charge: dict, *, fee: int = 1500) -> dict:
        currency = self.objects[charge["balance_transaction"]]["currency"]
        settled = -self.objects[charge["balance_transaction"]]["amount"]
        withdrawal = self.balance_transaction(settled, currency, fee=fee, kind="dispute")
        dispute = self._new(
            "dispute",
            amount=charge["amount"],
            currency=charge["currency"],
            charge=charge["id"],
            payment_intent=charge["payment_intent"],
            status="needs_response",
            balance_transactions=[withdrawal],
        )
        withdrawal["source"] = dispute["id"]
        charge["disputed"] = True
        return copy.deepcopy(dispute)

    def close_dispute(self, dispute_id: str, *, won: bool) -> dict:
        dispute = self.objects[dispute_id]
        if won:
            withdrawal = dispute["balance_transactions"][0]
            reinstated = self.balance_transaction(
                -withdrawal["amount"], withdrawal["currency"], kind="dispute_reversal", source=dispute_id
            )
            dispute["balance_transactions"].append(reinstated)
        dispute["status"] = "won" if won else "lost"
        return copy.deepcopy(dispute)

    def invoice_for(
        self, subscription_id: str, charge: dict, *, metadata: dict | None = None, customer: str = "cus_TEST1"
    ) -> dict:
        invoice = self._new(
            "invoice",
            status="paid",
            amount_due=charge["amount"],
            amount_paid=charge["amount"],
            amount_remaining=0,
            currency=charge["currency"],
            customer=customer,
            billing_reason="subscription_cycle",
            parent={
                "type": "subscription_details",
                "quote_details": None,
                "subscription_details": {"subscription": subscription_id, "metadata": metadata or {}},
            },
            last_finalization_error=None,
            from_invoice=None,
        )
        self._new(
            "invoice_payment",
            invoice=invoice["id"],
            amount_paid=charge["amount"],
            amount_requested=charge["amount"],
            currency=charge["currency"],
            status="paid",
            payment={"type": "payment_intent", "payment_intent": charge["payment_intent"]},
        )
        return copy.deepcopy(invoice)

    def subscription(self, metadata: dict, *, customer: str = "cus_TEST1") -> dict:
        return copy.deepcopy(self._new("subscription", metadata=metadata, customer=customer, status="active"))

    def payout(self, amount: int, currency: str) -> dict:
        transaction = self.balance_transaction(-amount, currency, kind="payout")
        payout = self._new(
            "payout",
            amount=amount,
            currency=currency.lower(),
            status="paid",
            balance_transaction=transaction["id"],
            arrival_date=int(time.time()),
        )
        transaction["source"] = payout["id"]
        return copy.deepcopy(payout)

    def fail_payout(self, payout_id: str) -> dict:
        payout = self.objects[payout_id]
        returned = self.balance_transaction(
            payout["amount"], payout["currency"], kind="payout_failure", source=payout_id
        )
        payout.update(
            status="failed", failure_balance_transaction=returned["id"], failure_code="account_closed"
        )
        return copy.deepcopy(payout)

    def event(self, kind: str, obj: dict) -> dict:
        """An event about ``obj``, also served at GET /v1/events/:id (for replays)."""
        event = self._new(
            "event",
            type=kind,
            data={"object": copy.deepcopy(obj)},
            api_version=stripe.api_version,
            pending_webhooks=1,
            request={"id": None, "idempotency_key": None},
        )
        return copy.deepcopy(event)

    def requests_to(self, method: str, path: str) -> list[dict]:
        return [params for m, p, params in self.requests if m == method and p == path]


def signature_header(payload: str, secret: str, *, timestamp: int | None = None) -> str:
    """``Stripe-Signature`` exactly as Stripe makes it: ``t=…,v1=`` HMAC-SHA256 of "{t}.{body}"."""
    return stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp)
