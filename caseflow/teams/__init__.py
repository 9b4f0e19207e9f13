"""Campaign teams: staff from several programs, each able to own follow-ups."""
