"""The application as the benchmarks serve it under gunicorn, plus a bare Flask route.

``BENCH_DATABASE_URL`` names the benchmark's database. The page cache is Redis
(``BENCH_CACHE_REDIS_URL``, default database 14 of the local server), shared by the four
workers as in production, and emptied of this database's pages when a worker starts: the
benchmark's database is made anew by every run, Redis is not. Rate limits are off (one load
generator is one address: the limits would measure themselves) and cookies are not
``Secure`` (plain HTTP on 127.0.0.1); everything else is the production configuration.
``/bench/bare`` answers a constant from the same app and the same workers: the floor of
what any page can cost on this server.
"""

import os

from config import ProductionConfig, database_url


class BenchConfig(ProductionConfig):
    SECRET_KEY = os.environ.get("SECRET_KEY") or "bench-secret-not-for-production"
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("BENCH_DATABASE_URL"))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": False, "pool_size": 5}
    SESSION_COOKIE_SECURE = False
    RATELIMIT_ENABLED = False
    CACHE_TYPE = "RedisCache"
    CACHE_REDIS_URL = os.environ.get("BENCH_CACHE_REDIS_URL", "redis://127.0.0.1:6379/14")

    @classmethod
    def check(cls) -> None:
        if not cls.SQLALCHEMY_DATABASE_URI:
            raise RuntimeError("set BENCH_DATABASE_URL")


os.environ.setdefault("DATABASE_URL", os.environ.get("BENCH_DATABASE_URL", ""))

from app import create_app  # noqa: E402  (after the environment the config reads)

app = create_app(BenchConfig)
with app.app_context():
    from app.cache import cache

    cache.clear()


@app.route("/bench/bare")
def bare():
    return "ok"
