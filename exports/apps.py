from django.apps import AppConfig


class ExportsConfig(AppConfig):
    """Visit exports (CSV, XLSX, FHIR R4, de-identified); no models, the export_visit permission
    stays screening's."""

    name = "exports"
