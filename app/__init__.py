"""The web application: ``create_app`` builds it for a configuration class."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from config import Config, config_from_environment

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_class: type[Config] | None = None) -> Flask:
    config_class = config_class or config_from_environment()
    if hasattr(config_class, "check"):
        config_class.check()
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=config_class.INSTANCE_PATH,
    )
    app.config.from_object(config_class)
    os.makedirs(app.instance_path, exist_ok=True)

    from . import models  # noqa: F401  (every table on the metadata before anything runs)
    from .extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)

    from . import i18n, security
    from .auth.login import init_login

    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.init_app(app)
    init_login(app, login_manager)
    security.init_app(app)

    from .admin.blueprint import bp as admin_bp
    from .auth.blueprint import bp as auth_bp
    from .home.blueprint import bp as home_bp
    from .public.blueprint import bp as public_bp

    for bp in (public_bp, auth_bp, home_bp, admin_bp):
        app.register_blueprint(bp)

    from . import cli, errors
    from .celery_app import celery_init_app

    errors.init_app(app)
    cli.init_app(app)
    celery_init_app(app)
    return app
