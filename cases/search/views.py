"""The one search box in the header and its results page. The rules are in selectors.py."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from cases import permissions
from cases.audit import access_log_record
from cases.pagination import FirstPagePaginator
from cases.privacy.models import AccessAction
from cases.search import selectors as search_selectors

# no BSN, postcode, name or number is longer; a longer query is cut, not sent to the database
SEARCH_QUERY_MAX_LENGTH = 100


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def search(request):
    """Results page of the header's search box. The query comes in a POST, so that no BSN or
    name ends up in a URL, the browser history or a server log; a GET shows the empty form.
    With htmx only the results are sent back (the field updates them while typing)."""
    if not permissions.can_search_everything(request.user):
        raise PermissionDenied
    query = request.POST.get("q", "")[:SEARCH_QUERY_MAX_LENGTH] if request.method == "POST" else ""
    found = search_selectors.everything_search(user=request.user, query=query)
    page = FirstPagePaginator(found.households, settings.HOUSEHOLD_SEARCH_PAGE_SIZE).get_page(
        request.POST.get("page")
    )
    if found.searched:  # the kind and count are logged, never what was typed
        access_log_record(
            request_or_user=request,
            action=AccessAction.SEARCH,
            object_type="search",
            search_kind=found.kind,
            result_count=page.paginator.count + found.other_count,
        )
    context = {"search": found, "page": page, "query": query}
    template = "cases/search/search.html"
    if request.htmx and request.method == "POST" and request.POST.get("live"):
        template += "#results"
    return render(request, template, context)
