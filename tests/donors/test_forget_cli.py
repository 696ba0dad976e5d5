"""``flask donors forget``: a donor's request to delete their email, handled without the admin
pages, by the address they wrote from or a pledge reference they gave."""

from __future__ import annotations

from sqlalchemy import func, select

from ledger.access.models import AuditEvent
from ledger.books.models import JournalEntry
from ledger.funds.models import Donor
from ledger.mail.models import MailMessage

EMAIL = "Olga.Donor@example.net"


def _pledge(client, email: str) -> str:
    answer = client.post(
        "/api/v1/public-pledges",
        json={"money": {"amount": "30.00", "currency": "EUR"}, "frequency": "monthly", "email": email},
    )
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["pledge"]["reference"]


def _emails(session) -> list[str | None]:
    session.expire_all()
    return [donor.email for donor in session.scalars(select(Donor).order_by(Donor.id))]


def test_forget_by_email_or_pledge_reference(client, runner, session, eur_details):
    _pledge(client, EMAIL)
    other = _pledge(client, "someone.else@example.net")
    entries = session.scalar(select(func.count()).select_from(JournalEntry))
    assert (
        session.scalar(select(func.count()).select_from(MailMessage).where(MailMessage.status == "queued"))
        == 2
    )

    done = runner.invoke(args=["donors", "forget", "--email", "olga.donor@EXAMPLE.net "])
    assert done.exit_code == 0, done.output
    assert "Deleted 1 email(s) of 1 donor(s)" in done.output
    assert _emails(session) == [None, "someone.else@example.net"]
    statuses = session.scalars(select(MailMessage.status).order_by(MailMessage.id)).all()
    assert statuses == ["dropped", "queued"]  # the confirmation that waited for it is not sent

    by_reference = runner.invoke(args=["donors", "forget", "--pledge", other.lower()])
    assert by_reference.exit_code == 0, by_reference.output
    assert _emails(session) == [None, None]
    assert session.scalar(select(func.count()).select_from(JournalEntry)) == entries  # the books untouched
    deleted = session.scalars(
        select(AuditEvent.action).where(AuditEvent.action == "donor.email_deleted")
    ).all()
    assert len(deleted) == 2

    for args in (
        ["donors", "forget", "--email", EMAIL],
        ["donors", "forget"],
        ["donors", "forget", "--pledge", "SL-NOSUCH"],
    ):
        refused = runner.invoke(args=args)
        assert refused.exit_code == 1, (args, refused.output)
