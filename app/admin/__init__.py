"""Configuration: the organisation tree, users and their roles."""
