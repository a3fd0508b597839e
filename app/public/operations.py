"""Writes a resident makes, each through the workflow core, plus what the core does not keep.

Every function flushes and leaves the commit to the request. The audit row names no
person: a resident has no account, and the address is not kept.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.organisations import Organisation
from workflows.needs import Need, add_need
from workflows.once import replayed
from workflows.publicity import Objection, PublicNotice, object_to
from workflows.satisfaction import SatisfactionRating, rate

from ..audit import record
from .board import today
from .models import NeedContact

ONLINE = "online"


def reference(community: Organisation, need: Need) -> str:
    """The number a resident quotes when asking about a need: community code and need id."""
    return f"{community.code}-{need.id:06d}"


def submit_need(session: Session, community: Organisation, category: str, description: str,
                contact: str | None, key: str | None = None) -> Need:
    """Put an online need into the community's pool (居民网上提交), its contact kept apart;
    the same submission sent again (``key``) gives back the need it made."""
    need = add_need(session, community, channel=ONLINE, received_on=today(), category=category,
                    description=description, by=None, key=key)
    if replayed(session, need):
        return need
    contact = (contact or "").strip()
    if contact:
        session.add(NeedContact(need_id=need.id, contact=contact))
    record(session, None, "public.need_submitted", need, community=community.code)
    session.flush()
    return need


def contact_for(session: Session, need: Need) -> str | None:
    """The contact a resident left with an online need, for the community's staff only."""
    return session.scalar(select(NeedContact.contact).where(NeedContact.need_id == need.id))


def submit_objection(session: Session, notice: PublicNotice, text: str, contact: str | None,
                     key: str | None = None) -> Objection:
    """A resident's objection to a running notice (``workflows.publicity.object_to``); the same
    submission sent again (``key``) gives back the objection it made."""
    objection = object_to(session, notice, text, contact, key=key)
    if not replayed(session, objection):
        record(session, None, "public.objection_submitted", objection, notice=notice.id)
    return objection


def submit_rating(session: Session, project, household_code: str, rating: int, *, secret: str) -> SatisfactionRating:
    """A household's rating (``workflows.satisfaction.rate``) by a code the community handed
    out for the project's plan year (``workflows.household_codes``); the code is not audited."""
    row = rate(session, project, household_code, rating, secret=secret)
    record(session, None, "public.rating_submitted", row, project=project.id)
    return row
