"""A generous ceiling on the forms one address sends, answered with the form itself.

Residents at an acceptance meeting rate from one Wi-Fi, so the ceiling is per address but
high (``PUBLIC_POST_RATE_LIMIT``, 60 a minute): what is scarce is limited by its own rule (a
household code rates a project once; an objection needs a running notice). A resident over
the ceiling gets the form back with what they typed and a message, never a bare 429 page.
The counts live in the rate limiter's storage, shared by every web worker.
"""

from __future__ import annotations

from flask import current_app, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from .. import throttle

DEFAULT = "60 per minute"


def over_ceiling(form, field: str) -> bool:
    """Count this POST against its address. One too many: the form is checked as usual and
    ``field`` carries the message, so the caller shows the form again (status 429)."""
    address = get_remote_address()  # the client's, once PROXY_COUNT's proxies are unwrapped
    if throttle.hit(current_app.config.get("PUBLIC_POST_RATE_LIMIT") or DEFAULT, "public-post", address):
        return False
    current_app.logger.info("public form over the ceiling from %s: %s", address, request.path)
    form.validate_on_submit()  # the resident's text comes back with its own errors too
    target = getattr(form, field)
    target.errors = [*target.errors, _("Many forms were sent from your network just now. Nothing was saved "
                                       "yet: please wait a minute and send this form again; what you typed "
                                       "is kept below.")]
    return True
