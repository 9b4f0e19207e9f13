"""The standing advisory committee: members with terms, meetings, proposals, votes and decisions."""
