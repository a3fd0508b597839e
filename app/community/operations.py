"""What the community pages need beyond the cores: loading with access checks, the roles a
user really holds in the workflow, figures for the dashboard, and the payment request.

Nothing here decides a rule of the process or the books: the cores do (``workflows/``,
``ledger/``); this module only puts their answers together for one request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from flask import abort, current_app
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.base import money
from ledger.books import Book
from ledger.budget import BudgetExceeded, breaches_of
from ledger.dimensions import funding_source
from ledger.errors import DomainError, N_
from ledger.expenditures import record_expenditure
from ledger.organisations import Organisation, by_code
from ledger.reports import execution_by_organisation, execution_by_purpose, execution_by_source
from workflows.emergency import overdue_follow_ups
from workflows.errors import WorkflowError
from workflows.evidence import store_evidence
from workflows.machine import possible_events
from workflows.plans import AnnualPlan
from workflows.projects import Project, spending_project
from workflows.timers import overdue_steps, plan_deadlines

from ..auth.access import require
from ..extensions import db
from .models import PaymentRequest

#: The workflow's roles and the action that proves a user holds one over a community.
#: (The process definitions name roles; the web checks actions, never role names.)
WORKFLOW_ROLES = {
    "community_staff": "community.work",
    "street_committee": "project.review",
    "street_finance": "books.post",
}


def load_community(code: str, action: str = "project.view") -> Organisation:
    """The community with ``code``, after checking ``action`` on it (404 if unseen)."""
    org = by_code(db.session, code)
    if org is None or org.level != "community" or not org.is_active:
        abort(404)
    require(action, org)
    return org


def load_project(project_id: int, action: str = "project.view") -> Project:
    project = db.get_or_404(Project, project_id)
    require(action, project.community)
    return project


def held_roles(community: Organisation) -> list[str]:
    """The workflow roles the current user really holds over ``community``."""
    return [role for role, action in WORKFLOW_ROLES.items() if current_user.can(action, community)]


def allowed_transitions(project: Project) -> list:
    """The project's next transitions that this user may fire (guards not yet checked)."""
    roles = set(held_roles(project.community))
    return [t for t in possible_events(project) if roles & set(t.roles)]


def role_for(project: Project, event: str) -> str:
    """The role in which the user fires ``event``: one they hold and the transition allows.

    Aborts 403 (or 404) when they hold none; an event the step does not offer is left to
    the core, which says what is possible instead.
    """
    transitions = [t for t in project.definition.transitions if t.event == event]
    if not transitions:
        abort(404)
    current = [t for t in transitions if t.source == project.state] or transitions
    roles = [r for r in current[0].roles if r in WORKFLOW_ROLES]
    for role in roles:
        if current_user.can(WORKFLOW_ROLES[role], project.community):
            return role
    require(WORKFLOW_ROLES[roles[0]] if roles else "community.work", project.community)
    abort(403)


def evidence_folder() -> Path:
    """Where evidence files are kept: ``EVIDENCE_FOLDER`` or ``<instance>/evidence``."""
    return Path(current_app.config.get("EVIDENCE_FOLDER") or Path(current_app.instance_path) / "evidence")


def upload(project: Project, file_storage, kind: str, meeting=None):
    """Keep an uploaded file as evidence of ``project`` through the core's checks."""
    data = file_storage.read()
    return store_evidence(
        db.session, evidence_folder(), project, data=data, filename=file_storage.filename or "",
        kind=kind, by=current_user.user, meeting=meeting,
    )


# --- the dashboard ------------------------------------------------------------------------

def fiscal_year_of(community: Organisation, asked: int | None) -> int:
    """The year the dashboard shows: the one asked for, else the latest open book's, else this year."""
    if asked:
        return asked
    year = db.session.scalar(
        select(func.max(Book.fiscal_year)).where(Book.organisation_id == community.id,
                                                  Book.fiscal_year <= dt.date.today().year)
    )
    return year or dt.date.today().year


@dataclass
class Money:
    allocated: Decimal
    arrived: Decimal
    spent: Decimal
    balance: Decimal
    execution_rate: Decimal | None


