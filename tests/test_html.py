"""`socialdomain.html`: the rows' HTML escapes exactly as Django's `format_html` does."""

import pytest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy, override

from socialdomain.html import html, html_join

HOSTILE = [
    '<script>alert("x")</script>',
    "Jansen & Zn.",
    "O'Brien",
    '" onmouseover="x',
    42,
    None,
    mark_safe("<b>veilig</b>"),
]


@pytest.mark.parametrize("value", HOSTILE)
def test_html_escapes_as_format_html(value):
    template = '<a title="{}">{}</a>'
    assert html(template, value, value) == format_html(template, value, value)
    assert isinstance(html(template, value, value), SafeString)


def test_html_of_html_is_not_escaped_twice():
    inner = html("<b>{}</b>", "<i>")
    assert html("<p>{}</p>", inner) == "<p><b>&lt;i&gt;</b></p>"


def test_lazy_text_is_translated_then_escaped():
    lazy = gettext_lazy("Deadline")
    with override("nl"):
        assert html("{}", lazy) == format_html("{}", lazy)
        assert html("{}", lazy) != "Deadline"


def test_html_join_as_format_html_join():
    rows = [("<a>", 1), ("b&c", mark_safe("<br>"))]
    for separator in (", ", "<hr>", mark_safe("<hr>")):
        assert html_join(separator, "<li>{}{}</li>", rows) == format_html_join(
            separator, "<li>{}{}</li>", rows
        )
