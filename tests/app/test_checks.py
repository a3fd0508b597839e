"""The nightly checks notify the people responsible, once, and only them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, text

from app.extensions import db
from app.system.checks import run_checks
from app.system.notifications import Notification
from tests.app.conftest import csrf_token


def _run(app, today):
    with app.app_context():
        made = run_checks(db.session, today)
        db.session.commit()
    return made


def test_checks_notify_behind_schedule_communities_and_plans_once(app, world, session):
    first = _run(app, dt.date(2026, 10, 5))  # Q3 has ended: 60 % should be spent
    again = _run(app, dt.date(2026, 10, 5))
    assert first["check_execution"] > 0 and first["check_books"] == 0
    assert sum(again.values()) == 0
    december = _run(app, dt.date(2026, 12, 20))  # next year's plans are due by 31 December
    assert december["check_plans"] == 24 and december["check_execution"] == 0  # no new quarter has ended
    assert _run(app, dt.date(2026, 12, 21))["check_plans"] == 0
    behind = session.scalars(select(Notification).where(Notification.kind == "execution")).all()
    assert {n.organisation.code for n in behind} >= {"S0101", "XS0101"}
    assert all(n.role == "street_committee" for n in behind)


def test_a_tampered_voucher_is_reported_to_street_finance(app, world, session, database):
    if database.engine.dialect.name == "postgresql":
        with database.engine.begin() as conn:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text("UPDATE vouchers SET description = 'x' WHERE id = (SELECT min(id) FROM vouchers WHERE status = 'posted')"))
    else:
        with database.engine.begin() as conn:
            triggers = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type='trigger' AND tbl_name='vouchers'")).all()
            for name, _sql in triggers:
                conn.execute(text(f'DROP TRIGGER "{name}"'))
            conn.execute(text("UPDATE vouchers SET description = 'x' WHERE id = (SELECT min(id) FROM vouchers WHERE status = 'posted')"))
            for _name, sql in triggers:
                conn.execute(text(sql))
    made = _run(app, dt.date(2026, 11, 20))
    assert made["check_books"] == 1
    notice = session.scalar(select(Notification).where(Notification.kind == "books"))
    assert notice.role == "street_finance" and notice.organisation.code == "S0101"


def test_home_shows_a_reminder_to_its_addressee_only_until_done(app, world, session, login_as):
    _run(app, dt.date(2026, 10, 5))
    committee = login_as("committee-s0101")
    page = committee.get("/home").get_data(as_text=True)
    assert "春华三社区" in page and "目标为 60%" in page
    other_street = login_as("committee-s0102").get("/home").get_data(as_text=True)
    assert "春华三社区" not in other_street
    secretary = login_as("secretary-q010101").get("/home").get_data(as_text=True)
    assert "目标为" not in secretary
    notice = session.scalar(select(Notification).where(Notification.kind == "execution",
                                                        Notification.params["community"].as_string() == "春华三社区"))
    foreign = login_as("committee-s0102")
    assert foreign.post(f"/home/notifications/{notice.id}/read",
                        data={"csrf_token": csrf_token(foreign, "/home")}).status_code == 404
    committee.post(f"/home/notifications/{notice.id}/read", data={"csrf_token": csrf_token(committee, "/home")})
    assert "春华三社区已支出" not in committee.get("/home").get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Notification)) > 0
