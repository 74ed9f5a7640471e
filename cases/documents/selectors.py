"""Reads for a household's documents. Call with a household obtained through the access helper
(`cases.access.access_household`), which also writes the read's access-log row; a single
document is fetched within need-to-know by `document_for_user`."""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404

from cases.access import households_visible_to
from cases.documents.models import HouseholdDocument
from cases.households.models import Household

PAGE_SIZE = 20


def household_documents(*, household: Household) -> QuerySet[HouseholdDocument]:
    """The household's documents, newest upload first, with who uploaded them."""
    return household.documents.select_related("uploaded_by").order_by("-created_at", "-pk")


def household_documents_page(*, household: Household, page: int = 1) -> Page:
    """One page of the household's documents (`PAGE_SIZE` each; a page past the end gives the
    last one)."""
    return Paginator(household_documents(household=household), PAGE_SIZE).get_page(page)


def document_for_user(*, user, household_uuid, document_uuid) -> HouseholdDocument:
    """One document of a household the user may open, with its household; 404 when it does not
    exist or the household is not visible (the two are indistinguishable on purpose)."""
    document = (
        HouseholdDocument.objects.select_related("household")
        .filter(
            uuid=document_uuid,
            household__uuid=household_uuid,
            household__in=households_visible_to(user),
        )
        .first()
    )
    if document is None:
        raise Http404("No document found")
    return document
