"""Settings, read from the environment.

``APP_ENV`` picks the class: ``development`` (default: SQLite under ``instance/`` and an
embedded Celery broker, so one command runs everything on a fresh machine),
``production`` (PostgreSQL, Redis or RabbitMQ, a real ``SECRET_KEY``) or ``test``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent
INSTANCE = Path(os.environ.get("INSTANCE_PATH", ROOT / "instance"))
BROKER_URL = os.environ.get("CELERY_BROKER_URL", f"sqla+sqlite:///{INSTANCE / 'celery-broker.sqlite'}")
#: Seconds after which Redis hands an unacknowledged task (its worker was lost) to another worker.
VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))
#: Redis only (the SQLAlchemy transport passes its options to ``create_engine``). A job still
#: held by a live worker is not run twice (app/jobs/tasks.py), so the timeout need not exceed
#: the longest job; the checks are idempotent through their notification keys.
REDIS_TRANSPORT_OPTIONS = {
    "visibility_timeout": VISIBILITY_TIMEOUT,
    "unacked_restore_interval": min(10, VISIBILITY_TIMEOUT), "unacked_restore_throttle": 1,
}


def day_of_year(text: str) -> str:
    """A ``MM-DD`` setting, refused at start when it is not a day of every year."""
    import datetime

    try:
        month, day = (int(part) for part in text.split("-"))
        datetime.date(2001, month, day)
    except ValueError:
        raise RuntimeError(f"LATE_ALLOCATION_CUTOFF must be a day as MM-DD, such as 06-30, not {text!r}") from None
    return f"{month:02d}-{day:02d}"


def database_url(default: str | None = None) -> str | None:
    """``DATABASE_URL``, with ``postgres://`` spelled the way SQLAlchemy and psycopg 3 want."""
    url = os.environ.get("DATABASE_URL") or default
    if url and url.startswith(("postgres://", "postgresql://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _development_secret() -> str:
    """A secret made once per machine and kept in the instance folder, never in git."""
    path = INSTANCE / "secret_key"
    if not path.exists():
        INSTANCE.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    INSTANCE_PATH = str(INSTANCE)
    SQLALCHEMY_DATABASE_URI = database_url(f"sqlite:///{INSTANCE / 'community_funds.sqlite'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    #: A login ends after this many seconds without a request.
    SESSION_IDLE_SECONDS = 2 * 3600
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024
    #: Evidence files (minutes, photos, invoices), stored under their SHA-256, never a user's name.
    EVIDENCE_FOLDER = os.environ.get("EVIDENCE_FOLDER", str(INSTANCE / "evidence"))

    #: How many reverse proxies (nginx, a WeChat gateway) stand in front of the app; their
    #: X-Forwarded-For then gives the resident's address, which the rate limits count by.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
    #: Stated, not left to the default: the limiter is one object shared by every app built in a process.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    #: Residents' forms (needs, objections, ratings) one address may send (app/public/throttle.py).
    PUBLIC_POST_RATE_LIMIT = os.environ.get("PUBLIC_POST_RATE_LIMIT", "60 per minute")
    #: Login attempts (app/auth/throttle.py): per address; per account and address; per account
    #: from everywhere, past which the account is slowed to one attempt per LOGIN_SLOWDOWN.
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    LOGIN_RATE_LIMIT_PER_ACCOUNT_AND_ADDRESS = os.environ.get("LOGIN_RATE_LIMIT_PER_ACCOUNT_AND_ADDRESS", "5 per minute")
    LOGIN_RATE_LIMIT_PER_USERNAME = os.environ.get("LOGIN_RATE_LIMIT_PER_USERNAME", "5 per minute")
    LOGIN_SLOWDOWN = os.environ.get("LOGIN_SLOWDOWN", "1 per 10 seconds")
    #: Attempts at the change-password form per user (a stolen session guessing the current password).
    PASSWORD_CHANGE_RATE_LIMIT = os.environ.get("PASSWORD_CHANGE_RATE_LIMIT", "5 per minute")

    CELERY = {
        "broker_url": BROKER_URL,
        "result_backend": os.environ.get("CELERY_RESULT_BACKEND") or None,
        "task_ignore_result": True,
        #: Extra modules the worker imports (comma-separated), e.g. job kinds of a test.
        "imports": tuple(m.strip() for m in os.environ.get("CELERY_IMPORTS", "").split(",") if m.strip()),
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "broker_transport_options": REDIS_TRANSPORT_OPTIONS if BROKER_URL.startswith("redis") else {},
        "broker_connection_retry_on_startup": True,
        "timezone": "Asia/Shanghai",
        "beat_schedule": {
            "worker-heartbeat": {"task": "app.system.tasks.record_heartbeat", "schedule": 300.0},
            "end-publicity-periods": {"task": "app.system.tasks.end_publicity_periods", "schedule": 600.0},
            "scheduled-checks": {"task": "app.system.tasks.run_scheduled_checks", "schedule": 86400.0},
        },
    }

    #: The cache of the public board and the dashboards (app/cache.py), shared by the web
    #: workers, the Celery worker and the CLI: Redis when CACHE_REDIS_URL is set, else files
    #: under the instance folder (CACHE_DIR); CACHE_TYPE=NullCache turns it off.
    CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL")
    CACHE_TYPE = os.environ.get("CACHE_TYPE") or ("RedisCache" if CACHE_REDIS_URL else "FileSystemCache")
    CACHE_DIR = os.environ.get("CACHE_DIR")
    CACHE_THRESHOLD = 5000
    #: Seconds a cached page is kept at most (a commit makes it unreadable long before).
    CACHE_DEFAULT_TIMEOUT = int(os.environ.get("CACHE_DEFAULT_TIMEOUT", "3600"))
    #: Seconds a request waits for the page another worker is computing before computing it too.
    PAGE_CACHE_WAIT_SECONDS = float(os.environ.get("PAGE_CACHE_WAIT_SECONDS", "10"))

    #: How long a worker holds a running job without reporting progress (app/jobs/tasks.py).
    JOB_LEASE_SECONDS = int(os.environ.get("JOB_LEASE_SECONDS", "600"))

    #: Money of a fiscal year arriving after this day (MM-DD) is a late allocation (资金下达迟缓).
    LATE_ALLOCATION_CUTOFF = day_of_year(os.environ.get("LATE_ALLOCATION_CUTOFF", "06-30"))

    #: Loading the demo city prints its passwords; never allowed in production.
    DEMO_ALLOWED = True


class DevelopmentConfig(Config):
    SECRET_KEY = Config.SECRET_KEY or _development_secret()


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    WTF_CSRF_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    PASSWORD_HASH_FAST = True


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    DEMO_ALLOWED = False

    @classmethod
    def check(cls) -> None:
        """Refuse to start without the settings production cannot guess."""
        missing = [name for name in ("SECRET_KEY",) if not getattr(cls, name)]
        if not os.environ.get("DATABASE_URL"):
            missing.append("DATABASE_URL")
        if missing:
            raise RuntimeError("production needs these environment variables: " + ", ".join(missing))


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "test": TestConfig,
}


def config_from_environment() -> type[Config]:
    name = os.environ.get("APP_ENV", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"APP_ENV={name!r} is unknown; use one of {', '.join(CONFIGS)}")
    return CONFIGS[name]
