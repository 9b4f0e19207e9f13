"""Domain errors raised by services; views and the API turn them into messages and status codes."""


class DomainError(Exception):
    """Base class. `field` names the form/API field the message belongs to, when there is one."""

    status = 422

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationFailed(DomainError):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


class StaleVersion(DomainError):
    status = 409

    def __init__(self, message: str | None = None):
        from flask_babel import gettext

        super().__init__(message or gettext("Someone else changed this while you were editing it."), field="version")


class NotAllowed(DomainError):
    status = 403
