"""Tables of the finance area (none yet)."""
