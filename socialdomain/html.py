"""HTML for the rows of the busiest pages, built in Python (docs/performance.md).

`html(template, *values)` is Django's `format_html` with positional values, and it escapes the
same way:
- a safe value (`SafeString`, `mark_safe`, an earlier `html(...)`) goes in as it is;
- anything else is escaped, as `django.utils.html.escape` escapes it.

What `html` leaves out is `format_html`'s lazy-text wrappers (`keep_lazy`) around every call
and every value. A page of 30 rows made about 500 such calls: 2 ms per request at 500,000
households, for values that are plain text already. A lazy translation given as a value is
still translated, then escaped (`str()`)."""

from html import escape as _escape

from django.utils.safestring import SafeData, SafeString


def escaped(value) -> str:
    """`value` as HTML: safe text as it is, anything else as escaped text."""
    if isinstance(value, SafeData):
        return value
    return _escape(str(value))


def html(template: str, *values) -> SafeString:
    """`template` (HTML with `{}` fields) filled with the escaped `values`, marked safe."""
    return SafeString(template.format(*map(escaped, values)))


def html_join(separator: str, template: str, rows) -> SafeString:
    """`format_html_join`: `template` filled from each tuple in `rows`, joined by `separator`
    (escaped, like the values)."""
    return SafeString(escaped(separator).join(html(template, *row) for row in rows))


__all__ = ["escaped", "html", "html_join"]
