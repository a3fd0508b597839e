"""One project's whole story in a real browser, each person in their own browser.

A resident asks for something on the public board (on a phone); the secretary of
春华一社区 turns the need into a project, records the four deliberations and publishes
the resolution; a resident objects and the secretary answers; the street committee
approves; the secretary asks for a payment (one past the approval is refused with the
reason), a second finance clerk reviews it and a third posts it; the project is completed,
its completion report uploaded, a household rates it on the public page, the street
accepts it and its results are published; the board and the books show it all.

Only one step is not done through a page: the seven days of the resolution's
publicity are moved into the past in the database (as ``tests/app/test_timers.py``
does), since no test can wait a week.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

# public_need_contacts must be on the metadata before the test schema is built; app/models.py
# does not import the public area's models yet (as tests/app/access/public.py notes), and
# without the table a need sent with a contact is a 500.
from app.public import models as _public_tables  # noqa: F401
from tests.browser.conftest import login, screenshot

sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package (test extra)")
expect = sync_api.expect

COMMUNITY, STREET = "Q010101", "S0101"
SECRETARY, COMMITTEE = "secretary-q010101", "committee-s0101"
PREPARER, REVIEWER, POSTER = "finance-s0101", "finance2-s0101", "finance3-s0101"
NEED = "小区北门的路灯坏了一个多月，晚上出入看不清路，老人孩子容易摔倒。"
TITLE = "北门路灯维修"
OBJECTION = "为什么不用太阳能路灯？可以省电费。"
ANSWER = "太阳能灯冬天亮度不够，已征求楼长和居民代表意见，仍用市电LED灯。"
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
#: The four deliberations (四议) in their order, with figures that pass each rule.
MEETINGS = [
    ("proposal", dict(attendance_due=7, present=7, votes_for=7, votes_against=0, abstentions=0)),
    ("joint", dict(attendance_due=11, present=10, votes_for=9, votes_against=1, abstentions=0)),
    ("party_members", dict(attendance_due=60, present=45, votes_for=40, votes_against=3, abstentions=2)),
    ("representatives", dict(attendance_due=35, present=30, votes_for=25, votes_against=2, abstentions=3)),
]


def pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def yuan(text: str) -> Decimal:
    """``12,345.60 元`` (or ``12,345.60``) as a Decimal."""
    return Decimal(re.search(r"-?[\d,]+\.\d\d", text).group(0).replace(",", ""))


#: What the browsers report as errors (a script or style the CSP blocked, a failed load).
CONSOLE: list[str] = []


def _watch(page):
    page.set_default_timeout(10_000)
    page.on("console", lambda message: CONSOLE.append(message.text) if message.type == "error" else None)
    return page


def phone(browser_page):
    """A phone-sized browser of its own, for a resident (no account)."""
    return _watch(browser_page())


def staff(browser_page, server: str, username: str):
    """A desk-sized browser of its own, logged in as ``username``."""
    page = _watch(browser_page(1280, 900))
    login(page, server, username)
    return page


def submit(page, form) -> None:
    """Press the form's submit button and wait for the page that answers the POST."""
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def fire(page, event: str) -> None:
    """Press the project's next-action button for ``event`` and expect it to be done."""
    submit(page, page.locator(f'#actions form[action$="/events/{event}"]'))
    expect(page.locator(".cm-refused")).to_have_count(0)
    expect(page.locator(".flash.success").first).to_be_visible()


def step_of(page):
    return page.locator("#progress li.current")


