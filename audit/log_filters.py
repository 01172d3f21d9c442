"""Logging filters that keep patient data out of logs even at DEBUG (settings.LOGGING wires them).

Django itself writes two DEBUG records that can carry PHI:
- django.template: a variable a template cannot resolve is logged with its traceback, whose
  message is the repr of the whole template context, e.g. "<Patient: Family, Given (MRN)>";
- django.db.backends: a debug cursor (DEBUG=True) logs each SQL statement with its parameters.
"""

import logging


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
