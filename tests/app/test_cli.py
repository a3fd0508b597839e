"""The ``flask`` commands a newcomer and an operator use."""

from __future__ import annotations

from sqlalchemy import select

from ledger.organisations import by_code
from ledger.users import User


def test_demo_load_prints_every_account_and_refuses_a_second_load(app, session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "shequ-demo-2026" in first.output and "secretary-q010101" in first.output
    assert len(session.scalars(select(User)).all()) == 1 + 2 + 16 + 12
    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code != 0 and "already loaded" in again.output
    assert runner.invoke(args=["demo", "load", "--if-empty"]).exit_code == 0


def test_demo_load_is_refused_in_production(app):
    app.config["DEMO_ALLOWED"] = False
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code != 0 and "production" in result.output


def test_org_import_reports_each_bad_line_and_imports_nothing(app, session, tmp_path):
    path = tmp_path / "tree.csv"
    path.write_text("code,name,level,parent_code\nC,市,city,\nD,区,district,C\nQ,社区,community,D\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["org", "import", str(path)])
    assert result.exit_code != 0
    assert f"{path}:4: parent_code: A community cannot be placed under a district." in result.output
    assert by_code(session, "C") is None


def test_org_import_then_user_create(app, session, tmp_path):
    path = tmp_path / "tree.csv"
    path.write_text("code,name,level,parent_code\nC,市,city,\nD,区,district,C\nS,街道,street,D\n", encoding="utf-8")
    runner = app.test_cli_runner()
    assert "3 created" in runner.invoke(args=["org", "import", str(path)]).output
    result = runner.invoke(args=["user", "create", "wang.fang", "--name", "王芳", "--role", "street_finance",
                                 "--org", "S", "--password", "a-long-secret-9"])
    assert result.exit_code == 0, result.output
    assert session.scalar(select(User).where(User.username == "wang.fang")).display_name == "王芳"


def test_user_create_names_the_wrong_input(app, session):
    app.test_cli_runner().invoke(args=["demo", "load"])
    result = app.test_cli_runner().invoke(args=[
        "user", "create", "wang.fang", "--name", "王芳", "--role", "street_finance", "--org", "Q010101",
        "--password", "a-long-secret-9"])
    assert result.exit_code != 0 and "organisation: This role is held over a street" in result.output
    missing = app.test_cli_runner().invoke(args=[
        "user", "create", "wang.fang", "--name", "王芳", "--role", "street_finance", "--org", "NOPE",
        "--password", "a-long-secret-9"])
    assert missing.exit_code != 0 and "no organisation with code NOPE" in missing.output
