"""/api/v1: the JSON API of INTERFACES.md. Each module adds its endpoints to the blueprint."""

from caseflow.api import (  # noqa: F401  (register routes)
    campaigns,
    concerns,
    measures,
    openapi,
    patterns,
    people,
    suggestions,
    summaries,
    taxonomy,
)
from caseflow.api.blueprint import bp

__all__ = ["bp"]
