"""Loaded by pytest before Django (`-p tests.environment`): development settings for the test run.

Django's test runner still forces DEBUG off while tests run; this only picks the development
defaults (secret key, plain static storage the live server can serve, no HTTPS redirect).
"""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("PSEUDONYM_KEY", "test-pseudonym-key")
# pytest-playwright drives the browser from an event loop; Django's ORM calls from the test
# thread are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
