"""Entry points: ``gunicorn wsgi:app`` for the web, ``celery -A wsgi:celery_app worker`` for jobs."""

from app import create_app

app = create_app()
celery_app = app.extensions["celery"]
