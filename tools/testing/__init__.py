"""Running a repository's tests with its own runner and reading each test's outcome (see tools/README.md)."""
