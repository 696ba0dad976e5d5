"""Mail: an outbox written in the caller's transaction, sent by ``flask --app wsgi mail send``.

Other areas queue a message with :func:`ledger.mail.outbox.queue_mail` (see docs/mail.md).
"""
