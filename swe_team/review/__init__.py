"""`swe-team review`: a change reviewed as findings on the lines it touches (see README.md)."""
