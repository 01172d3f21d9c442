"""`manage.py create_api_client NAME --scope read|write`: a new API client; prints its token once.

The token is printed on standard output alone (so a script can capture it) and is stored only
as its SHA-256: lost, it cannot be shown again; revoke the client and create another.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.services import Actor
from interop.models import Scope
from interop.services import create_api_client


class Command(BaseCommand):
    help = (
        "Create an API client for the FHIR API and CDS Hooks and print its bearer token, once. "
        "Audited as api_client_create."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="who will call, e.g. the EHR's name (unique)")
        parser.add_argument("--scope", choices=Scope.values, default=Scope.READ)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            created = create_api_client(
                name=options["name"], scope=options["scope"], actor=Actor(user=None), via="command"
            )
        except ValidationError as error:
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            raise CommandError(problems, returncode=2) from error
        client = created.client
        self.stderr.write(
            f"Created API client {client.name!r} ({client.get_scope_display()}, token "
            f"{client.token_prefix}…). The token is shown only now:"
        )
        self.stdout.write(created.token)
