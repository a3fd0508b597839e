from sqlalchemy import select

from ledger.organisations import Organisation, add_organisation, import_tree_csv, subtree

TREE = """code,name,level,parent_code
Q1,春华一社区,community,S1
C,示范市,city,
D1,河东区,district,C
S1,春华街道,street,D1
S2,秋实街道,street,D1
"""


def test_import_accepts_rows_in_any_order_and_builds_paths(session):
    report = import_tree_csv(session, TREE)
    assert report.ok and report.created == 5
    q1 = session.scalar(select(Organisation).where(Organisation.code == "Q1"))
    assert q1.path == "/C/D1/S1/Q1/"
    assert q1.ancestor_at("district").code == "D1"


def test_import_is_all_or_nothing_and_names_the_line(session):
    bad = TREE + "Q2,秋实一社区,community,S9\n"
    report = import_tree_csv(session, bad)
    assert not report.ok
    assert report.errors[0].line == 7 and report.errors[0].field == "parent_code"
    assert session.scalars(select(Organisation)).all() == []


def test_import_refuses_a_community_under_a_district(session):
    report = import_tree_csv(session, "code,name,level,parent_code\nC,市,city,\nD,区,district,C\nQ,社区,community,D\n")
    assert not report.ok
    assert "cannot be placed under a district" in report.errors[0].message


def test_import_renames_and_moves_existing_nodes(session):
    import_tree_csv(session, TREE)
    report = import_tree_csv(session, "code,name,level,parent_code\nQ1,春华新社区,community,S2\n")
    assert report.ok and report.updated == 1
    q1 = session.scalar(select(Organisation).where(Organisation.code == "Q1"))
    assert q1.name == "春华新社区" and q1.path == "/C/D1/S2/Q1/"


def test_subtree_of_a_street_is_its_communities(session):
    import_tree_csv(session, TREE)
    s1 = session.scalar(select(Organisation).where(Organisation.code == "S1"))
    assert [o.code for o in session.scalars(subtree(s1))] == ["S1", "Q1"]


def test_duplicate_code_is_refused(session):
    city = add_organisation(session, "C", "市", "city", None)
    import pytest
    from ledger.organisations import OrganisationError

    with pytest.raises(OrganisationError, match="already used"):
        add_organisation(session, "C", "另一个市", "city", None)
    assert city.path == "/C/"
