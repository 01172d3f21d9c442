"""Create the clinician, reviewer and admin groups with their model permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "clinician": [
        "patients.view_patient",
        "patients.add_patient",
        "screening.view_visit",
        "screening.add_visit",
        "screening.view_flag",
    ],
}
ROLE_PERMISSIONS["reviewer"] = [
    *ROLE_PERMISSIONS["clinician"],
    "screening.review_flag",
    "screening.change_flag",
]
ROLE_PERMISSIONS["admin"] = [
    *ROLE_PERMISSIONS["reviewer"],
    "screening.export_visit",
    "screening.view_analytics",
    "audit.view_audit",
    "auth.view_user",
    "auth.add_user",
    "auth.change_user",
]


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    for label in ("auth", "patients", "screening", "audit"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True  # historical app configs lack it; create_permissions asks
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = [
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in (code.split(".") for code in codes)
        ]
        group.permissions.set(perms)


def delete_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("patients", "0001_initial"),
        ("screening", "0001_initial"),
        ("audit", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, delete_roles)]
