"""Helpers for the donor tests (never imported from a conftest)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

CONFIRM_LINK = re.compile(r"https?://\S+/my-gift/confirm/\S+")


def confirm_link(smtp, address: str) -> str:
    """The path of the confirmation link in the last mail the SMTP sink received for ``address``."""
    mails = smtp.inbox.to(address)
    assert mails, f"no mail to {address}"
    found = CONFIRM_LINK.search(mails[-1].get_body(("plain",)).get_content())
    assert found, "no confirmation link in the mail"
    return urlsplit(found.group(0)).path


def confirm_from_mail(client, runner, smtp, address: str) -> None:
    """As the donor does: ``mail send`` delivers the confirmation request, the donor opens its
    link and presses the button."""
    sent = runner.invoke(args=["mail", "send"])
    assert sent.exit_code == 0, sent.output
    path = confirm_link(smtp, address)
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 200
