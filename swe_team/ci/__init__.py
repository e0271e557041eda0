"""CI mode: a failed build's log read, mapped to the repository and diagnosed. See README.md."""
