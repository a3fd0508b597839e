"""Login, sessions, roles and the authorisation every request goes through."""
