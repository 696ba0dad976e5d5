"""The audit log page for auditors and admins: newest first, filtered by action or user."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import func, select

from ledger.access.models import AuditEvent, User
from ledger.access.roles import Role
from ledger.extensions import db
from ledger.web.access_control import role_required
from ledger.web.audit_words import action_label, readable
from ledger.web.paging import page_args, redirect_past_end

bp = Blueprint("audit", __name__)
PER_PAGE = 50


@bp.get("/audit")
@role_required(Role.ADMIN, Role.AUDITOR)
def index():
    action = (request.args.get("action") or "").strip()[:64]
    user_id = request.args.get("user", type=int)
    page = page_args(PER_PAGE).page  # a bad page redirects (ledger/web/paging.py)
    query = select(AuditEvent)
    if action:
        query = query.where(AuditEvent.action == action)
    if user_id:
        query = query.where(AuditEvent.user_id == user_id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    redirect_past_end((page, PER_PAGE), total)
    events = db.session.scalars(
        query.order_by(AuditEvent.id.desc()).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    actions = db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    users = db.session.scalars(select(User).order_by(User.email)).all()
    return render_template(
        "audit/index.html",
        events=readable(list(events)),
        actions=sorted(((name, action_label(name)) for name in actions), key=lambda item: item[1].casefold()),
        users=users,
        action=action,
        user_id=user_id,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        total=total,
    )
