"""Create the demo users (one per role) and demo patients with visits. Development only."""

import os
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.roles import ADMIN, CLINICIAN, REVIEWER
from screening.demo import load_demo_patients

DEFAULT_DEMO_PASSWORD = "spine-mood-demo-2026"  # noqa: S105 (printed demo default)


class Command(BaseCommand):
    help = "Create demo users clinician/reviewer/admin and demo data (refused when DEBUG is off)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("demo users are for development only: refusing with DEBUG off")
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
        with transaction.atomic():
            for role in (CLINICIAN, REVIEWER, ADMIN):
                user, created = User.objects.get_or_create(
                    username=role,
                    defaults={"first_name": role.title(), "email": f"{role}@example.org"},
                )
                if created:
                    user.set_password(password)
                    user.save()
                user.groups.set([Group.objects.get(name=role)])
        created_patients = load_demo_patients(User.objects.get(username=CLINICIAN))
        self.stdout.write(f"demo users ready; {created_patients} demo patients added")
        shown = password if password == DEFAULT_DEMO_PASSWORD else "(from DEMO_PASSWORD)"
        self.stdout.write("Demo sign-ins (username / password):")
        for role in (CLINICIAN, REVIEWER, ADMIN):
            self.stdout.write(f"  {role:<10} / {shown}")
