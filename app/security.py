"""Security headers on every response, and the content security policy."""

from __future__ import annotations

from flask import Flask, request
from werkzeug.datastructures import ImmutableMultiDict

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "img-src 'self' data:",
    "style-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def _without_nul(values: ImmutableMultiDict) -> ImmutableMultiDict | None:
    if not any("\x00" in v for _, v in values.items(multi=True)):
        return None
    return ImmutableMultiDict([(k.replace("\x00", ""), v.replace("\x00", "")) for k, v in values.items(multi=True)])


def drop_nul_characters() -> None:
    """Remove NUL characters from the query and the form before any handler reads them.

    Nobody means to type one, and PostgreSQL cannot store one in text: left in, a NUL in any
    field would end as a server error instead of the value the user meant. The JSON API
    refuses them instead, naming the field (``app/api/validation.py``).
    """
    if request.blueprint == "api":
        return
    for name in ("args", "form"):
        cleaned = _without_nul(getattr(request, name))
        if cleaned is not None:
            setattr(request, name, cleaned)


def init_app(app: Flask) -> None:
    app.before_request(drop_nul_characters)

    @app.after_request
    def set_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if response.mimetype == "text/html":
            # Pages may show other people's work in progress: no shared caches.
            headers.setdefault("Cache-Control", "no-store")
        return response
