"""Every element id on a community page is unique (labels, error messages and assistive
technology find a field by its id; a repeated id sends them to the wrong form)."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from ledger.organisations import by_code
from tests.app.access import SECRETARY
from tests.app.access import community as community_routes
from workflows.projects import Project


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: Counter[str] = Counter()
        self.labels: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value:
                self.ids[value] += 1
            if tag == "label" and name == "for" and value:
                self.labels.add(value)

    handle_startendtag = handle_starttag


def repeated_ids(html: str) -> dict[str, int]:
    """Ids used more than once, and labels pointing at no element (counted as 0)."""
    parser = _Ids()
    parser.feed(html)
    found = {i: n for i, n in parser.ids.items() if n > 1}
    found.update({label: 0 for label in parser.labels if label not in parser.ids})
    return found


def test_the_parser_finds_a_repeated_id():
    assert repeated_ids('<form><input id="reason"></form><form><input id="reason"/></form>') == {"reason": 2}
    assert repeated_ids('<label for="amount">x</label><input id="event-approve-amount">') == {"amount": 0}


@pytest.mark.parametrize("username", ["secretary-q010101", "committee-s0101"])
def test_no_project_page_of_the_community_repeats_an_id(world, session, login_as, username):
    """The secretary's forms (meetings, evidence, answers, ratings) and the street's
    (approve, return, reject, each with its reason) on the pages of every step."""
    client = login_as(username)
    community = by_code(session, "Q010101")
    projects = session.scalars(select(Project).where(Project.community_id == community.id)).all()
    assert len({p.state for p in projects}) >= 4  # pages at several steps, with different forms
    found = {}
    for project in projects:
        response = client.get(f"/community/projects/{project.id}")
        assert response.status_code == 200
        if repeated := repeated_ids(response.get_data(as_text=True)):
            found[f"{project.code} ({project.state})"] = repeated
    assert found == {}


def test_no_other_community_page_repeats_an_id(world, session, login_as):
    secretary = login_as("secretary-q010101")
    ids = community_routes.targets(session, "own")
    pages = [route.url.format(**ids) for route in community_routes.ROUTES.values()
             if route.method == "GET" and route.allowed & SECRETARY]
    pages += [f"/community/{ids['community']}/needs/new", f"/community/{ids['community']}/projects/new"]
    assert len(pages) >= 8
    found = {}
    for url in pages:
        response = secretary.get(url, follow_redirects=True)
        if response.mimetype != "text/html":
            continue  # an evidence file
        assert response.status_code == 200, url
        if repeated := repeated_ids(response.get_data(as_text=True)):
            found[url] = repeated
    assert found == {}
