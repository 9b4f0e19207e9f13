"""Campaigns: the six-step workspace, power map, actions, follow-ups, advisory decisions, reflection."""
