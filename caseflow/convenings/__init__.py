"""Convenings: agenda, sign-ups and attendance, breakout notes, and a harvest that becomes work."""
