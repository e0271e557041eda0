"""Structured edit actions: rename, change a signature, extract a function, add an import. See README.md."""
