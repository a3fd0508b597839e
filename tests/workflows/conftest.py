"""Factories for the workflow tests: a street with two communities, its people, a project.

``flow`` gives a test everything a community has on day one; its methods create needs,
projects, meetings and evidence in a line each, and ``walk`` drives a project along the
legal path to a named step, so each test starts where its story starts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

import workflows.schema  # noqa: F401  (the tables exist before the session's schema is built)
from ledger.books import Book, open_book
from ledger.organisations import Organisation
from ledger.users import User
from workflows.definitions import settings_of
from workflows.evidence import store_evidence
from workflows.machine import approve, fire
from workflows.meetings import record_meeting
from workflows.needs import add_need
from workflows.process import JOINT, PARTY_MEMBERS, PROPOSAL, REPRESENTATIVES
from workflows.projects import Project, create_project
from workflows.publicity import PublicNotice, latest_notice
from tests.cities import build_city, make_user
from workflows.household_codes import household_code
from workflows.satisfaction import rate

YEAR = 2026
#: The application's key in these tests: the households' survey codes are made with it.
SECRET = "workflow-tests-secret"
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"

#: Figures that pass each meeting's rule.
PASSING = {
    PROPOSAL: dict(attendance_due=7, present=7, votes_for=7, votes_against=0, abstentions=0),
    JOINT: dict(attendance_due=11, present=10, votes_for=9, votes_against=1, abstentions=0),
    PARTY_MEMBERS: dict(attendance_due=60, present=45, votes_for=40, votes_against=3, abstentions=2),
    REPRESENTATIVES: dict(attendance_due=35, present=30, votes_for=25, votes_against=2, abstentions=3),
}


@dataclass
class Flow:
    session: Session
    city: Organisation
    street: Organisation
    community: Organisation
    neighbour: Organisation
    book: Book
    staff: User  # 社区书记
    committee: User  # 街道党工委
    finance: User  # 街道财务
    clerk: User
    reviewer: User
    poster: User
    folder: Path

    def use_process(self, name: str, community: Organisation | None = None) -> None:
        settings_of(self.session, community or self.community).process_name = name
        self.session.flush()

    def need(self, community: Organisation | None = None, channel: str = "visit", text: str = "楼道灯不亮"):
        return add_need(self.session, community or self.community, channel=channel, received_on=dt.date(YEAR - 1, 10, 8),
                        category="便民设施", description=text, by=self.staff)

    def project(self, code: str = "P1", project_type: str = "convenience", budget=None, linked: bool = True,
                community: Organisation | None = None) -> Project:
        community = community or self.community
        return create_project(
            self.session, community, code=code, title=f"楼道照明改造 {code}", project_type=project_type,
            purpose_code="convenience", plan_year=YEAR, responsible_person="王书记", by=self.staff,
            budget=budget if budget is not None else {"district": "6000.00", "city": "4000.00"},
            expected_beneficiaries=120, needs=[self.need(community)] if linked else [],
        )

    def meeting(self, project: Project, kind: str, held_on: dt.date = dt.date(YEAR, 1, 10), **figures):
        values = {**PASSING[kind], **figures}
        return record_meeting(self.session, project, kind=kind, held_on=held_on, motion_origin="党组织提议",
                              minutes="会议纪要：同意实施。", by=self.staff, role="community_staff", **values)

    def deliberate(self, project: Project) -> None:
        for day, kind in enumerate(project.definition.deliberations, start=10):
            self.meeting(project, kind, held_on=dt.date(YEAR, 1, day))

    def expire(self, notice: PublicNotice) -> None:
        """Move a notice's whole period into the past, as if its days had gone by."""
        length = notice.ends_at - notice.starts_at
        notice.ends_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
        notice.starts_at = notice.ends_at - length
        self.session.flush()

    def evidence(self, project: Project, kind: str = "completion_report", data: bytes = PDF, name: str = "报告.pdf"):
        return store_evidence(self.session, self.folder, project, data=data, filename=name, kind=kind, by=self.staff)

    def code(self, project: Project, household: int) -> str:
        """The survey code on household ``household``'s slip for the project."""
        return household_code(SECRET, project.community.code, project.plan_year, household)

    def rate(self, project: Project, household: int, stars: int, **options):
        return rate(self.session, project, self.code(project, household), stars, secret=SECRET, **options)

    def fire(self, project: Project, event: str, role: str = "community_staff", **options):
        by = {"community_staff": self.staff, "street_committee": self.committee,
              "street_finance": self.finance}.get(role)
        return fire(self.session, project, event, by=by, role=role, **options)

    def walk(self, project: Project, to: str, amount="10000.00") -> Project:
        """Drive ``project`` along the default legal path until it reaches step ``to``."""
        steps = {
            "needs": lambda: self.fire(project, "draft"),
            "collect": lambda: self.fire(project, "draft"),
            "drafting": lambda: self.fire(project, "deliberate"),
            "plan": lambda: self.fire(project, "deliberate"),
            "deliberation": lambda: (self.deliberate(project), self.fire(project, "publish_resolution")),
            "party_review": lambda: (self.deliberate(project), self.fire(project, "submit_for_review")),
            "publicity": lambda: (self.expire(latest_notice(self.session, project, "resolution")),
                                  self.fire(project, "submit_for_review")),
            "review": lambda: approve(self.session, project, amount, by=self.committee),
            "street_approval": lambda: approve(self.session, project, amount, by=self.committee),
            "implementation": lambda: self.fire(project, "complete"),
            "acceptance": lambda: (self.evidence(project), self.rate(project, 1, 5),
                                   self.fire(project, "accept", role="street_committee")),
            "implement": lambda: (self.evidence(project), self.rate(project, 1, 5),
                                  self.fire(project, "publish_results")),
            "results": lambda: (self.expire(latest_notice(self.session, project, "results")),
                                self.fire(project, "close")),
        }
        guard = 0
        while project.state != to:
            steps[project.state]()
            guard += 1
            assert guard < 20, f"no path to {to}"
        return project


def build_flow(session: Session, folder: Path) -> Flow:
    town = build_city(session)
    book = open_book(session, town.community, YEAR)
    users = [make_user(session, name) for name in ("staff", "committee", "finance", "clerk", "reviewer", "poster")]
    return Flow(session, town.city, town.street, town.community, town.neighbour, book, *users, folder)


@pytest.fixture
def flow(session, tmp_path) -> Flow:
    return build_flow(session, tmp_path / "evidence")


@pytest.fixture
def flow_factory():
    """``build_flow`` itself, for tests that build a fresh world per Hypothesis example."""
    return build_flow
