from django.core.exceptions import ValidationError


def apply_validation_error(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field where the field exists, else
    at the top of the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)
