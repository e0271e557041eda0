"""A resident `swe-team locate`: one process per installation keeps the code graphs of the repositories it was
asked about in memory and answers each later `locate` in a forked child that writes straight to the caller's
terminal (see README.md)."""
