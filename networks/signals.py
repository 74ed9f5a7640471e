"""Every saved or deleted API client or organisation (the admin's edits of scopes, expiry or
an organisation's `active`, a new token, a deletion) makes a new generation of API clients on
commit (`networks.services.api_clients_changed`), so no process goes on with a client it kept.
A queryset `update()` sends no signal: the service that runs one calls it itself
(`api_client_revoke`)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from networks.models import ApiClient, Organisation
from networks.services import api_clients_changed


@receiver(post_save, sender=ApiClient, dispatch_uid="api-clients-changed-save")
@receiver(post_delete, sender=ApiClient, dispatch_uid="api-clients-changed-delete")
@receiver(post_save, sender=Organisation, dispatch_uid="api-organisations-changed-save")
@receiver(post_delete, sender=Organisation, dispatch_uid="api-organisations-changed-delete")
def _api_clients_changed(sender, **kwargs) -> None:
    transaction.on_commit(api_clients_changed)
