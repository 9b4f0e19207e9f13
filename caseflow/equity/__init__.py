"""Equity and privacy: disaggregation, disparity and small-cell suppression."""