def fund_figures(session: Session, community: Organisation, year: int):
    """Received, spent, balance; by funding source and by purpose (the ledger's reports)."""
    frame = execution_by_organisation(session, community, year, level="community")
    row = frame.iloc[0] if len(frame) else None
    zero = money(0)
    total = Money(
        *(row[k] if row is not None else zero for k in ("allocated", "arrived", "spent", "balance")),
        row["execution_rate"] if row is not None else None,
    )
    sources = execution_by_source(session, community, year).to_dict("records")
    purposes = execution_by_purpose(session, community, year).to_dict("records")
    return total, sources, purposes


def projects_by_step(session: Session, community: Organisation, state: str | None = None):
    projects = list(session.scalars(
        select(Project).where(Project.community_id == community.id).order_by(Project.created_at.desc(), Project.id.desc())
    ))
    counts: dict[str, int] = {}
    for project in projects:
        counts[project.state] = counts.get(project.state, 0) + 1
    if state:
        projects = [p for p in projects if p.state == state]
    return projects, counts


def overdue_for(session: Session, community: Organisation):
    """Steps, emergency follow-ups and the plan deadline of this community that are late."""
    ids = set(session.scalars(select(Project.id).where(Project.community_id == community.id)))
    steps = [o for o in overdue_steps(session) if o.project_id in ids]
    follow_ups = [o for o in overdue_follow_ups(session) if o.community_id == community.id]
    next_year = dt.date.today().year + 1
    plans = [d for d in plan_deadlines(session, next_year) if d.community_id == community.id]
    return steps, follow_ups, plans


def plan_of(session: Session, community: Organisation, year: int) -> AnnualPlan | None:
    return session.scalar(select(AnnualPlan).where(AnnualPlan.community_id == community.id, AnnualPlan.year == year))


# --- payment requests --------------------------------------------------------------------

class PaymentRefused(WorkflowError):
    """A payment request the books cannot take as asked."""


def book_for(session: Session, community: Organisation, on: dt.date) -> Book:
    book = session.scalar(select(Book).where(Book.organisation_id == community.id, Book.fiscal_year == on.year))
    if book is None:
        raise PaymentRefused(
            N_("No books of %(organisation)s are open for %(year)d; ask the street finance office."),
            field="paid_on", organisation=community.name, year=on.year,
        )
    return book


def request_payment(session: Session, project: Project, *, amount, source_code: str, paid_on: dt.date,
                    description: str, invoice_file, by) -> PaymentRequest:
    """The secretary prepares the voucher draft of a payment (申请支付) with its invoice.

    The ledger prepares the voucher (``by`` is its preparer, so she can neither review nor
    post it); a payment past the project's approval or the money received is refused now
    rather than at posting, with the ledger's own figures.
    """
    ledger_project = spending_project(project)
    source = funding_source(session, source_code)
    if source is None:
        raise PaymentRefused(N_("Funding source %(source)s is unknown."), field="source", source=source_code)
    book = book_for(session, project.community, paid_on)
    invoice = upload(project, invoice_file, "invoice")
    voucher = record_expenditure(session, book, ledger_project, source, money(amount), paid_on,
                                 description, by=by, memo=description)
    breaches = breaches_of(session, voucher)
    if breaches:
        raise BudgetExceeded(breaches)
    row = PaymentRequest(
        project_id=project.id, community_id=project.community_id, voucher=voucher, invoice=invoice,
        funding_source_code=source.code, amount=money(amount), paid_on=paid_on, description=description.strip(),
        requested_by_id=by.id,
    )
    session.add(row)
    session.flush()
    return row


def payment_field(error: DomainError) -> str | None:
    """The payment form's field a ledger refusal is about (its lines are the form's amount)."""
    name = error.field or ""
    if name.startswith("lines[") and name.endswith((".memo", ".purpose", ".project")):
        return "description"
    if name.startswith("lines") or name in ("amount",):
        return "amount"
    return {"date": "paid_on", "description": "description", "file": "invoice", "filename": "invoice",
            "source": "source", "paid_on": "paid_on"}.get(name)


def payment_requests(session: Session, community: Organisation, project: Project | None = None):
    query = select(PaymentRequest).where(PaymentRequest.community_id == community.id)
    if project is not None:
        query = query.where(PaymentRequest.project_id == project.id)
    return list(session.scalars(query.order_by(PaymentRequest.requested_at.desc(), PaymentRequest.id.desc())))
