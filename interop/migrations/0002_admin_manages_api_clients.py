"""Give the admin role the permission to create and revoke API clients (accounts.roles)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSION = "manage_apiclient"


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; the group needs this one now.
    app_config = apps.get_app_config("interop")
    app_config.models_module = True  # historical app configs lack it; create_permissions asks
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="interop", codename=PERMISSION)
    for group in Group.objects.filter(name="admin"):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="admin"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="interop", codename=PERMISSION)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("interop", "0001_api_client"),
        ("accounts", "0001_role_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
