"""The secretary prints the survey slips; the public form accepts exactly those codes."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.app.conftest import csrf_token
from tests.app.test_public_forms import post, project
from workflows.household_codes import household_code
from workflows.satisfaction import SatisfactionRating


def test_the_printed_codes_are_the_ones_the_public_form_accepts(world, app, session, login_as):
    subject = project(session, "Q020101", "P02")  # at acceptance: open for rating
    secretary = login_as("secretary-q020101")
    page = secretary.get(f"/community/Q020101/household-codes?year={subject.plan_year}&count=40").get_data(as_text=True)
    codes = re.findall(r'<p class="hh-code"><code>([^<]+)</code>', page)
    assert len(codes) == 40 and len(set(codes)) == 40
    assert codes[11] == household_code(app.config["SECRET_KEY"], "Q020101", subject.plan_year, 12)
    assert codes[11].startswith("12-")

    response = post(app.test_client(), f"/c/Q020101/projects/{subject.id}/rating",
                    {"household_code": codes[11], "rating": "5"})
    assert response.status_code == 302
    assert session.scalar(select(SatisfactionRating.rating).where(
        SatisfactionRating.project_id == subject.id, SatisfactionRating.household_code == codes[11])) == 5


def test_the_first_visit_shows_the_form_only(world, login_as):
    page = login_as("secretary-q010101").get("/community/Q010101/household-codes").get_data(as_text=True)
    assert 'name="count"' in page and "hh-code" not in page and 'class="error"' not in page


@pytest.mark.parametrize("query", ["year=2026&count=0", "year=2026&count=5000", "year=2026&count=abc",
                                   "year=99&count=10", "count=10&year=", "year=2026&count=%3Cscript%3E"])
def test_bad_figures_are_refused_next_to_the_field(world, login_as, query):
    response = login_as("secretary-q010101").get(f"/community/Q010101/household-codes?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="error"' in page and "hh-code" not in page and "<script>" not in page


def test_only_the_community_prints_its_codes(world, login_as):
    assert login_as("committee-s0101").get("/community/Q010101/household-codes").status_code == 403
    assert login_as("secretary-q010101").get("/community/Q010102/household-codes").status_code in (403, 404)


def test_the_rating_form_keeps_working_with_a_printed_code_from_the_secretarys_page(world, app, session, login_as):
    """Typed on a phone: lower case and spaces are forgiven, the stored code is the printed one."""
    subject = project(session, "Q020101", "P02")
    code = household_code(app.config["SECRET_KEY"], "Q020101", subject.plan_year, 8)  # 1 to 5 rated in the demo
    client = app.test_client()
    typed = " " + code.lower().replace("-", " - ") + " "
    response = client.post(f"/c/Q020101/projects/{subject.id}/rating",
                           data={"csrf_token": csrf_token(client, "/"), "household_code": typed, "rating": "4"})
    assert response.status_code == 302
    assert session.scalar(select(SatisfactionRating.household_code).where(
        SatisfactionRating.project_id == subject.id, SatisfactionRating.rating == 4,
        SatisfactionRating.household_code == code)) == code
