"""Every form that takes money or numbers, given values nobody should type, and the others.

One table (``FORMS``) names each form: who may use it, where it posts, a submission it
accepts, and its number fields and text fields. From it the tests are generated: each
number field gets the extreme and malformed values of ``MUST_REFUSE`` (and may take or
refuse the merely unusual ``TOLERATED`` ones), each text field oversized, NUL and invalid
UTF-8 input. The answer is never a 500; a refusal shows its message next to the field and
stores nothing (row counts of every table before and after). The valid submission is sent
last and must be accepted, so the table cannot rot into testing nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Callable

import pytest
from sqlalchemy import select

from ledger.books import Book
from ledger.organisations import by_code
from ledger.users import User
from tests.app.access import community as community_routes
from tests.app.access import evaluation as evaluation_routes
from tests.app.access import finance as finance_routes
from tests.app.access import foundation as foundation_routes
from tests.app.access import public as public_routes
from tests.app.access import street as street_routes
from tests.app.conftest import app, login_as, session, world  # noqa: F401  (fixtures)
from tests.reliability.http_support import counts, csrf_of, field_error, multipart, urlencoded
from workflows.machine import fire
from workflows.needs import add_need
from workflows.projects import Project, create_project

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"

#: Values a number field must refuse, with a message next to it, storing nothing.
MUST_REFUSE = {
    "1e309": "1e309", "nan": "NaN", "snan": "sNaN", "inf": "inf", "-infinity": "-Infinity",
    "thousandth": "0.001", "20-digits": "12345678901234567890", "huge-decimal": "99999999999999999999.99",
    "negative": "-1", "hex": "0x1F", "word": "abc", "oversized": "9" * 100_000,
    "invalid-utf8": b"1\xff\xfe2", "surrogate-bytes": b"\xed\xa0\x80", "exponent-nan": "1e-999999999",
}
#: Values a form may read as the obvious number or refuse; either way no 500 and no surprise.
TOLERATED = {"minus-zero": "-0", "full-width": "１２３", "thousands": "1,000", "spaces": " 7 ", "nul": "1\x002"}
#: Values every text field must survive: refused with a message, or stored cleaned.
TEXTS = {"oversized": "长" * 100_000, "nul": "a\x00b", "invalid-utf8": b"ok\xff\xfe\xed\xa0\x80",
         "control": "\x1b[31m\u202e\ufeff"}
MONEY, COUNT = "money", "count"


@dataclass
class Form:
    role: str
    url: str                                   # {placeholders} from the access matrix's targets
    data: Callable[[dict], dict]               # a submission the form accepts
    numbers: dict[str, str] = field(default_factory=dict)   # field -> MONEY or COUNT
    texts: tuple[str, ...] = ()
    files: dict = field(default_factory=dict)  # field -> (filename, bytes, mimetype)
    together: tuple[str, ...] = ()             # number fields that must change together (debit = credit)
    flashed: bool = False                      # the page shows errors above the form, naming the field


def _open_day(session, book_id: int) -> str:
    book = session.get(Book, book_id)
    month = next(p.month for p in book.periods if not p.is_closed)
    return dt.date(book.fiscal_year, month, 1).isoformat()


def _voucher(ids: dict) -> dict:
    return {"date": ids["open_day"], "description": "可靠性测试凭证", "key": ids["key"], "save": "1",
            "lines-0-account": "1011", "lines-0-debit": "1.00", "lines-0-source": "district",
            "lines-1-account": "1002", "lines-1-credit": "1.00", "lines-1-source": "other"}


def _meeting(ids: dict) -> dict:
    return {"kind": "proposal", "held_on": dt.date.today().isoformat(), "motion_origin": "党组织提议",
            "attendance_due": "7", "present": "7", "votes_for": "7", "votes_against": "0", "abstentions": "0",
            "minutes": "会议纪要：同意实施。"}


FORMS = {
    "finance-voucher": Form(
        "finance-s0101", "/finance/books/{fin_book}/vouchers/new", _voucher,
        {"lines-0-debit": MONEY, "lines-1-credit": MONEY}, ("description", "lines-0-memo"),
        together=("lines-0-debit", "lines-1-credit")),
    "finance-allocation": Form(
        "finance-s0101", "/finance/books/{fin_book}/allocations",
        lambda ids: {"source": "district", "amount": "5000.00", "arrived_on": ids["open_day"],
                     "reference": "区财拨", "key": ids["key"]},
        {"amount": MONEY}, ("reference",)),
    "finance-open-book": Form(
        "finance-s0101", "/finance/books/open",
        lambda ids: {"organisation": ids["org"], "fiscal_year": "2031"}, {"fiscal_year": COUNT}, flashed=True),
    "community-project": Form(
        "secretary-q010101", "/community/{community}/projects/new",
        lambda ids: {"title": "可靠性测试项目", "project_type": "works", "purpose_code": "small_works",
                     "plan_year": str(dt.date.today().year), "responsible_person": "王",
                     "expected_beneficiaries": "10", "budget_district": "100"},
        {"budget_district": MONEY, "budget_city": MONEY, "plan_year": COUNT, "expected_beneficiaries": COUNT},
        ("title", "responsible_person", "description")),
    "community-meeting": Form(
        "secretary-q010101", "/community/projects/{deliberating}/meetings", _meeting,
        {"attendance_due": COUNT, "present": COUNT, "votes_for": COUNT, "votes_against": COUNT,
         "abstentions": COUNT}, ("minutes", "motion_origin")),
    "community-payment": Form(
        "secretary-q010101", "/community/projects/{cm_running}/payments/new",
        lambda ids: {"amount": "1.00", "source": "district", "paid_on": dt.date.today().isoformat(),
                     "description": "购买灯具"},
        {"amount": MONEY}, ("description",), files={"invoice": ("发票.pdf", PDF, "application/pdf")}),
    "community-need": Form(
        "secretary-q010101", "/community/{community}/needs/new",
        lambda ids: {"channel": "visit", "received_on": dt.date.today().isoformat(), "category": "便民",
                     "description": "路灯不亮"}, {}, ("description", "category")),
    "street-approve": Form(
        "committee-s0101", "/street/{street_code}/review/{street_project}/approve",
        lambda ids: {"amount": "1.00"}, {"amount": MONEY}, ("note",)),
    "evaluation-item": Form(
        "oversight-d01", "/evaluation/{evaluation}/items/{evaluation_item}",
        lambda ids: {f"i{ids['evaluation_item']}-evaluator_score": "80"},
        {"i{evaluation_item}-evaluator_score": COUNT}, ("i{evaluation_item}-shortfall_reason",), flashed=True),
    "admin-rename": Form(
        "admin", "/admin/organisations/{org}/edit", lambda ids: {"name": "改名社区"}, {}, ("name",)),
    "public-need": Form(
        "anonymous", "/c/{community}/needs/new",
        lambda ids: {"category": "其他", "description": "小区门口路灯不亮。", "contact": ""}, {},
        ("description", "contact")),
    "public-objection": Form(
        "anonymous", "/c/{community}/notices/{public_notice}/objections",
        lambda ids: {"text": "公示内容与实际不符。", "contact": ""}, {}, ("text", "contact")),
}


def _deliberating_project(session) -> int:
    """A fresh project of Q010101 at the deliberations, where meetings are recorded."""
    org = by_code(session, "Q010101")
    staff = session.scalar(select(User).where(User.username == "secretary-q010101"))
    project = create_project(session, org, code="REL-MEET", title="会议测试", project_type="works",
                             purpose_code="small_works", plan_year=dt.date.today().year,
                             responsible_person="王", by=staff, budget={"district": "100.00"},
                             needs=[add_need(session, org, channel="visit", received_on=dt.date.today(),
                                             category="便民", description="会议测试需求", by=staff)])
    fire(session, project, "draft", by=staff, role="community_staff")
    fire(session, project, "deliberate", by=staff, role="community_staff")
    session.commit()
    return project.id


def _ids(session, form: Form) -> dict:
    ids: dict = {}
    for module in (foundation_routes, community_routes, finance_routes, street_routes, evaluation_routes,
                   public_routes):
        ids.update(module.targets(session, "own"))
    if "{deliberating}" in form.url:
        ids["deliberating"] = _deliberating_project(session)
    if "{street_project}" in form.url:
        project = session.get(Project, ids["street_project"])
        assert project.state == "review", "the demo world has no project of Q010101 awaiting review"
    ids["open_day"] = _open_day(session, ids["fin_book"])
    return ids


class Poster:
    """Sends one form's submissions as its role, with a fresh CSRF token and idempotency key each."""

    def __init__(self, app, login_as, form: Form, ids: dict):
        self.client = app.test_client() if form.role == "anonymous" else login_as(form.role)
        self.form, self.ids, self.n = form, ids, 0
        self.url = form.url.format(**ids)
        self.csrf = csrf_of(self.client, "/login" if form.role == "anonymous" else "/home")

    def post(self, changes: dict):
        self.n += 1
        data = {**self.form.data({**self.ids, "key": f"rel-{self.n}-{id(self)}"}), **changes}
        data = {"csrf_token": self.csrf, **data}
        if self.form.files:
            body, content_type = multipart(data, self.form.files)
        else:
            body, content_type = urlencoded(data), "application/x-www-form-urlencoded"
        # Each from its own address: the residents' forms are rate-limited per address.
        return self.client.post(self.url, data=body, content_type=content_type,
                                environ_base={"REMOTE_ADDR": f"10.77.{self.n // 256}.{self.n % 256}"})

    def page_after(self, response) -> str:
        if response.status_code in (302, 303):
            return self.client.get(response.headers["Location"]).get_data(as_text=True)
        return response.get_data(as_text=True)


