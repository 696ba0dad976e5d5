"""Every route, every method, as an anonymous visitor and as each role, against the
policy table below.  A route missing from the table fails: classify new routes here."""

from __future__ import annotations

import pytest

from tests.security.helpers import ROLES, WRITE_METHODS, build_url, url_values, walkable_rules

# Who may use a route: the roles that must NOT be refused.  Everyone else must be.
PUBLIC = "public"  # anyone, signed in or not
SIGNED_IN = "signed-in"  # any signed-in user, for their own account
AUDITOR_READ = "auditor+ read"  # auditor, coordinator, admin
AUDIT_LOG = "auditors and admins"
COORDINATOR_WRITE = "coordinator write"  # coordinator and admin
ADMIN_ONLY = "admin only"

ALLOWED = {
    PUBLIC: {"anonymous", "auditor", "coordinator", "admin"},
    SIGNED_IN: {"auditor", "coordinator", "admin"},
    AUDITOR_READ: {"auditor", "coordinator", "admin"},
    AUDIT_LOG: {"auditor", "admin"},
    COORDINATOR_WRITE: {"coordinator", "admin"},
    ADMIN_ONLY: {"admin"},
}

POLICY = {
    # pages and sign-in
    "static": PUBLIC,
    "web.home": PUBLIC,
    "web.set_language": PUBLIC,
    "web.healthz": PUBLIC,
    "auth.login": PUBLIC,
    "auth.second_factor": PUBLIC,
    "auth.logout": SIGNED_IN,
    # a user's own settings, two-factor and tokens
    "settings.index": SIGNED_IN,
    "settings.change_own_password": SIGNED_IN,
    "settings.two_factor": SIGNED_IN,
    "settings.two_factor_qr": SIGNED_IN,
    "settings.new_recovery_codes": SIGNED_IN,
    "settings.create_api_token": SIGNED_IN,
    "settings.revoke_api_token": SIGNED_IN,
    # user administration and the audit log
    "admin.users": ADMIN_ONLY,
    "admin.create": ADMIN_ONLY,
    "admin.set_role": ADMIN_ONLY,
    "admin.deactivate": ADMIN_ONLY,
    "admin.activate": ADMIN_ONLY,
    "admin.reset_second_factor": ADMIN_ONLY,
    "admin.accounts": ADMIN_ONLY,
    "admin.open_account_view": ADMIN_ONLY,
    "admin.relabel_account_view": ADMIN_ONLY,
    "admin.close_account_view": ADMIN_ONLY,
    "audit.index": AUDIT_LOG,
    # JSON API
    "api.ledger_head": PUBLIC,
    "api.show_entry": AUDITOR_READ,
    "api.create_disbursement": COORDINATOR_WRITE,
    "api.upload_receipt": COORDINATOR_WRITE,
    "api.create_conversion": COORDINATOR_WRITE,
    "api.reverse": COORDINATOR_WRITE,
    "api.list_prisoners": PUBLIC,
    "api.read_prisoner": PUBLIC,
    "api.prisoner_report": PUBLIC,
    "api.balance_sheet": PUBLIC,
    "api.journal": AUDITOR_READ,
    "api.trial_balance": AUDITOR_READ,
    "api.account_ledger": AUDITOR_READ,
    "api.pledge_fulfilment": AUDITOR_READ,
    "api.receipts_report": AUDITOR_READ,
    "api.list_pledges": AUDITOR_READ,
    "api.create_pledge_api": COORDINATOR_WRITE,
    "api.create_prisoner_api": COORDINATOR_WRITE,
    "api.update_prisoner_api": COORDINATOR_WRITE,
    "api.create_donation": COORDINATOR_WRITE,
    "api.create_transfer": COORDINATOR_WRITE,
    "api.create_event": COORDINATOR_WRITE,
    "api.list_events": AUDITOR_READ,
    "api.prisoner_parcels": AUDITOR_READ,
    "api.assign_parcel": COORDINATOR_WRITE,
    "api.parcel_plan_view": AUDITOR_READ,
    "api.parcel_outcome": COORDINATOR_WRITE,
    "api.parcel_inventory": COORDINATOR_WRITE,
    "api.parcel_refund": COORDINATOR_WRITE,
    "api.list_parcel_rules": PUBLIC,
    "api.create_parcel_rule": ADMIN_ONLY,
    "api.update_parcel_rule": ADMIN_ONLY,
    # two-person sign-off
    "api.get_approval_thresholds": AUDITOR_READ,
    "api.put_approval_thresholds": ADMIN_ONLY,
    # bank details donors pay to
    "api.list_bank_details": AUDITOR_READ,
    "api.put_bank_details": ADMIN_ONLY,
    "api.remove_bank_details": ADMIN_ONLY,
    "api.get_donor_rules": AUDITOR_READ,
    "api.cancel_pledge_api": COORDINATOR_WRITE,
    "api.put_donor_rules": ADMIN_ONLY,
    "api.approvals_queue": AUDITOR_READ,
    "api.show_approval": AUDITOR_READ,
    "api.approve_item": COORDINATOR_WRITE,
    "api.reject_item": COORDINATOR_WRITE,
    "api.withdraw_item": COORDINATOR_WRITE,
    "api.upload_approval_receipt": COORDINATOR_WRITE,
    "approvals.queue": AUDITOR_READ,
    "approvals.show": AUDITOR_READ,
    "approvals.approve_item": COORDINATOR_WRITE,
    "approvals.reject_item": COORDINATOR_WRITE,
    "approvals.withdraw_item": COORDINATOR_WRITE,
    "approvals.upload_receipt": COORDINATOR_WRITE,
    "approvals.thresholds": ADMIN_ONLY,
    "approvals.remove_threshold": ADMIN_ONLY,
    "api.openapi_document": PUBLIC,
    "api.list_accounts": AUDITOR_READ,
    "api.create_account": ADMIN_ONLY,
    "api.update_account": ADMIN_ONLY,
    "api.list_facilities": PUBLIC,
    "api.create_facility": COORDINATOR_WRITE,
    "api.update_facility": COORDINATOR_WRITE,
    # donors and Stripe
    "donate.donate": PUBLIC,
    "donate.thanks": PUBLIC,
    "donate.cancelled": PUBLIC,
    "stripe.webhook": PUBLIC,  # no session: Stripe's signature is the credential
    "stripe.held_events": COORDINATOR_WRITE,
    "stripe.retry_event": COORDINATOR_WRITE,
    "stripe.advance_event": ADMIN_ONLY,
    "api.create_public_pledge": PUBLIC,
    "pledge_transfer.form": PUBLIC,
    "pledge_transfer.printable": PUBLIC,
    "pledge_transfer.manage": PUBLIC,  # the signed token in the path is the credential
    "pledge_transfer.change": PUBLIC,
    "pledge_transfer.forget": PUBLIC,
    "pledge_transfer.confirm": PUBLIC,
    "donor_admin.settings": ADMIN_ONLY,
    "donor_admin.save_rules": ADMIN_ONLY,
    "donor_admin.save_bank_details": ADMIN_ONLY,
    "donor_admin.delete_bank_details": ADMIN_ONLY,
    "donor_admin.outbox": ADMIN_ONLY,
    "donor_admin.retry_mail": ADMIN_ONLY,
    "donor_admin.mail_file": ADMIN_ONLY,
    "donor_admin.jobs": ADMIN_ONLY,
    "donor_admin.donors": ADMIN_ONLY,
    "donor_admin.forget_donor_email": ADMIN_ONLY,
    "donor_admin.revoke_donor_links": ADMIN_ONLY,
    # public transparency pages
    "prisoners.prisoner_page": PUBLIC,
    "prisoners.prisoner_report_page": PUBLIC,
    "prisoners.prisoner_report_csv": PUBLIC,
    "reports.balance_sheet_page": PUBLIC,
    "reports.balance_sheet_csv": PUBLIC,
    "transparency.checkpoints": PUBLIC,
    "transparency.open_books": PUBLIC,
    "transparency.open_books_csv": PUBLIC,
    "transparency.open_books_jsonl": PUBLIC,
    "transparency.schedule": ADMIN_ONLY,
    "transparency.save_schedule": ADMIN_ONLY,
    "transparency.make_checkpoint": ADMIN_ONLY,
    "api.list_checkpoints": PUBLIC,
    "api.latest_checkpoint_view": PUBLIC,
    # the books, for readers
    "reports.index": AUDITOR_READ,
    "reports.accounts": AUDITOR_READ,
    "reports.account_ledger_page": AUDITOR_READ,
    "reports.account_ledger_csv": AUDITOR_READ,
    "reports.trial_balance_page": AUDITOR_READ,
    "reports.trial_balance_csv": AUDITOR_READ,
    "reports.journal": AUDITOR_READ,
    "reports.journal_csv": AUDITOR_READ,
    "reports.pledges": AUDITOR_READ,
    "reports.pledges_csv": AUDITOR_READ,
    "reports.receipts": AUDITOR_READ,
    "reports.receipts_csv": AUDITOR_READ,
    "reports.exports": AUDITOR_READ,
    "reports.export_download": AUDITOR_READ,
    # coordinators' pages: reading for every reader, writing for coordinators
    "fundraising.prisoners": AUDITOR_READ,
    "fundraising.pledges": AUDITOR_READ,
    "fundraising.pledge": AUDITOR_READ,
    "fundraising.facilities": {"GET": AUDITOR_READ, "POST": COORDINATOR_WRITE},
    "fundraising.new_prisoner": COORDINATOR_WRITE,
    "fundraising.edit_prisoner": COORDINATOR_WRITE,
    "fundraising.edit_facility": COORDINATOR_WRITE,
    "fundraising.new_pledge": COORDINATOR_WRITE,
    "fundraising.cancel": COORDINATOR_WRITE,
    "fundraising.new_donation": COORDINATOR_WRITE,
    "fundraising.new_transfer": COORDINATOR_WRITE,
    "fundraising.bank_import": COORDINATOR_WRITE,
    "fundraising.bank_import_post": COORDINATOR_WRITE,
    "fundraising.bank_import_cancel": COORDINATOR_WRITE,
    "spending.funds": AUDITOR_READ,
    "spending.fund": AUDITOR_READ,
    "spending.entry": AUDITOR_READ,
    "spending.receipt": AUDITOR_READ,
    "spending.new_disbursement": COORDINATOR_WRITE,
    "spending.new_conversion": COORDINATOR_WRITE,
    "spending.cash": COORDINATOR_WRITE,
    "spending.reverse": COORDINATOR_WRITE,
    "spending.upload_receipt": COORDINATOR_WRITE,
    "lifecycle.events": AUDITOR_READ,
    "lifecycle.new_event": COORDINATOR_WRITE,
    "lifecycle.assign": COORDINATOR_WRITE,
    "lifecycle.parcel": AUDITOR_READ,
    "lifecycle.outcome": COORDINATOR_WRITE,
    "lifecycle.refund": COORDINATOR_WRITE,
    "lifecycle.inventory": COORDINATOR_WRITE,
    "lifecycle.rules": AUDITOR_READ,
    "lifecycle.edit_rule": ADMIN_ONLY,
    # letters (issue 29)
    "api.create_letter": COORDINATOR_WRITE,
    "api.list_letters": AUDITOR_READ,
    "api.reply_to_letter": COORDINATOR_WRITE,
    "api.list_letter_services": PUBLIC,
    "api.create_letter_service": ADMIN_ONLY,
    "api.update_letter_service": ADMIN_ONLY,
    "api.prisoner_letter_address": PUBLIC,
    "letters.letters": {"GET": AUDITOR_READ, "POST": COORDINATOR_WRITE},
    "letters.reply": COORDINATOR_WRITE,
    "letters.services": AUDITOR_READ,
    "letters.edit_service": ADMIN_ONLY,
    "letters.report": AUDITOR_READ,
    "letters.report_csv": AUDITOR_READ,
    "month_post.prisoner_month": PUBLIC,
    "month_post.prisoner_month_png": PUBLIC,
    "month_post.organisation_month": PUBLIC,
    "month_post.organisation_month_png": PUBLIC,
    "month_post.releases_feed": PUBLIC,
    # commissary support
    "api.create_commissary_transfer": COORDINATOR_WRITE,
    "api.list_commissary_transfers": AUDITOR_READ,
    "api.commissary_transfer_credited": COORDINATOR_WRITE,
    "api.commissary_transfer_returned": COORDINATOR_WRITE,
    "api.personal_account_view": AUDITOR_READ,
    "api.put_top_up": COORDINATOR_WRITE,
    "api.create_commissary_run": COORDINATOR_WRITE,
    "api.show_commissary_run": AUDITOR_READ,
    "api.approve_commissary_run": COORDINATOR_WRITE,
    "commissary.transfers": AUDITOR_READ,
    "commissary.transfers_csv": AUDITOR_READ,
    "commissary.send": COORDINATOR_WRITE,
    "commissary.credited": COORDINATOR_WRITE,
    "commissary.returned": COORDINATOR_WRITE,
    "commissary.prisoner": AUDITOR_READ,
    "commissary.top_up": COORDINATOR_WRITE,
    "commissary.runs": {"GET": AUDITOR_READ, "POST": COORDINATOR_WRITE},
    "commissary.run": AUDITOR_READ,
    "commissary.approve": COORDINATOR_WRITE,
    "commissary.limits": AUDITOR_READ,
    "commissary.edit_limit": ADMIN_ONLY,
}

