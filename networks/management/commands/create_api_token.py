"""Create an API client for an organisation and print its token (the last line, shown once)."""

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from networks.models import ApiScope, Organisation
from networks.services import api_client_create


class Command(BaseCommand):
    help = "Create an API token for an organisation (by its code or AGB code)."

    def add_arguments(self, parser):
        parser.add_argument("org_code", help="Organisation code or AGB code")
        parser.add_argument(
            "--scopes",
            nargs="+",
            choices=ApiScope.values,
            help="Default: what the organisation's type may have.",
        )
        parser.add_argument("--name", default="API client", help="Name of the client system")
        parser.add_argument("--expires-in-days", type=int, help="Expire the token after N days")

    def handle(self, *args, org_code, scopes, name, expires_in_days, **options):
        organisation = (
            Organisation.objects.filter(code=org_code).first()
            or Organisation.objects.filter(agb_code=org_code).exclude(agb_code="").first()
        )
        if organisation is None:
            raise CommandError(f"No organisation with code or AGB code {org_code!r}.")
        expires_at = (
            timezone.now() + datetime.timedelta(days=expires_in_days) if expires_in_days else None
        )
        try:
            client, token = api_client_create(
                organisation=organisation, name=name, scopes=scopes, expires_at=expires_at
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stderr.write(
            f"API client {client.name!r} for {organisation.name} with scopes "
            f"{', '.join(client.scopes)}"
            + (f", expires {client.expires_at:%Y-%m-%d}" if client.expires_at else "")
            + ". The token is shown once:"
        )
        self.stdout.write(token)
