"""The cached public board and dashboards: never older than the last commit, never someone else's.

A page is shown from the cache until a commit changes what it shows. To tell a cached page
from a freshly computed one, a test renames an organisation behind the application's back
(a plain connection, which no session reports): a cached page keeps the old name, a page
computed again shows the new one.
"""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from flask import g
from sqlalchemy import select, update

from app import create_app
from app.auth.operations import create_user
from app.cache import Page, cached_page, page_key
from app.extensions import db as flask_db
from app.generations import PENDING, _registry
from app.street.expiry import next_tick
from config import TestConfig
from ledger.organisations import Organisation, by_code
from ledger.posting import post_voucher, review_voucher
from ledger.reports import Rounding, execution_by_organisation
from ledger.users import User
from ledger.vouchers import Voucher
from workflows.projects import Project
from tests.app.conftest import login
from tests.app.test_finance_setup import YEAR, fin, spending_lines  # noqa: F401
from tests.app.test_finance_vouchers import act, allocate, enter
from tests.app.test_street_support import cells, shown_money

BOARD = f"/c/Q010101?year={YEAR}"
DASHBOARD = f"/street/S0101?year={YEAR}"
OVERSIGHT = f"/oversight/D01?year={YEAR}"
RATES = Rounding("truncate", 2)


def rename_unseen(database, code: str, name: str) -> None:
    """Rename ``code`` through a bare connection: no session sees it, so no page is renewed."""
    with database.engine.begin() as connection:
        connection.execute(update(Organisation.__table__).where(Organisation.code == code).values(name=name))


def html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def spent(session, code: str) -> str:
    session.commit()
    org = by_code(session, code)
    return shown_money(execution_by_organisation(session, org, YEAR, org.level, rounding=RATES).iloc[0]["spent"])


def board_spent(page: str) -> str:
    """The "spent" figure of the public board's money section (``12,345.60 元``)."""
    figures = re.search(r'<dl class="pub-figures">(.*?)</dl>', page, re.S).group(1)
    return re.findall(r'<dd class="pub-num">([^<]*)</dd>', figures)[1].split()[0]


def test_pages_stay_cached_until_a_voucher_is_posted_on_the_finance_pages(fin, app, database, session, login_as):
    clerk, second, committee = login_as("finance-s0101"), login_as("finance2-s0101"), login_as("committee-s0101")
    third = login_as("finance3-s0101")
    allocate(clerk, second, third, session, fin.book.id)
    visitor = app.test_client()
    before = spent(session, "Q010101")
    assert board_spent(html(visitor, BOARD)) == before
    assert cells(html(committee, DASHBOARD), "data-org", "Q010101")["spent"] == before

    rename_unseen(database, "Q010101", "改名未见社区")
    assert "改名未见社区" not in html(visitor, BOARD)  # served from the cache
    assert "改名未见社区" not in html(committee, DASHBOARD)

    assert enter(clerk, fin.book.id, spending_lines("300.00")).status_code == 302
    voucher = session.scalars(select(Voucher).order_by(Voucher.id.desc())).first()
    assert act(second, voucher.id, "review").status_code == 302
    assert act(third, voucher.id, "post").status_code == 302
    after = spent(session, "Q010101")
    assert after != before
    page = html(visitor, BOARD)
    assert board_spent(page) == after and "改名未见社区" in page
    dashboard = html(committee, DASHBOARD)
    assert cells(dashboard, "data-org", "Q010101")["spent"] == after
    assert cells(dashboard, "data-org", "S0101")["spent"] == spent(session, "S0101")


def test_a_voucher_posted_through_the_ledger_service_shows_on_the_next_request(fin, app, session, login_as):
    clerk, second, third = login_as("finance-s0101"), login_as("finance2-s0101"), login_as("finance3-s0101")
    allocate(clerk, second, third, session, fin.book.id)
    assert enter(clerk, fin.book.id, spending_lines("450.00")).status_code == 302
    visitor, oversight = app.test_client(), login_as("oversight-d01")
    before = spent(session, "Q010101")
    assert board_spent(html(visitor, BOARD)) == before
    assert cells(html(oversight, OVERSIGHT), "data-org", "D01")["spent"] == spent(session, "D01")

    voucher = session.scalars(select(Voucher).order_by(Voucher.id.desc())).first()
    finance2, finance3 = (session.scalar(select(User).where(User.username == name))
                          for name in ("finance2-s0101", "finance3-s0101"))
    review_voucher(session, voucher, by=finance2)
    post_voucher(session, voucher, by=finance3)
    session.commit()  # a plain session, outside any request: the cache still hears of it

    assert board_spent(html(visitor, BOARD)) == spent(session, "Q010101") != before
    assert cells(html(oversight, OVERSIGHT), "data-org", "D01")["spent"] == spent(session, "D01")


