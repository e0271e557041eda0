"""Secrets and configured patterns replaced by `[REDACTED:<kind>]` before text leaves the process."""

from core.redaction.config import RedactionSettings
from core.redaction.redactor import Hit, Redacted, Redactor, find_secrets, redact

__all__ = ["Hit", "Redacted", "RedactionSettings", "Redactor", "find_secrets", "redact"]