def test_one_project_from_a_residents_need_to_its_published_results(world, server, session, browser_page):
    CONSOLE.clear()
    board_url = f"{server}/c/{COMMUNITY}"
    today = dt.date.today()

    # 1. A resident, on a phone and without an account, tells the community what is needed.
    resident = phone(browser_page)
    resident.goto(board_url)
    expect(resident.locator("h1")).to_have_text("春华一社区")
    spent_before = yuan(resident.locator("#money .pub-figures div").filter(has_text="支出金额").locator("dd").inner_text())
    resident.get_by_role("link", name="反映居民需求").click()
    resident.wait_for_url(f"{board_url}/needs/new")
    resident.select_option("#category", label="公共设施小型工程")
    resident.fill("#description", NEED)
    resident.fill("#contact", "13900001111")  # kept apart for the staff (public_need_contacts)
    resident.get_by_role("button", name="提交", exact=True).click()
    resident.wait_for_url(f"{board_url}/needs/thanks")
    expect(resident.locator("h1")).to_have_text("谢谢，您的需求已收到")
    reference = resident.locator(".pub-reference").inner_text().strip()
    assert re.fullmatch(rf"{COMMUNITY}-\d{{6}}", reference), reference
    need_id = int(reference.rsplit("-", 1)[1])
    screenshot(resident, "story-01-need")

    # 2. The secretary finds it in the needs pool and makes a project of it.
    secretary = staff(browser_page, server, SECRETARY)
    secretary.goto(f"{server}/community/{COMMUNITY}/needs?channel=online")
    row = secretary.locator("tbody tr").filter(has_text=NEED)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("网上")  # the channel a resident's need arrives by
    screenshot(secretary, "story-02-needs-pool")
    row.get_by_role("link", name=f"#{need_id}").click()
    secretary.wait_for_url(f"{server}/community/needs/{need_id}")
    expect(secretary.locator("h1")).to_contain_text(str(need_id))
    expect(secretary.locator(".cm-text").first).to_have_text(NEED)
    secretary.get_by_role("link", name="或为该需求新建项目").click()
    secretary.wait_for_url(re.compile(r".*/community/Q010101/projects/new\?need=\d+$"))
    expect(secretary.locator("#needs")).to_have_values([str(need_id)])
    secretary.fill("#title", TITLE)
    secretary.select_option("#project_type", "works")
    secretary.select_option("#purpose_code", "small_works")
    secretary.fill("#responsible_person", "李主任")
    secretary.fill("#expected_beneficiaries", "300")
    secretary.fill("#budget_district", "3,000.00")
    secretary.fill("#budget_city", "2000")
    secretary.fill("#description", "更换北门两盏路灯为LED灯并检修线路。")
    screenshot(secretary, "story-03-project-form")
    submit(secretary, secretary.locator("form").filter(has=secretary.locator("#title")))
    secretary.wait_for_url(re.compile(r".*/community/projects/\d+$"))
    project_url = secretary.url
    project_id = int(project_url.rsplit("/", 1)[1])
    expect(secretary.locator("h1")).to_have_text(TITLE)
    expect(step_of(secretary)).to_have_text("需求征集")
    expect(secretary.locator("dl.facts").first).to_contain_text(f"#{need_id} {NEED}")  # the need it answers
    expect(secretary.locator("#money tfoot")).to_contain_text("5,000.00")
    expect(secretary.locator("#money tbody")).to_contain_text("3,000.00")
    expect(secretary.locator("#money tbody")).to_contain_text("2,000.00")

    fire(secretary, "draft")
    expect(step_of(secretary)).to_have_text("项目拟定")
    fire(secretary, "deliberate")
    expect(step_of(secretary)).to_have_text("四议")
    meeting_form = secretary.locator('form[action$="/meetings"]')
    for number, (kind, figures) in enumerate(MEETINGS):
        secretary.locator("#meetings details > summary").click()
        meeting_form.locator("select[name=kind]").select_option(kind)
        meeting_form.locator("input[name=held_on]").fill((today - dt.timedelta(days=8 - number)).isoformat())
        for name, value in figures.items():
            meeting_form.locator(f"input[name={name}]").fill(str(value))
        meeting_form.locator("textarea[name=minutes]").fill("与会人员讨论后表决同意实施北门路灯维修。")
        if kind == "representatives":
            meeting_form.locator("input[name=attachment]").set_input_files(pdf("居民代表签到表.pdf"))
        submit(secretary, meeting_form)
        expect(secretary.locator(".flash.success").first).to_be_visible()
        expect(secretary.locator("#meetings article.cm-meeting")).to_have_count(number + 1)
    expect(secretary.locator("#meetings .cm-ok")).to_have_count(4)
    expect(secretary.locator("#meetings .error")).to_have_count(0)
    expect(secretary.locator("#meetings")).to_contain_text("居民代表签到表.pdf")
    screenshot(secretary, "story-04-deliberations")
    fire(secretary, "publish_resolution")
    expect(step_of(secretary)).to_have_text("决议公开")
    expect(secretary.locator("#notices article.cm-notice")).to_have_count(1)

    # 3. A resident objects on the public notice; the secretary answers; the answer is public.
    objector = phone(browser_page)
    objector.goto(board_url)
    notice_link = objector.locator("#notices article.pub-notice").filter(has_text=TITLE).locator("h3 a")
    expect(notice_link).to_have_count(1)
    notice_link.click()
    objector.wait_for_url(re.compile(rf".*/c/{COMMUNITY}/notices/\d+$"))
    notice_url = objector.url
    expect(objector.locator("h2").filter(has_text=TITLE)).to_be_visible()
    expect(objector.locator(".pub-table tbody tr")).to_have_count(4)  # the four deliberations, public
    objector.fill("#text", OBJECTION)
    objector.get_by_role("button", name="提交异议").click()
    objector.wait_for_url(f"{notice_url}#objections")
    expect(objector.locator(".flash.success")).to_be_visible()
    objection = objector.locator("#objections article.pub-objection")
    expect(objection).to_have_count(1)
    expect(objection).to_contain_text(OBJECTION)
    expect(objection.locator(".pub-waiting")).to_have_text("等待社区答复。")
    screenshot(objector, "story-05-objection")

    secretary.goto(project_url)
    expect(secretary.locator("#notices .cm-objection")).to_contain_text(OBJECTION)
    expect(secretary.locator("#notices p.error").last).to_contain_text("1")  # one objection waits
    answer_form = secretary.locator('#notices form[action*="/objections/"]')
    answer_form.locator("textarea[name=answer]").fill(ANSWER)
    submit(secretary, answer_form)
    expect(secretary.locator("#notices .cm-objection")).to_contain_text(ANSWER)
    expect(answer_form).to_have_count(0)

    objector.reload()
    expect(objection.locator(".pub-answer")).to_contain_text(ANSWER)
    expect(objection.locator(".pub-answer")).to_contain_text("社区党组织")  # signed by the body, not a person
    expect(objection.locator(".pub-waiting")).to_have_count(0)
    screenshot(objector, "story-06-answer")

    # 4. Still under publicity the secretary cannot send it on; once the period is over she can.
    submit(secretary, secretary.locator('#actions form[action$="/events/submit_for_review"]'))
    expect(secretary.locator(".cm-refused")).to_contain_text("公示")
    expect(step_of(secretary)).to_have_text("决议公开")
    _end_publicity(session, project_id, "resolution")
    secretary.goto(project_url)
    expect(secretary.locator("#notices")).to_contain_text("已结束")
    fire(secretary, "submit_for_review")
    expect(step_of(secretary)).to_have_text("审核备案")
    screenshot(secretary, "story-07-submitted")

    # 5. The street committee reviews the whole record and approves less than asked.
    committee = staff(browser_page, server, COMMITTEE)
    committee.goto(f"{server}/street/{STREET}/review")
    waiting = committee.locator("#awaiting article.st-item").filter(has_text=TITLE)
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text("5,000.00")
    waiting.locator("p a.button").click()
    committee.wait_for_url(f"{server}/street/{STREET}/review/{project_id}")
    expect(committee.locator("#deliberations tbody")).to_contain_text("居民代表会议决议")
    expect(committee.locator("#publicity")).to_contain_text(ANSWER)
    approve = committee.locator(f'form[action$="/review/{project_id}/approve"]')
    expect(approve.locator("input[name=amount]")).to_have_value(re.compile(r"^5,?000(\.00)?$"))
    approve.locator("input[name=amount]").fill("4,800.00")
    approve.locator("textarea[name=note]").fill("灯具按询价结果核减。")
    screenshot(committee, "story-08-review")
    submit(committee, approve)
    committee.wait_for_url(f"{server}/street/{STREET}/review")
    expect(committee.locator(".flash.success")).to_contain_text(TITLE)
    expect(committee.locator("#awaiting article.st-item").filter(has_text=TITLE)).to_have_count(0)

    resident.goto(board_url)
    under_way = resident.locator("#approved tbody tr").filter(has_text=TITLE)
    expect(under_way).to_contain_text("4,800.00")

    # 6. Payments: past the approval is refused with the reason; within it, finance posts it.
    secretary.goto(project_url)
    expect(step_of(secretary)).to_have_text("组织实施")
    expect(secretary.locator("#money")).to_contain_text("4,800.00")
    secretary.get_by_role("link", name="申请支付").click()
    secretary.wait_for_url(f"{server}/community/projects/{project_id}/payments/new")
    payment = secretary.locator("form").filter(has=secretary.locator("input[name=amount]"))
    payment.locator("input[name=amount]").fill("4,800.01")
    payment.locator("select[name=source]").select_option("district")
    payment.locator("input[name=description]").fill("购买LED路灯两盏及线缆")
    payment.locator("input[name=invoice]").set_input_files(pdf("发票.pdf"))
    submit(secretary, payment)
    refused = secretary.locator(".field.has-error").filter(has=secretary.locator("input[name=amount]"))
    expect(refused).to_contain_text("超支")
    expect(refused).to_contain_text("4800.00")  # the approval the ledger compares with
    expect(payment.locator("input[name=amount]")).to_have_value("4,800.01")  # what she typed is kept
    screenshot(secretary, "story-09-payment-refused")
    payment.locator("input[name=amount]").fill("1,200.50")
    payment.locator("input[name=invoice]").set_input_files(pdf("发票.pdf"))
    submit(secretary, payment)
    secretary.wait_for_url(f"{project_url}#money")
    expect(secretary.locator(".flash.success")).to_contain_text("1,200.50")
    request_row = secretary.locator("#money tbody tr").filter(has_text="购买LED路灯两盏及线缆")
    expect(request_row).to_contain_text("1,200.50")
    expect(request_row).to_contain_text("待财务审核")
    expect(request_row.get_by_role("link", name="发票.pdf")).to_be_visible()

    clerk = staff(browser_page, server, REVIEWER)
    clerk.goto(f"{server}/finance/queue")
    queued = clerk.locator("tbody tr").filter(has_text="购买LED路灯两盏及线缆")
    expect(queued).to_have_count(1)
    expect(queued).to_contain_text("1,200.50")
    expect(queued).to_contain_text("春华一社区")
    screenshot(clerk, "story-10-finance-queue")
    queued.get_by_role("link").click()
    clerk.wait_for_url(re.compile(r".*/finance/vouchers/\d+$"))
    expect(clerk.locator("table.fin-table tbody")).to_contain_text("1,200.50")
    submit(clerk, clerk.locator('form[action$="/review"]'))
    expect(clerk.locator(".flash.success")).to_be_visible()
    submit(clerk, clerk.locator('form[action$="/post"]'))  # the reviewer does not post it too
    expect(clerk.locator(".flash.error")).to_contain_text("第三名财务人员")
    voucher_url = clerk.url
    clerk = staff(browser_page, server, POSTER)
    clerk.goto(voucher_url)
    submit(clerk, clerk.locator('form[action$="/post"]'))
    expect(clerk.locator(".flash.success")).to_be_visible()
    expect(clerk.locator("h1 .fin-status")).to_have_class(re.compile(r"\bposted\b"))
    voucher_number = re.search(r"记账凭证 (\d+) 号", clerk.locator("h1").inner_text()).group(1)
    expect(clerk.locator("dl.facts")).to_contain_text("财务审核")  # reviewed by the second clerk
    expect(clerk.locator("dl.facts")).to_contain_text("财务记账")  # posted by the third
    screenshot(clerk, "story-11-voucher-posted")

    secretary.goto(project_url)
    expect(request_row.locator(".cm-status")).to_have_class(re.compile(r"\bcm-posted\b"))
    spent_row = secretary.locator("#money dl.facts")
    expect(spent_row).to_contain_text("1,200.50")
    expect(spent_row).to_contain_text("3,599.50")  # left of the approval

    # 7. Completion, the report, a household's rating, the street's acceptance, the results notice.
    fire(secretary, "complete")
    expect(step_of(secretary)).to_have_text("验收评价")
    evidence = secretary.locator('form[action$="/evidence"]')
    evidence.locator("select[name=kind]").select_option("completion_report")
    evidence.locator("input[name=file]").set_input_files(pdf("完工报告.pdf"))
    submit(secretary, evidence)
    expect(secretary.locator(".flash.success")).to_contain_text("完工报告.pdf")
    expect(secretary.locator("#evidence tbody")).to_contain_text("完工报告.pdf")

    # The household's code is on the slip the secretary printed (household codes page).
    from workflows.projects import Project

    plan_year = session.get(Project, project_id).plan_year
    secretary.goto(f"{server}/community/{COMMUNITY}/household-codes?year={plan_year}&count=12")
    household = secretary.locator(".hh-code code").nth(5).inner_text()
    assert household.startswith("6-")

    rater = phone(browser_page)
    rater.goto(f"{server}/c/{COMMUNITY}/projects/{project_id}")
    expect(rater.locator("h1")).to_have_text(TITLE)
    rater.fill("#household_code", household)
    rater.check('input[name=rating][value="5"]')
    rater.get_by_role("button", name="提交评价").click()
    rater.wait_for_url(re.compile(rf".*/c/{COMMUNITY}/projects/{project_id}#satisfaction$"))
    expect(rater.locator(".flash.success")).to_be_visible()
    expect(rater.locator("#satisfaction .pub-figures")).to_contain_text("100.00%")
    screenshot(rater, "story-12-rating")

    committee.goto(project_url)
    expect(step_of(committee)).to_have_text("验收评价")
    expect(committee.locator("#survey")).to_contain_text("100.00%")
    fire(committee, "accept")
    expect(step_of(committee)).to_have_text("实施结果公开")
    expect(committee.locator("#notices article.cm-notice")).to_have_count(2)
    screenshot(committee, "story-13-accepted")

    # 8. The board shows the results and the money; the books hold the posted payment.
    resident.goto(board_url)
    finished = resident.locator("#finished tbody tr").filter(has_text=TITLE)
    expect(finished).to_contain_text("4,800.00")
    expect(finished).to_contain_text("实施结果公开")
    expect(finished).to_contain_text("100.00%")
    expect(resident.locator("#notices article.pub-notice").filter(has_text=TITLE)).to_have_count(1)
    spent_after = yuan(resident.locator("#money .pub-figures div").filter(has_text="支出金额").locator("dd").inner_text())
    assert spent_after - spent_before == Decimal("1200.50"), (spent_before, spent_after)
    screenshot(resident, "story-14-board")
    resident.locator("#finished tbody tr").filter(has_text=TITLE).get_by_role("link", name=TITLE).click()
    resident.wait_for_url(f"{board_url}/projects/{project_id}")
    expect(resident.locator("#results")).to_contain_text("街道党工委")  # accepted by the street
    expect(resident.locator("#satisfaction")).to_contain_text("100.00%")
    screenshot(resident, "story-15-public-project")

    books = staff(browser_page, server, PREPARER)
    books.goto(f"{server}/finance/")
    books.locator("tbody tr").filter(has_text=COMMUNITY).first.get_by_role("link", name="春华一社区").click()
    books.wait_for_url(re.compile(r".*/finance/books/\d+$"))
    posted = books.locator("tbody tr").filter(has_text="购买LED路灯两盏及线缆")
    expect(posted).to_have_count(1)
    expect(posted).to_contain_text("1,200.50")
    expect(posted.locator("td").first).to_have_text(voucher_number)
    expect(posted.locator(".fin-status")).to_have_class(re.compile(r"\bposted\b"))
    screenshot(books, "story-16-books")

    secretary.goto(f"{server}/community/{COMMUNITY}/payments")
    paid = secretary.locator("tbody tr").filter(has_text="购买LED路灯两盏及线缆")
    expect(paid).to_contain_text("1,200.50")
    expect(paid).to_contain_text(f"凭证号 {voucher_number}")
    assert not [c for c in CONSOLE if "Content Security Policy" in c], CONSOLE


def _end_publicity(session, project_id: int, kind: str) -> None:
    """Move the notice's whole period into the past (the server shares this database)."""
    from workflows.publicity import PublicNotice

    session.rollback()  # no snapshot from before the server's writes
    notice = session.scalars(
        select(PublicNotice).where(PublicNotice.project_id == project_id, PublicNotice.kind == kind)
        .order_by(PublicNotice.id.desc())
    ).first()
    assert notice is not None and notice.ends_at > dt.datetime.now(dt.timezone.utc)
    length = notice.ends_at - notice.starts_at
    notice.ends_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
    notice.starts_at = notice.ends_at - length
    session.commit()
