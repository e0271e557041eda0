"""`swe-team tests-gap`: tests written for the functions a change touched or the tests miss, kept only when they
pass and raise coverage (see README.md)."""
