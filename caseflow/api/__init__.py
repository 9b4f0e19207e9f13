"""/api/v1: the JSON API of INTERFACES.md. Each module adds its endpoints to the blueprint."""

from caseflow.api import campaigns, concerns, measures, openapi, patterns, summaries, taxonomy  # noqa: F401  (register routes)
from caseflow.api import (  # noqa: F401  (register routes)
    campaigns,
    concerns,
    openapi,
    patterns,
    people,
    summaries,
    taxonomy,
)
from caseflow.api.blueprint import bp

__all__ = ["bp"]
