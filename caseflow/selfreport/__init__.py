"""Clients tell us themselves: the public self-report page and the caseworkers' triage queue."""
