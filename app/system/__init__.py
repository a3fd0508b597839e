"""The state of the running system: background worker heartbeats."""
