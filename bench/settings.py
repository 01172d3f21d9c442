"""Benchmark-only settings: the app's settings plus bench/urls.py (two baseline views)."""

from config.settings import *  # noqa: F403 (the app's settings, unchanged but for the URLconf)

ROOT_URLCONF = "bench.urls"
