"""Alembic environment: run by Flask-Migrate inside the app, or by plain Alembic with a URL.

The target is the cores' ``Base.metadata`` (every table, imported through ``app.models``).
SQLite needs batch mode for ALTER TABLE; the project's own column types render as
``ledger.base.Money()`` and ``ledger.base.UTCDateTime()``.
"""

import logging
from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool

import app.models  # noqa: F401  (registers every table)
from ledger.base import Base

config = context.config
if config.config_file_name and not config.attributes.get("skip_logging"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")
target_metadata = Base.metadata


def render_item(type_, obj, autogen_context):
    """Render the project's column types by their import path."""
    if type_ == "type" and type(obj).__module__ == "ledger.base":
        autogen_context.imports.add("import ledger.base")
        return f"ledger.base.{type(obj).__name__}()"
    return False


def _flask_engine():
    try:
        from flask import current_app

        return current_app.extensions["migrate"].db.engine
    except (RuntimeError, KeyError):
        return None


def _configure(**kwargs):
    context.configure(
        target_metadata=target_metadata,
        render_item=render_item,
        render_as_batch=True,
        compare_type=True,
        **kwargs,
    )


def _skip_empty_autogenerate(context_, revision, directives):
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def run_migrations_offline():
    _configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connection = config.attributes.get("connection")
    if connection is not None:  # handed in by a test or a script
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = _flask_engine() or engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with engine.connect() as connection:
        _configure(connection=connection, process_revision_directives=_skip_empty_autogenerate)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
