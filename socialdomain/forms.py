from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator


def apply_validation_error(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field where the field exists, else
    at the top of the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class LoginForm(AuthenticationForm):
    """Django's login form, refusing a username longer than the field before anything looks it
    up. (AuthenticationForm sets the field's max_length after the field was made, which adds no
    validator: a 256-character username reached django-axes' failure log, a varchar(255), and
    gave a 500.)"""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))
