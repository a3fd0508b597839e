"""Pages for residents, without login."""

from . import models  # noqa: F401  (its table is on the metadata whenever the area is loaded)