# Writes an auditor may make: signing in and out, the language, their own account.
AUDITOR_MAY_WRITE = {
    "pledge_transfer.forget",  # anyone holding a donor's signed link may delete that donor's email
    "pledge_transfer.confirm",  # anyone holding the confirmation link may confirm that address
    "auth.login",
    "auth.second_factor",
    "auth.logout",
    "web.set_language",
    "settings.change_own_password",
    "settings.two_factor",
    "settings.new_recovery_codes",
    "settings.create_api_token",
    "settings.revoke_api_token",
}


def refused(response, url: str) -> bool:
    """The answer of a role check: 401/403, or the redirect to sign in or to enrol."""
    if response.status_code in (401, 403):
        return True
    location = response.headers.get("Location", "")
    return response.status_code in (301, 302, 303) and (
        location.startswith("/login?next=") or location.startswith("/settings/two-factor")
    )


def test_every_route_is_classified(app):
    unclassified = sorted({rule.endpoint for rule, _method in walkable_rules(app)} - POLICY.keys())
    assert unclassified == [], f"add these endpoints to POLICY in {__file__}: {unclassified}"


def test_every_route_answers_each_role_as_the_policy_says(app, session, role_clients):
    values = url_values(session)
    problems = []
    for rule, method in walkable_rules(app):
        policy = POLICY.get(rule.endpoint)
        if isinstance(policy, dict):  # the same endpoint reads for some roles and writes for fewer
            policy = policy.get(method)
        if policy is None:
            problems.append(f"{rule.endpoint}: not in POLICY")
            continue
        url = build_url(app, rule, values)
        for who in ("anonymous", *ROLES):
            if rule.endpoint == "auth.logout":
                response = role_clients.copy_of(who).open(url, method=method)
            else:
                response = role_clients.request(who, method, url)
            status = response.status_code
            if who in ALLOWED[policy]:
                if refused(response, url) or status >= 500:
                    problems.append(f"{method} {url} as {who}: {status} but {policy} allows it")
            elif not refused(response, url):
                problems.append(f"{method} {url} as {who}: {status} but {policy} refuses it")
            if who == "auditor" and method in WRITE_METHODS and rule.endpoint not in AUDITOR_MAY_WRITE:
                if 200 <= status < 300:
                    problems.append(f"{method} {url} as auditor: {status}, a write succeeded")
    assert problems == []


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_password_alone_only_reaches_enrolment(app, users, two_factor_required, client, role):
    """A writer who has not enrolled yet can do nothing but enrol (a stolen password
    before enrolment would otherwise act)."""
    from tests.helpers import AuthActions

    response = AuthActions(client).login(role)
    assert response.headers["Location"] == "/settings/two-factor"
    for url in ("/settings/", "/admin/users", "/audit"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"] == "/settings/two-factor"
    assert client.post("/admin/users", data={}).headers["Location"] == "/settings/two-factor"
    assert client.post("/settings/tokens", data={"name": "x"}).headers["Location"] == "/settings/two-factor"
    assert client.get("/settings/two-factor").status_code == 200


def test_an_id_too_large_for_the_database_is_a_404_on_every_route(app, session, role_clients):
    """Schemathesis found it: /api/v1/approvals/2396737891401699688448/approve was a 500 (the
    driver cannot bind the number).  Every ``<int:…>`` route now answers 404 instead."""
    values = url_values(session)
    problems = []
    for rule, method in walkable_rules(app):
        numbers = [
            name
            for name, converter in rule._converters.items()
            if converter.__class__.__name__ == "RowIdConverter"
        ]
        if not numbers or rule.endpoint == "auth.logout":
            continue
        url = build_url(app, rule, {**values, **{name: 2**63 for name in numbers}})
        status = role_clients.request("admin", method, url).status_code
        if status != 404:
            problems.append(f"{method} {url}: {status}")
    assert problems == []
    assert role_clients.request("admin", "GET", "/api/v1/approvals/2396737891401699688448").status_code == 404
