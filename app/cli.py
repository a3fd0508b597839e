"""``flask`` commands: create the database, import organisations, create users, load the demo."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade

from ledger.errors import DomainError
from ledger.organisations import by_code, import_tree_csv

from .auth.operations import create_user
from .auth.roles import ROLES
from .demo import DEMO_PASSWORD, DemoAlreadyLoaded, load_demo
from .cli_imports import commit_import
from .extensions import db


@click.command("init-db")
@with_appcontext
def init_db():
    """Create or upgrade the database schema to the newest revision."""
    upgrade()
    click.echo("database is at the newest revision")


@click.group("org", cls=AppGroup)
def org_group():
    """The organisation tree."""


@org_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def org_import(file: Path):
    """Import code,name,level,parent_code rows from a UTF-8 CSV FILE (all or nothing)."""
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise click.ClickException(f"{file} is not UTF-8 text")
    report = import_tree_csv(db.session, text)
    commit_import(file, report)
    click.echo(f"imported: {report.created} created, {report.updated} updated")


@click.group("user", cls=AppGroup)
def user_group():
    """Accounts."""


@user_group.command("create")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="The person's name as shown.")
@click.option("--role", type=click.Choice(sorted(ROLES)), required=True)
@click.option("--org", "org_code", required=True, help="Code of the organisation the role covers.")
@click.password_option(help="Prompted for when not given.")
def user_create(username, display_name, role, org_code, password):
    """Create an account with one role over one organisation."""
    org = by_code(db.session, org_code)
    if org is None:
        raise click.ClickException(f"no organisation with code {org_code}")
    try:
        create_user(db.session, username, display_name, password, role=role, org=org)
    except DomainError as error:  # a user or a password refused
        db.session.rollback()
        raise click.ClickException(f"{error.field or 'input'}: {error.message}")
    db.session.commit()
    click.echo(f"created {username}: {role} of {org.name} ({org.code})")


@click.group("demo", cls=AppGroup)
def demo_group():
    """The demo city for trying the system out."""


@demo_group.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when the demo is loaded.")
def demo_load(if_empty: bool):
    """Load a demo city with one account per role, and print the accounts."""
    if not current_app.config.get("DEMO_ALLOWED"):
        raise click.ClickException("the demo city cannot be loaded in production")
    try:
        accounts = load_demo(db.session, evidence_folder=Path(current_app.config["EVIDENCE_FOLDER"]),
                             fast_hash=current_app.config.get("PASSWORD_HASH_FAST", False),
                             secret=current_app.config["SECRET_KEY"])
    except DemoAlreadyLoaded as error:
        db.session.rollback()
        if if_empty:
            click.echo("demo city already loaded")
            return
        raise click.ClickException(str(error))
    db.session.commit()
    click.echo(f"demo city loaded; every account's password is: {DEMO_PASSWORD}")
    for account in accounts:
        click.echo(f"  {account.username:<22} {account.role:<20} {account.organisation}")


def init_app(app: Flask) -> None:
    from .api.cli import api_token_group
    from .finance.cli import ledger_group, report_group

    for command in (init_db, org_group, user_group, demo_group, translate_group, ledger_group, report_group,
                    api_token_group):
        app.cli.add_command(command)


@click.group("translate", cls=AppGroup)
def translate_group():
    """The zh_CN (and en) message catalogs."""


@translate_group.command("update")
def translate_update():
    """Add the code's untranslated messages to messages.po (to be translated there) and list them."""
    from babel.messages.pofile import read_po, write_po

    from .i18n import catalog_path, compile_catalogs, extract_catalog, untranslated

    template = extract_catalog()
    for language in current_app.config["LANGUAGES"]:
        if language == "en":
            continue  # the msgids are English
        missing = set(untranslated(language))
        path = catalog_path(language)
        with path.open("rb") as po_file:
            catalog = read_po(po_file, locale=str(catalog_path(language).parent.parent.name))
        for message in template:
            key = message.id if isinstance(message.id, str) else (message.id[0] if message.id else None)
            if key in missing and message.id not in catalog:
                catalog.add(message.id, None, message.locations, auto_comments=message.auto_comments)
        with path.open("wb") as po_file:
            write_po(po_file, catalog, width=100, sort_output=True)
        click.echo(f"{language}: {len(missing)} untranslated")
        for key in sorted(missing):
            click.echo(f"  {key}")
    compile_catalogs()
