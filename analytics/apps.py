from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    """The clinic's numbers beside the study's; no models, the view_analytics permission stays
    screening's."""

    name = "analytics"
