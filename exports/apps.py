from django.apps import AppConfig


class ExportsConfig(AppConfig):
    """Visit exports (CSV, XLSX, FHIR R4, de-identified) and their background jobs; the
    export_visit permission stays screening's."""

    name = "exports"

    def ready(self) -> None:
        # Every process starts here (each gunicorn worker, each command): a worker killed
        # mid-export leaves its workbook behind, and the next start removes it.
        from exports import tmpfiles

        tmpfiles.remove_stale()
