from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        # Sign-in events exist only as signals (Django auth, django-axes); audit them there.
        from accounts import signals  # noqa: F401


class AccountsAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with its site behind the app's sign-in (accounts.admin_site)."""

    default = False  # named in full in INSTALLED_APPS; "accounts" means AccountsConfig
    default_site = "accounts.admin_site.AdminSite"
