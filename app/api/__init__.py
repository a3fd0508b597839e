"""The JSON API under /api/v1 for finance software: token authentication, problem+json errors."""
