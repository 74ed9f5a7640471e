"""Every saved or deleted API client, organisation or cooperative membership (the admin's
edits of scopes, expiry, an organisation's `active` or its memberships, a new token, a
deletion) makes a new generation of API clients on commit
(`networks.services.api_clients_changed`), so no process goes on with a client it kept, nor
with the memberships it read for its organisation (`cases.partners.selectors`). A queryset
`update()` sends no signal: the service that runs one calls it itself (`api_client_revoke`)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from networks.models import ApiClient, CooperativeMembership, Organisation
from networks.services import api_clients_changed


@receiver(post_save, sender=ApiClient, dispatch_uid="api-clients-changed-save")
@receiver(post_delete, sender=ApiClient, dispatch_uid="api-clients-changed-delete")
@receiver(post_save, sender=Organisation, dispatch_uid="api-organisations-changed-save")
@receiver(post_delete, sender=Organisation, dispatch_uid="api-organisations-changed-delete")
@receiver(post_save, sender=CooperativeMembership, dispatch_uid="api-memberships-changed-save")
@receiver(post_delete, sender=CooperativeMembership, dispatch_uid="api-memberships-changed-delete")
def _api_clients_changed(sender, **kwargs) -> None:
    transaction.on_commit(api_clients_changed)
