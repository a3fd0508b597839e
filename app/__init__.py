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
    from . import routing

    routing.init_app(app)
    os.makedirs(app.instance_path, exist_ok=True)
    if app.config.get("PROXY_COUNT"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    from . import models  # noqa: F401  (every table on the metadata before anything runs)
    from .extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        from ledger.db import use_real_transactions

        use_real_transactions(db.engine)
    from . import cache

    cache.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)

    from . import formatting, i18n, nav, security
    from .auth.login import init_login

    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.init_app(app)
    nav.init_app(app)
    formatting.register(app)
    init_login(app, login_manager)
    security.init_app(app)

    from .admin.blueprint import bp as admin_bp
    from .api.blueprint import bp as api_bp
    from .auth.blueprint import bp as auth_bp
    from .community.blueprint import bp as community_bp
    from .evaluation.blueprint import bp as evaluation_bp
    from .finance.blueprint import bp as finance_bp
    from .home.blueprint import bp as home_bp
    from .jobs.blueprint import bp as jobs_bp
    from .oversight.blueprint import bp as oversight_bp
    from .public.blueprint import bp as public_bp
    from .street.blueprint import bp as street_bp

    blueprints = (public_bp, auth_bp, home_bp, admin_bp, community_bp, street_bp,
                  finance_bp, oversight_bp, evaluation_bp, jobs_bp, api_bp)
    for bp in blueprints:
        app.register_blueprint(bp)

    from . import cli, errors
    from .celery_app import celery_init_app

    errors.init_app(app)
    cli.init_app(app)
    celery_init_app(app)
    return app
