"""Logging filters that keep patient data out of logs even at DEBUG (settings.LOGGING wires them).

Django itself writes two DEBUG records that can carry PHI:
- django.template: a variable a template cannot resolve is logged with its traceback, whose
  message is the repr of the whole template context, e.g. "<Patient: Family, Given (MRN)>";
- django.db.backends: a debug cursor (DEBUG=True) logs each SQL statement with its parameters.
"""

import logging
import re

# A self-entry link's token opens a patient's form (with the date of birth): never in a log.
_SELF_ENTRY_TOKEN = re.compile(r"/self/(?!entry/|done/)[^/?#\s\"']+")
REDACTED_LINK = "/self/[token]"


def redact_self_entry_tokens(text: str) -> str:
    """The text with each /self/<token> path's token replaced."""
    return _SELF_ENTRY_TOKEN.sub(REDACTED_LINK, text)


class DropDataFromDebugRecords(logging.Filter):
    """Template records keep their one-line message without the traceback; SQL at DEBUG is
    dropped. Attach to the django.template and django.db.backends loggers."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("django.db.backends") and record.levelno <= logging.DEBUG:
            return False
        if record.name.startswith("django.template"):
            record.exc_info = None
            record.exc_text = None
        return True


class RedactSelfEntryTokens(logging.Filter):
    """Request records ("Gone: /self/<token>/", the development server's request lines) keep
    their message with the link's token replaced. Attach to django.request and django.server."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_self_entry_tokens(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
