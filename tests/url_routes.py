"""The URL configuration as (name, route, parameter names, view), for tests generated from it."""

from django.urls import URLPattern, URLResolver, get_resolver


def _parameters(pattern) -> list[str]:
    return list(pattern.pattern.regex.groupindex)


def walk(patterns=None, prefix="", namespace="", parameters=()):
    """Yield (name, route, parameter names, view callback) for every named URL outside the
    admin (the admin has its own staff check)."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("beheer/"):
                continue
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(
                pattern.url_patterns,
                prefix + str(pattern.pattern),
                inner,
                (*parameters, *_parameters(pattern)),
            )
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield (
                name,
                prefix + str(pattern.pattern),
                [*parameters, *_parameters(pattern)],
                pattern.callback,
            )


def routes() -> dict[str, tuple[str, list[str], object]]:
    """name -> (route, parameter names, view); the first route of a name wins (as reverse())."""
    found = {}
    for name, route, parameters, view in walk():
        found.setdefault(name, (route, parameters, view))
    return found
