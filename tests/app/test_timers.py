"""The scheduled publicity task moves projects whose notice period is over, once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.extensions import db
from app.system.tasks import end_publicity_periods
from ledger.users import User
from workflows.projects import Project
from workflows.publicity import Objection, PublicNotice, answer_objection


def _states(session) -> dict[str, str]:
    session.expire_all()
    return {p.community.code: p.state for p in session.scalars(select(Project).where(Project.code == "P03"))}


def test_end_publicity_moves_an_answered_project_holds_an_objected_one_and_runs_once(app, world, session):
    notices = session.scalars(
        select(PublicNotice).join(Project, Project.id == PublicNotice.project_id)
        .where(Project.state == "publicity", Project.code == "P03")
    ).all()
    assert len(notices) == 2  # 春华一社区's P03 in each city, each with an unanswered objection
    for notice in notices:
        length = notice.ends_at - notice.starts_at
        notice.ends_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
        notice.starts_at = notice.ends_at - length
    objection = session.scalar(select(Objection).join(PublicNotice).join(Project)
                               .where(Project.community.has(code="Q010101")))
    secretary = session.scalar(select(User).where(User.username == "secretary-q010101"))
    answer_objection(session, objection, "已与托管机构协商，延长至下午六点。", by=secretary, role="community_staff")
    session.commit()

    with app.app_context():
        first = end_publicity_periods.run()
        db.session.commit()
        second = end_publicity_periods.run()
        db.session.commit()
    assert first["advanced"] == 1 and first["held_back"] == 1
    assert _states(session) == {"Q010101": "review", "XQ010101": "publicity"}
    assert second["advanced"] == 0
    assert _states(session) == {"Q010101": "review", "XQ010101": "publicity"}
