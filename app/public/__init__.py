"""Pages for residents, without login."""
