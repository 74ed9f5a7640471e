"""The household's documents: the section of the household page (loaded with htmx, or as its
own page without JavaScript) with the upload form, and the download, the only way to a stored
file: it checks need-to-know and the virus scan, and logs the read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from cases import permissions
from cases.access import access_household, access_object, household_file
from cases.audit import request_context
from cases.documents import selectors as document_selectors
from cases.documents import services as document_services
from cases.documents.forms import DocumentPageForm, DocumentUploadForm
from cases.documents.storage import document_storage
from socialdomain.forms import apply_validation_error


def _render(request, household, *, form=None, status=200):
    pages = DocumentPageForm(request.GET)
    page = (pages.cleaned_data["page"] or 1) if pages.is_valid() else 1
    context = {
        "household": household,
        "documents": document_selectors.household_documents_page(household=household, page=page),
        "form": form or DocumentUploadForm(),
    }
    template = "cases/documents/documents.html"
    if request.htmx:
        template += "#section"
    return render(request, template, context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@household_file("documents")
def household_documents(request, household_uuid):
    """GET: a page of the household's documents with the upload form. POST: upload one."""
    household = access_household(
        request, household_uuid, object_type="documents", user_may=permissions.can_use_documents
    )
    if request.method == "GET":
        return _render(request, household)
    form = DocumentUploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data.pop("file")
        try:
            document = document_services.document_upload(
                household=household,
                by=request.user,
                context=request_context(request),
                file=upload,
                filename=upload.name,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                apply_validation_error(form, exc)
            else:
                form.add_error("file", exc)
        else:
            if document.downloadable:
                messages.success(request, _("Document saved."))
            else:
                messages.warning(
                    request,
                    _(
                        "Document saved in quarantine: the virus scanner could not check it yet. "
                        "It can be opened once it has been checked."
                    ),
                )
            if not request.htmx:
                return redirect("cases:household_documents", household.uuid)
            return _render(request, household)
    # form errors come back with 200: htmx swaps only successful responses
    return _render(request, household, form=form)


@never_cache
@login_required
@require_GET
@household_file("document")
def document_download(request, household_uuid, document_uuid):
    """Stream a document as an attachment, never inline and never from a public URL. One that
    is in quarantine (or was found infected) is refused (403) with the reason."""
    fetched = {}

    def fetch():
        fetched["document"] = document_selectors.document_for_user(
            user=request.user, household_uuid=household_uuid, document_uuid=document_uuid
        )
        return fetched["document"]

    try:
        document = access_object(
            request,
            object_type="document",
            object_id=document_uuid,
            household_uuid=household_uuid,
            fetch=fetch,
            user_may=permissions.can_use_documents,
            may=lambda user, document: document.downloadable,
        )
    except PermissionDenied:
        document = fetched.get("document")
        if document is None:
            raise
        return render(
            request,
            "cases/documents/not_downloadable.html",
            {"household": document.household, "document": document},
            status=403,
        )
    response = FileResponse(
        document_storage().open(document.storage_name, "rb"),
        as_attachment=True,
        filename=document.original_filename,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
