"""Fiscal quarters. With the fiscal year starting in month M, Q1 is M, M+1, M+2.

A fiscal year is named by the calendar year in which it ends (the US federal convention), so with
a July start, 2026-Q1 is July–September 2025. With the default January start, 2026-Q3 is
July–September 2026.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_LABEL = re.compile(r"^([0-9]{4})-Q([1-4])$")


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int
    start_month: int = 1

    @classmethod
    def parse(cls, label: str, start_month: int = 1) -> Quarter | None:
        match = _LABEL.match(label or "")
        if not match:
            return None
        year, number = int(match.group(1)), int(match.group(2))
        if not 2000 <= year <= 2100:
            return None
        return cls(year, number, start_month)

    @classmethod
    def containing(cls, day: date, start_month: int = 1) -> Quarter:
        months_in = (day.month - start_month) % 12
        fy_start_year = day.year if day.month >= start_month else day.year - 1
        fiscal_year = fy_start_year + (1 if start_month != 1 else 0)
        return cls(fiscal_year, months_in // 3 + 1, start_month)

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.number}"

    def __str__(self) -> str:
        return self.label

    @property
    def start(self) -> date:
        first_month_index = (self.start_month - 1) + 3 * (self.number - 1)  # 0-based from FY start year
        fy_start_year = self.year - (1 if self.start_month != 1 else 0)
        year = fy_start_year + first_month_index // 12
        return date(year, first_month_index % 12 + 1, 1)

    @property
    def end(self) -> date:
        return self.next().start - timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + (self.number == 4), self.number % 4 + 1, self.start_month)

    def previous(self) -> Quarter:
        return Quarter(self.year - (self.number == 1), (self.number - 2) % 4 + 1, self.start_month)

    @property
    def span(self) -> str:
        return f"{self.start.strftime('%B %Y')} – {self.end.strftime('%B %Y')}"
