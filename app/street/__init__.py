"""The street party committee's area: the review queue and the dashboard across communities."""
