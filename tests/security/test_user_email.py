"""A user's email is an email (issue #20, defect 11): markup, spaces and reserved names are
refused wherever users are made, with nothing written."""

import pytest
from sqlalchemy import func, select

from ledger.access.models import User
from ledger.access.users import AccessError, create_user, normalise_email

BAD = [
    "<script>x</script>@example.org",
    '"><img src=x onerror=alert(1)>@example.org',
    "a b@example.org",
    "anna@example..org",
    "anna@localhost",
    "anna@example.test",
    "anna@-example.org",
]


@pytest.mark.parametrize("email", BAD)
def test_bad_emails_are_refused_by_the_domain(session, email):
    with pytest.raises(AccessError) as refused:
        create_user(session, email, "correct horse battery staple", "auditor")
    assert refused.value.code == "invalid_email"
    session.rollback()
    assert session.scalar(select(func.count()).select_from(User)) == 0


@pytest.mark.parametrize("email", ["Anna@Example.org", "ivan.petrov+ledger@example.org", "вера@пример.рф"])
def test_real_addresses_are_kept_lower_cased(email):
    assert normalise_email(email) == email.lower()


def test_the_cli_refuses_a_markup_email(runner, app):
    result = runner.invoke(
        args=["users", "create", "<script>x</script>@example.org", "--role", "admin"],
        input="correct horse battery staple\n",
    )
    assert result.exit_code == 1
    assert "Enter a valid email address." in result.output
    with app.app_context():
        from ledger.extensions import db

        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_the_admin_page_refuses_a_markup_email(client, auth, app):
    auth.login("admin")
    response = client.post(
        "/admin/users",
        data={
            "email": "<script>x</script>@example.org",
            "role": "auditor",
            "password": "correct horse battery",
        },
    )
    assert response.status_code == 400
    assert "Enter a valid email address." in response.text
    assert "<script>x</script>" not in response.text  # shown escaped, if at all
    with app.app_context():
        from ledger.extensions import db

        assert (
            db.session.scalar(select(func.count()).select_from(User).where(User.email.like("%script%"))) == 0
        )
