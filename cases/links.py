"""Links to objects by UUID, reversed once.

- `uuid_url(name)`: for a page's links to many objects of one kind (a page of clocks, a
  caseload: dozens of rows): the URL with a placeholder UUID, each object's UUID put in its
  place.
- `uuid_path(name, *uuids)` (the template tag `{% uuid_path %}`): for a page's many different
  links (the household page has about forty). A value that is not a UUID is reversed as
  `{% url %}` reverses it.

Both reverse the URL of a name once per process, language and script prefix, with placeholder
UUIDs, and put the UUIDs in their place."""

import functools
import uuid
from collections.abc import Callable

from django.core.signals import setting_changed
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language

# one placeholder per argument, each different (a URL holds at most a few UUIDs)
_SLOTS = tuple(uuid.UUID(int=index + 1) for index in range(4))


@functools.lru_cache(maxsize=512)
def _pattern(name: str, count: int, script_prefix: str, language: str | None) -> str:
    return reverse(name, args=_SLOTS[:count])


def _pattern_now(name: str, count: int) -> str:
    """The URL of `name` with `count` placeholders, for this request's prefix and language."""
    return _pattern(name, count, get_script_prefix(), get_language())


def uuid_url(name: str) -> Callable[[object], str]:
    """`lambda value: reverse(name, args=[value])` for a URL whose one argument is a UUID."""
    pattern, slot = _pattern_now(name, 1), str(_SLOTS[0])
    return lambda value: pattern.replace(slot, str(value))


def uuid_path(name: str, *uuids) -> str:
    """`reverse(name, args=uuids)` for a URL whose arguments are UUIDs."""
    if len(uuids) > len(_SLOTS) or not all(isinstance(value, uuid.UUID) for value in uuids):
        return reverse(name, args=uuids)
    path = _pattern_now(name, len(uuids))
    for slot, value in zip(_SLOTS, uuids, strict=False):
        path = path.replace(str(slot), str(value))
    return path


def _forget(**_kwargs) -> None:  # a test's other URLconf
    _pattern.cache_clear()


setting_changed.connect(_forget)