def test_an_approval_shows_on_the_public_board_and_the_dashboard(world, app, session, login_as):
    committee = login_as("committee-s0101")
    p = session.scalar(select(Project).join(Organisation, Organisation.id == Project.community_id)
                       .where(Organisation.code == "Q010101", Project.code == "P04"))
    assert p.state == "review"
    visitor = app.test_client()
    under_way = lambda page: page.split('id="approved"')[1].split('id="finished"')[0]  # noqa: E731
    assert p.title not in under_way(html(visitor, "/c/Q010101"))
    steps_before = html(committee, "/street/S0101").split('id="counts"')[1]

    token = re.search(r'name="csrf-token" content="([^"]+)"', html(committee, "/home")).group(1)
    approved = committee.post(f"/street/S0101/review/{p.id}/approve", data={"csrf_token": token, "amount": "45,000.00"})
    assert approved.status_code == 302

    assert p.title in under_way(html(visitor, "/c/Q010101"))
    assert html(committee, "/street/S0101").split('id="counts"')[1] != steps_before


def test_a_change_in_one_community_leaves_the_others_cached(fin, app, database, session, login_as):
    clerk, second, third = login_as("finance-s0101"), login_as("finance2-s0101"), login_as("finance3-s0101")
    visitor = app.test_client()
    html(visitor, "/c/Q010102"), html(visitor, "/c/Q010101")
    rename_unseen(database, "Q010102", "未见改名二社区")
    allocate(clerk, second, third, session, fin.book.id)  # Q010101's books
    assert "未见改名二社区" not in html(visitor, "/c/Q010102")  # its neighbour's change did not touch it


def test_a_cached_dashboard_shows_each_viewer_their_own_name_and_token(world, app, session, login_as):
    street = by_code(session, "S0101")
    create_user(session, "committee-two", "第二位委员甲乙", "a-long-password-2", role="street_committee",
                org=street, fast_hash=True)
    session.commit()
    first = login_as("committee-s0101")
    other = app.test_client()
    assert login(other, "committee-two", "a-long-password-2", remote_addr="10.9.9.9").status_code == 302
    mine, theirs = html(first, "/street/S0101"), html(other, "/street/S0101")
    token = lambda page: re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # noqa: E731
    assert "第二位委员甲乙" in theirs and "第二位委员甲乙" not in mine
    assert token(mine) != token(theirs)
    # The same content for both (same roles), in each one's own frame.
    content = lambda page: page.split("<main>", 1)[1]  # noqa: E731
    assert content(mine).split("</h1>")[1] == content(theirs).split("</h1>")[1]
    name = session.scalar(select(User.display_name).where(User.username == "committee-s0101"))
    assert name in html(first, "/c/Q010101")
    assert name not in html(app.test_client(), "/c/Q010101")  # the board cached while they looked


def test_two_applications_share_the_cache_and_its_renewals(fin, app, database, session, login_as, tmp_path):
    class Second(TestConfig):  # another process on the same database and the same cache folder
        SQLALCHEMY_DATABASE_URI = database.url
        INSTANCE_PATH = str(tmp_path / "second")
        CACHE_DIR = app.config["CACHE_DIR"]
        EVIDENCE_FOLDER = str(tmp_path / "second" / "evidence")
        CELERY = {**TestConfig.CELERY, "broker_url": f"sqla+sqlite:///{tmp_path / 'broker2.sqlite'}"}

    second_app = create_app(Second)
    try:
        first_visitor, second_visitor = app.test_client(), second_app.test_client()
        before = board_spent(html(first_visitor, BOARD))
        rename_unseen(database, "Q010101", "改名未见社区")
        assert "改名未见社区" not in html(second_visitor, BOARD)  # the first application's page

        clerk, reviewer, poster = (second_app.test_client() for _ in range(3))
        assert login(clerk, "finance-s0101", remote_addr="10.8.0.1").status_code == 302
        assert login(reviewer, "finance2-s0101", remote_addr="10.8.0.2").status_code == 302
        assert login(poster, "finance3-s0101", remote_addr="10.8.0.3").status_code == 302
        allocate(clerk, reviewer, poster, session, fin.book.id)  # committed by the second application
        page = html(first_visitor, BOARD)
        assert "改名未见社区" in page and board_spent(page) == spent(session, "Q010101") == before
    finally:
        with second_app.app_context():
            flask_db.engine.dispose()