def _refused_next_to_the_field(poster: Poster, response, field_name: str, label: str) -> None:
    assert response.status_code != 500, (label, field_name)
    page = poster.page_after(response)
    if poster.form.flashed:
        assert 'class="flash error"' in page or "flash error" in page, (label, field_name)
    else:
        assert response.status_code in (200, 400, 413), (label, field_name, response.status_code)
        if response.status_code == 200:
            assert field_error(page, field_name), (label, field_name, re.findall(r'class="error"[^<]*<', page))


@pytest.mark.parametrize("form_name", [name for name, form in FORMS.items() if form.numbers])
def test_number_fields_refuse_what_is_not_a_number(app, world, session, login_as, form_name):  # noqa: F811
    form = FORMS[form_name]
    ids = _ids(session, form)
    poster = Poster(app, login_as, form, ids)
    accepted_unusual = False
    for number in (n.format(**ids) for n in form.numbers):
        together = [t.format(**ids) for t in form.together]
        companions = [t for t in together if t != number] if number in together else []
        for label, value in MUST_REFUSE.items():
            before = counts(session)
            response = poster.post({number: value, **{c: value for c in companions}})
            _refused_next_to_the_field(poster, response, number, label)
            assert counts(session) == before, (number, label, "a refused value stored something")
        for label, value in TOLERATED.items():
            before = counts(session)
            response = poster.post({number: value, **{c: value for c in companions}})
            assert response.status_code in (200, 302, 303), (number, label, response.status_code)
            if response.status_code == 200:
                assert counts(session) == before, (number, label, "a refused value stored something")
            accepted_unusual |= response.status_code != 200
    if not accepted_unusual:  # else the form's object may have moved on (an approval is made once)
        accepted = poster.post({})
        assert accepted.status_code in (302, 303), (form_name, accepted.status_code)


@pytest.mark.parametrize("form_name", [name for name, form in FORMS.items() if form.texts])
def test_text_fields_survive_malformed_unicode(app, world, session, login_as, form_name):  # noqa: F811
    form = FORMS[form_name]
    ids = _ids(session, form)
    poster = Poster(app, login_as, form, ids)
    for text_field in (t.format(**ids) for t in form.texts):
        for label, value in TEXTS.items():
            before = counts(session)
            response = poster.post({text_field: value})
            assert response.status_code in (200, 302, 303), (text_field, label, response.status_code)
            if response.status_code == 200:
                assert counts(session) == before, (text_field, label, "a refused value stored something")
            if label == "oversized" and response.status_code == 200 and not form.flashed:
                assert field_error(response.get_data(as_text=True), text_field), (text_field, label)
