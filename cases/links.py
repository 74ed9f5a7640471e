"""A page's links to many objects of one kind, reversed once: `uuid_url(name)` reverses the URL
with a placeholder UUID and puts each object's UUID in its place (a page of clocks, a
caseload: dozens of rows, one `reverse` per kind of link)."""

import uuid
from collections.abc import Callable

from django.urls import reverse

_SLOT = str(uuid.UUID(int=0))


def uuid_url(name: str) -> Callable[[object], str]:
    """`lambda value: reverse(name, args=[value])` for a URL whose one argument is a UUID."""
    pattern = reverse(name, args=[_SLOT])
    return lambda value: pattern.replace(_SLOT, str(value))
