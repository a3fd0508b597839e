"""What every all-or-nothing import command does at its end (``flask org import``, ``flask ledger import``)."""

from __future__ import annotations

from pathlib import Path

import click

from .extensions import db


def commit_import(file: Path, report) -> None:
    """Commit an all-or-nothing import, or roll it back and list every wrong line."""
    if report.ok:
        db.session.commit()
        return
    db.session.rollback()
    for error in report.errors:
        click.echo(f"{file}:{error.line}: {error.field or '-'}: {error.message}", err=True)
    raise click.ClickException(f"nothing imported: {len(report.errors)} error(s)")
