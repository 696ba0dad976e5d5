"""Card payments through Stripe: Checkout sessions, signed webhooks, the event store,
and the ledger entries for charges, refunds, disputes and payouts."""
