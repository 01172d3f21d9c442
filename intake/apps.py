from django.apps import AppConfig


class IntakeConfig(AppConfig):
    """Patient self-entry: invitations, the patient's own form and the clinician's sign-off."""

    name = "intake"
