"""People who opted in to organizing: consent, contact, call lists (and, later, the ladder)."""
