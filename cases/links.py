"""Links to objects by UUID, reversed once.

- `uuid_url(name)`: for a page's links to many objects of one kind (a page of clocks, a
  caseload: dozens of rows). It reverses the URL once with a placeholder UUID and puts each
  object's UUID in its place: one `reverse` per kind of link.
- `uuid_path(name, *uuids)` (the template tag `{% uuid_path %}`): for a page's many different
  links (the household page has about forty). The URL of each name is reversed once per process
  with placeholder UUIDs, per language and script prefix, and the UUIDs are put in their place.
  A value that is not a UUID is reversed as `{% url %}` reverses it."""

import functools
import uuid
from collections.abc import Callable

from django.core.signals import setting_changed
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language

_SLOT = str(uuid.UUID(int=0))
# one placeholder per argument, each different (a URL holds at most a few UUIDs)
_SLOTS = tuple(uuid.UUID(int=index + 1) for index in range(4))


def uuid_url(name: str) -> Callable[[object], str]:
    """`lambda value: reverse(name, args=[value])` for a URL whose one argument is a UUID."""
    pattern = reverse(name, args=[_SLOT])
    return lambda value: pattern.replace(_SLOT, str(value))


@functools.lru_cache(maxsize=512)
def _pattern(name: str, count: int, script_prefix: str, language: str | None) -> str:
    return reverse(name, args=_SLOTS[:count])


def uuid_path(name: str, *uuids) -> str:
    """`reverse(name, args=uuids)` for a URL whose arguments are UUIDs."""
    if len(uuids) > len(_SLOTS) or not all(isinstance(value, uuid.UUID) for value in uuids):
        return reverse(name, args=uuids)
    path = _pattern(name, len(uuids), get_script_prefix(), get_language())
    for slot, value in zip(_SLOTS, uuids, strict=False):
        path = path.replace(str(slot), str(value))
    return path


def _forget(**_kwargs) -> None:  # a test's other URLconf
    _pattern.cache_clear()


setting_changed.connect(_forget)
