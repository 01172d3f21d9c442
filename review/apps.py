from django.apps import AppConfig


class ReviewConfig(AppConfig):
    """The review queue and its cases; flags stay screening's tables (no models here)."""

    name = "review"