@pytest.mark.parametrize(("due_in", "changes_in"), [
    (dt.timedelta(hours=5), dt.timedelta(hours=5)),      # not due yet: when it falls due
    (dt.timedelta(hours=-5), dt.timedelta(hours=19)),    # 0 days over: at 1 day over
    (dt.timedelta(hours=-30), dt.timedelta(hours=18)),   # 1 day over: at 2 days over
])
def test_a_timer_changes_a_dashboard_when_due_then_at_each_whole_day_over(due_in, changes_in):
    now = dt.datetime(2026, 3, 1, 12, tzinfo=dt.timezone.utc)
    assert next_tick(now + due_in, now) == now + changes_in


@pytest.mark.filterwarnings("ignore:Flask-Caching. CACHE_TYPE is set to NullCache")  # what the setting means
def test_with_caching_off_pages_are_computed_each_time_and_commits_collect_nothing(fin, app, database, tmp_path):
    class Uncached(TestConfig):
        SQLALCHEMY_DATABASE_URI = database.url
        INSTANCE_PATH = str(tmp_path / "uncached")
        EVIDENCE_FOLDER = str(tmp_path / "uncached" / "evidence")
        CACHE_TYPE = "NullCache"
        CELERY = {**TestConfig.CELERY, "broker_url": f"sqla+sqlite:///{tmp_path / 'broker3.sqlite'}"}

    others = {database_key: list(kept) for database_key, kept in _registry.items()}
    for kept in _registry.values():  # only the application under test, which caches nothing
        kept.clear()
    uncached = create_app(Uncached)
    try:
        visitor = uncached.test_client()
        html(visitor, BOARD)
        rename_unseen(database, "Q010101", "不缓存社区")
        assert "不缓存社区" in html(visitor, BOARD)
        with uncached.app_context():
            flask_db.session.get(Organisation, fin.book.organisation_id).name = "不缓存社区二"
            flask_db.session.flush()
            assert PENDING not in flask_db.session.info  # no generations to renew: nothing mapped
            flask_db.session.rollback()
    finally:
        for database_key, kept in others.items():
            _registry[database_key].update(kept)
        with uncached.app_context():
            flask_db.engine.dispose()


def computing(made: list):
    """A page's computation that notes each time it runs in ``made``."""
    def compute():
        made.append("mine")
        return Page("看板", "mine")
    return compute


def test_a_page_another_worker_is_computing_is_waited_for_not_computed_twice(app):
    store, made = app.extensions["page_cache"], []
    compute = computing(made)

    with app.test_request_context():
        g.cache_tokens = ["t-everything", "t-community"]
        key = page_key("board", ("Q9",))
        assert store.claim(key)  # another worker started computing the page first
        threading.Timer(0.2, lambda: (store.set(key, Page("看板", "theirs"), 60), store.release(key))).start()
        assert cached_page("board", ("Q9",), compute).content == "theirs" and made == []
        assert cached_page("board", ("Q9",), compute).content == "theirs" and made == []  # now from the cache


def test_a_claim_left_by_a_dead_worker_delays_the_page_but_does_not_lose_it(app, monkeypatch):
    store, made = app.extensions["page_cache"], []
    monkeypatch.setitem(app.config, "PAGE_CACHE_WAIT_SECONDS", 0.2)
    compute = computing(made)

    with app.test_request_context():
        g.cache_tokens = ["t-everything", "t-community"]
        key = page_key("board", ("Q8",))
        assert store.claim(key)  # and its worker was killed: nobody will store the page
        assert cached_page("board", ("Q8",), compute).content == "mine" and made == ["mine"]
        assert cached_page("board", ("Q8",), compute).content == "mine" and made == ["mine"]
