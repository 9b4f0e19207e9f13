"""A user's own language: the /account/language page (the machinery is caseflow.i18n)."""
