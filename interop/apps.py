from django.apps import AppConfig


class InteropConfig(AppConfig):
    """The FHIR REST API and CDS Hooks for EHRs, behind the bearer tokens of API clients."""

    name = "interop"
    verbose_name = "EHR interoperability"
