from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        # Sign-in events exist only as signals (Django auth, django-axes); audit them there.
        from accounts import signals  # noqa: F401
