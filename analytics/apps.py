from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    """The clinic's numbers beside the study's; its models are aggregates the database keeps
    (analytics/models.py), the view_analytics permission stays screening's."""

    name = "analytics"
