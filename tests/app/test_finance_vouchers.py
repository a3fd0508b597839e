"""Voucher entry, review, posting, refusals that keep every line, double submits, reversal."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from app.audit import AuditEvent
from ledger.allocations import Allocation
from ledger.vouchers import BudgetOverride, OverrideRequest, Voucher
from tests.app.conftest import csrf_token
from tests.app.test_finance_setup import YEAR, fin, spending_lines  # noqa: F401

DAY = dt.date(YEAR, 3, 15).isoformat()


def _key(html: str) -> str:
    return re.search(r'name="key" type="hidden" value="([0-9a-f]+)"', html).group(1)


def enter(client, book_id: int, lines: dict, description: str = "支付便民服务费用", date: str = DAY,
          key: str | None = None, **extra):
    page = client.get(f"/finance/books/{book_id}/vouchers/new").get_data(as_text=True)
    data = {"csrf_token": csrf_token(client, "/home"), "date": date, "description": description,
            "key": key or _key(page), "save": "1", **lines, **extra}
    return client.post(f"/finance/books/{book_id}/vouchers/new", data=data)


def act(client, voucher_id: int, action: str, **data):
    return client.post(f"/finance/vouchers/{voucher_id}/{action}",
                       data={"csrf_token": csrf_token(client, "/home"), **data})


def allocate(clerk, reviewer, poster, session, book_id: int, amount: str = "5000.00") -> Allocation:
    response = clerk.post(f"/finance/books/{book_id}/allocations", data={
        "csrf_token": csrf_token(clerk, "/home"), "source": "district", "amount": amount,
        "arrived_on": dt.date(YEAR, 1, 10).isoformat(), "reference": "区财拨〔2026〕1号", "key": "k-alloc",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    allocation = session.scalars(select(Allocation).order_by(Allocation.id.desc())).first()
    assert act(reviewer, allocation.voucher_id, "review").status_code == 302
    assert act(poster, allocation.voucher_id, "post").status_code == 302
    session.expire_all()
    assert allocation.voucher.status == "posted"
    return allocation


def vouchers(session) -> int:
    return session.scalar(select(func.count(Voucher.id)))


def test_a_balanced_voucher_is_entered_reviewed_by_a_second_clerk_and_posted_by_a_third(fin, session, login_as):
    clerk, second, third = login_as("finance-s0101"), login_as("finance2-s0101"), login_as("finance3-s0101")
    allocate(clerk, second, third, session, fin.book.id)
    response = enter(clerk, fin.book.id, spending_lines("300.00", memo="修缮座椅"))
    assert response.status_code == 302
    voucher = session.scalars(select(Voucher).order_by(Voucher.id.desc())).first()
    assert voucher.status == "draft" and len(voucher.lines) == 4
    page = clerk.get(f"/finance/vouchers/{voucher.id}").get_data(as_text=True)
    assert "300.00" in page and "修缮座椅" in page
    assert act(second, voucher.id, "review").status_code == 302
    refused = act(second, voucher.id, "post")  # the reviewer does not post what they reviewed
    assert "须由第三名财务人员记账" in second.get(refused.headers["Location"]).get_data(as_text=True)
    session.expire_all()
    assert voucher.status == "reviewed"
    assert act(third, voucher.id, "post").status_code == 302
    session.expire_all()
    assert voucher.status == "posted" and voucher.number and voucher.posted_by.username == "finance3-s0101"
    assert voucher.reviewed_by.username == "finance2-s0101"


def test_the_preparer_can_neither_review_nor_post(fin, session, login_as):
    clerk = login_as("finance-s0101")
    allocation = clerk.post(f"/finance/books/{fin.book.id}/allocations", data={
        "csrf_token": csrf_token(clerk, "/home"), "source": "district", "amount": "1,000.00",
        "arrived_on": dt.date(YEAR, 1, 10).isoformat(), "key": "k1"})
    assert allocation.status_code == 302
    voucher = session.scalars(select(Voucher).order_by(Voucher.id.desc())).first()
    response = act(clerk, voucher.id, "review")
    page = clerk.get(response.headers["Location"]).get_data(as_text=True)
    assert "cannot also" in page or "不能" in page
    assert "须由另一位财务人员审核，再由第三位财务人员记账" in page
    session.expire_all()
    assert voucher.status == "draft"


def _kept(page: str, *values: str) -> bool:
    return all(v in page for v in values)


def test_an_unbalanced_voucher_is_refused_and_every_line_kept(fin, session, login_as):
    before = vouchers(session)
    clerk = login_as("finance-s0101")
    lines = spending_lines("300.00", memo="修缮座椅")
    lines["lines-3-credit"] = "299.99"
    response = enter(clerk, fin.book.id, lines, description="支付<script>alert(1)</script>")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "budget accounting" in page or "预算会计" in page
    assert _kept(page, 'value="299.99"', 'value="300.00"', "修缮座椅", "&lt;script&gt;")
    assert "<script>alert(1)" not in page
    assert vouchers(session) == before


def test_a_negative_list_use_is_refused_with_the_rule(fin, session, login_as):
    before = vouchers(session)
    clerk = login_as("finance-s0101")
    response = enter(clerk, fin.book.id, spending_lines("200.00", memo="中秋宴请"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "宴请/礼品" in page and "中秋宴请" in page
    assert vouchers(session) == before


def test_over_budget_posts_only_once_the_street_committee_grants_it(fin, session, login_as):
    before = vouchers(session)
    clerk, second, third = login_as("finance-s0101"), login_as("finance2-s0101"), login_as("finance3-s0101")
    committee = login_as("committee-s0101")
    allocate(clerk, second, third, session, fin.book.id)
    lines = spending_lines("1500.00")
    first = enter(clerk, fin.book.id, lines)
    page = first.get_data(as_text=True)
    assert first.status_code == 200 and "FIN-T1" in page and 'value="1500.00"' in page
    assert 'name="override_request"' in page and vouchers(session) == before + 1  # only the allocation
    saved = enter(clerk, fin.book.id, lines, key=_key(page), override_request="追加验收后的维修费用")
    assert saved.status_code == 302
    voucher = session.scalars(select(Voucher).order_by(Voucher.id.desc())).first()
    act(second, voucher.id, "review")
    # a clerk alone cannot post it, whatever they send
    act(third, voucher.id, "post", override_reason="boss said so")
    session.expire_all()
    assert voucher.status == "reviewed" and session.scalar(select(func.count(BudgetOverride.id))) == 0
    page = third.get(f"/finance/vouchers/{voucher.id}").get_data(as_text=True)
    assert "approved 1000.00" in page or "批准 1000.00" in page or "1000.00" in page
    assert "override-request" in page  # the form that asks the committee
    asked = act(third, voucher.id, "override-request", reason="街道党工委会议同意追加维修")
    act(third, voucher.id, "override-request", reason="街道党工委会议同意追加维修")  # sent twice: asked once
    assert asked.status_code == 302
    request_ = session.scalars(select(OverrideRequest)).one()
    assert request_.status == "asked" and request_.asked_by.username == "finance3-s0101"
    assert session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "override.ask")) == 1
    act(third, voucher.id, "post")  # asked is not granted
    session.expire_all()
    assert voucher.status == "reviewed"

    queue = committee.get("/street/S0101/overrides").get_data(as_text=True)
    assert "街道党工委会议同意追加维修" in queue and f'data-override="{request_.id}"' in queue
    answer = f"/street/S0101/overrides/{request_.id}/answer"
    token = csrf_token(committee, "/home")
    assert committee.post(answer, data={"csrf_token": token, "decision": "grant", "note": ""}).status_code == 302
    session.expire_all()
    assert request_.status == "asked"  # no note, no answer
    committee.post(answer, data={"csrf_token": token, "decision": "grant", "note": "2026年第3次党工委会议通过"})
    replay = committee.post(answer, data={"csrf_token": token, "decision": "refuse", "note": "改主意"},
                            follow_redirects=True).get_data(as_text=True)
    assert "该申请已由" in replay and "批准" in replay
    session.expire_all()
    assert (request_.status, request_.answered_by.username) == ("granted", "committee-s0101")

    act(third, voucher.id, "post")
    session.expire_all()
    assert voucher.status == "posted" and voucher.posted_by.username == "finance3-s0101"
    override = session.scalars(select(BudgetOverride)).one()
    assert override.by.username == "committee-s0101" and override.request_id == request_.id
    board = committee.get("/street/S0101").get_data(as_text=True)
    past = board.split('id="past-budget"')[1].split("</section>")[0]
    assert 'data-past-budget="Q010101"' in past and override.by.display_name in past
    assert "街道党工委会议同意追加维修" in past and "2026年第3次党工委会议通过" in past


def asked_past_the_budget(fin, session, login_as):
    """A reviewed payment of 1,500 on FIN-T1 (approved 1,000) that the third clerk asked to post."""
    clerk, second, third = login_as("finance-s0101"), login_as("finance2-s0101"), login_as("finance3-s0101")
    allocate(clerk, second, third, session, fin.book.id)
    page = enter(clerk, fin.book.id, spending_lines("1500.00")).get_data(as_text=True)
    enter(clerk, fin.book.id, spending_lines("1500.00"), key=_key(page), override_request="追加")
    voucher = session.scalars(select(Voucher).order_by(Voucher.id.desc())).first()
    act(second, voucher.id, "review")
    act(third, voucher.id, "override-request", reason="追加")
    return third, voucher, session.scalars(select(OverrideRequest)).one()


def test_a_grant_made_for_other_figures_is_asked_for_again(fin, session, login_as):
    third, voucher, request_ = asked_past_the_budget(fin, session, login_as)
    committee = login_as("committee-s0101")
    committee.post(f"/street/S0101/overrides/{request_.id}/answer", data={
        "csrf_token": csrf_token(committee, "/home"), "decision": "grant", "note": "同意"})
    clerk, second = login_as("finance-s0101"), login_as("finance2-s0101")
    enter(clerk, fin.book.id, spending_lines("100.00"))  # the project spends more before the posting
    other = session.scalars(select(Voucher).order_by(Voucher.id.desc())).first()
    act(second, other.id, "review")
    act(third, other.id, "post")
    refused = act(third, voucher.id, "post")
    page = third.get(refused.headers["Location"]).get_data(as_text=True)
    assert "相关数字已发生变化" in page and "override-request" in page  # asked again on the page
    session.expire_all()
    assert voucher.status == "reviewed" and request_.status == "granted"
    act(third, voucher.id, "override-request", reason="追加（按新数字）")
    session.expire_all()
    assert request_.status == "withdrawn" and voucher.override_requests[-1].status == "asked"


def test_only_the_committee_of_the_street_answers_a_request(fin, session, login_as):
    third, voucher, request_ = asked_past_the_budget(fin, session, login_as)
    answer = f"/street/S0101/overrides/{request_.id}/answer"
    for username, status in (("finance3-s0101", 403), ("secretary-q010101", 403), ("committee-s0102", 403),
                             ("oversight-d01", 403)):
        other = login_as(username)
        response = other.post(answer, data={"csrf_token": csrf_token(other, "/home"), "decision": "grant",
                                            "note": "同意"})
        assert response.status_code in (status, 404), username
    neighbour = login_as("committee-s0102")
    response = neighbour.post(f"/street/S0102/overrides/{request_.id}/answer", data={
        "csrf_token": csrf_token(neighbour, "/home"), "decision": "grant", "note": "同意"})
    assert response.status_code == 404  # another street's request is not found from its own street
    assert request_.id and "追加" not in neighbour.get("/street/S0102/overrides").get_data(as_text=True)
    session.expire_all()
    assert request_.status == "asked"


def test_a_closed_period_refuses_the_voucher(fin, session, login_as):
    before = vouchers(session)
    clerk = login_as("finance-s0101")
    page = clerk.get(f"/finance/books/{fin.book.id}/close-period").get_data(as_text=True)
    assert "1" in page
    response = clerk.post(f"/finance/books/{fin.book.id}/close-period",
                          data={"csrf_token": csrf_token(clerk, "/home"), "month": "1"})
    assert response.status_code == 302
    session.expire_all()
    assert fin.book.period(1).is_closed
    response = enter(clerk, fin.book.id, spending_lines("100.00", memo="一月"), date=f"{YEAR}-01-20")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and ("is closed" in page or "已结账" in page) and "一月" in page
    assert vouchers(session) == before


def test_a_double_submit_makes_one_voucher(fin, session, login_as):
    before = vouchers(session)
    clerk = login_as("finance-s0101")
    page = clerk.get(f"/finance/books/{fin.book.id}/vouchers/new").get_data(as_text=True)
    key = _key(page)
    lines = spending_lines("100.00")
    lines.update({"lines-0-account": "1011", "lines-0-debit": "100.00", "lines-0-project": "",
                  "lines-0-purpose": "", "lines-0-source": "district",
                  "lines-1-account": "1002", "lines-1-credit": "100.00", "lines-1-source": "other",
                  "lines-2-account": "", "lines-2-debit": "", "lines-2-project": "", "lines-2-purpose": "",
                  "lines-2-source": "", "lines-3-account": "", "lines-3-credit": "", "lines-3-source": ""})
    first = enter(clerk, fin.book.id, lines, description="调拨", key=key)
    second = enter(clerk, fin.book.id, lines, description="调拨", key=key)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert vouchers(session) == before + 1


def test_add_line_works_without_javascript(fin, login_as):
    clerk = login_as("finance-s0101")
    lines = spending_lines("10.00", memo="保留")
    page = clerk.get(f"/finance/books/{fin.book.id}/vouchers/new").get_data(as_text=True)
    assert page.count('<tr class="fin-line') == 4 and "js/finance.js" in page and "<script>" not in page
    response = clerk.post(f"/finance/books/{fin.book.id}/vouchers/new", data={
        "csrf_token": csrf_token(clerk, "/home"), "date": DAY, "description": "x", "key": _key(page),
        "add_line": "1", **lines})
    page = response.get_data(as_text=True)
    assert page.count('<tr class="fin-line') == 5 and "保留" in page and 'value="10.00"' in page


def test_a_posted_voucher_is_reversed_with_a_reason(fin, session, login_as):
    clerk, second, third = login_as("finance-s0101"), login_as("finance2-s0101"), login_as("finance3-s0101")
    allocation = allocate(clerk, second, third, session, fin.book.id)
    response = clerk.post(f"/finance/vouchers/{allocation.voucher_id}/reverse", data={
        "csrf_token": csrf_token(clerk, "/home"), "reason": "金额录错", "on": DAY})
    assert response.status_code == 302
    reversal = session.scalars(select(Voucher).where(Voucher.reverses_id == allocation.voucher_id)).one()
    assert "金额录错" in reversal.description and reversal.status == "draft"
    act(second, reversal.id, "review")
    act(third, reversal.id, "post")
    session.expire_all()
    assert reversal.status == "posted"
    page = clerk.get(f"/finance/vouchers/{allocation.voucher_id}").get_data(as_text=True)
    assert f"/finance/vouchers/{reversal.id}" in page
    again = clerk.get(f"/finance/vouchers/{allocation.voucher_id}/reverse")
    assert again.status_code == 200  # the form shows; a second reversal is refused by the core
    refused = clerk.post(f"/finance/vouchers/{allocation.voucher_id}/reverse", data={
        "csrf_token": csrf_token(clerk, "/home"), "reason": "再来一次", "on": DAY})
    assert refused.status_code == 200
    assert session.scalar(select(func.count(Voucher.id)).where(Voucher.reverses_id == allocation.voucher_id)) == 1


def test_the_queue_lists_drafts_of_the_street_only(fin, session, login_as):
    clerk, second = login_as("finance-s0101"), login_as("finance2-s0101")
    clerk.post(f"/finance/books/{fin.sibling_book.id}/allocations", data={
        "csrf_token": csrf_token(clerk, "/home"), "source": "city", "amount": "800",
        "arrived_on": dt.date(YEAR, 2, 1).isoformat(), "key": "k2"})
    page = second.get("/finance/queue").get_data(as_text=True)
    assert "春华二社区" in page and "800.00" in page
    other = login_as("finance-s0102").get("/finance/queue").get_data(as_text=True)
    assert "春华二社区" not in other
    assert login_as("committee-s0101").get("/finance/queue").status_code == 403


def test_allocations_record_the_arrival_date_and_refuse_bad_amounts(fin, session, login_as):
    clerk = login_as("finance-s0101")
    allocations_before = session.scalar(select(func.count(Allocation.id)))
    bad = clerk.post(f"/finance/books/{fin.book.id}/allocations", data={
        "csrf_token": csrf_token(clerk, "/home"), "source": "district", "amount": "-5",
        "arrived_on": dt.date(YEAR, 1, 10).isoformat(), "key": "k3"})
    assert bad.status_code == 200 and 'value="-5"' in bad.get_data(as_text=True)
    assert session.scalar(select(func.count(Allocation.id))) == allocations_before
    allocate(clerk, login_as("finance2-s0101"), login_as("finance3-s0101"), session, fin.book.id, "12,345.60")
    allocation = session.scalars(select(Allocation).order_by(Allocation.id.desc())).first()
    assert allocation.arrived_on == dt.date(YEAR, 1, 10) and str(allocation.amount) == "12345.60"
    page = clerk.get(f"/finance/books/{fin.book.id}/allocations").get_data(as_text=True)
    assert "12,345.60" in page


def test_an_allocation_nobody_posted_moves_no_figure_and_shows_as_pending(fin, app, session, login_as):
    from tests.app.test_street_support import cells

    clerk, committee = login_as("finance-s0101"), login_as("committee-s0101")
    board = f"/street/S0101?year={YEAR}"

    def figures() -> tuple[dict, str]:
        app.extensions["page_cache"].backend.clear()  # computed afresh, not served from the cache
        page = committee.get(board).get_data(as_text=True)
        return cells(page, "data-org", "Q010101"), page.split('id="late"')[1].split("</section>")[0]

    before, late_before = figures()
    response = clerk.post(f"/finance/books/{fin.book.id}/allocations", data={
        "csrf_token": csrf_token(clerk, "/home"), "source": "other", "amount": "900,000.01",
        "arrived_on": dt.date(YEAR, 9, 1).isoformat(), "reference": "未审核的拨款", "key": "k-unposted"})
    assert response.status_code == 302
    after, late_after = figures()
    assert after == before and late_after == late_before and "900,000.01" not in late_after
    page = clerk.get(f"/finance/books/{fin.book.id}/allocations").get_data(as_text=True)
    assert re.search(r'data-total="pending">900,000.01<', page)


def test_a_form_cannot_pass_a_payment_off_as_a_year_end_voucher(fin, session, login_as):
    before = vouchers(session)
    clerk = login_as("finance-s0101")
    response = enter(clerk, fin.book.id, spending_lines("900.00"), key="closing:evil-1")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "年终结账" in page and 'value="900.00"' in page
    assert vouchers(session) == before
