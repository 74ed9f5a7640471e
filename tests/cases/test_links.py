"""`cases.links.uuid_path` (the `{% uuid_path %}` tag): the same path as `reverse`, reversed
once per name, language and script prefix."""

import uuid

import pytest
from django.template import Context, Template
from django.urls import reverse, set_script_prefix
from django.utils.translation import override

from cases.links import uuid_path

NAMES = [
    ("cases:household_detail", 1),
    ("cases:resident_edit", 2),
    ("cases:household_volunteering_end", 2),
    ("provisions:household_provisions", 1),
    ("volunteers:detail", 1),
]


@pytest.mark.parametrize(("name", "count"), NAMES)
@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_path_is_the_reversed_path(name, count, language):
    with override(language):
        for _ in range(2):  # reversed, then from the pattern
            uuids = [uuid.uuid4() for _ in range(count)]
            assert uuid_path(name, *uuids) == reverse(name, args=uuids)


def test_a_script_prefix_is_its_own_pattern():
    household = uuid.uuid4()
    plain = uuid_path("cases:household_detail", household)
    set_script_prefix("/gemeente/")
    try:
        prefixed = uuid_path("cases:household_detail", household)
        assert prefixed == reverse("cases:household_detail", args=[household])
        assert prefixed == "/gemeente" + plain
    finally:
        set_script_prefix("/")


def test_a_value_that_is_no_uuid_is_reversed_as_url_reverses_it():
    text = str(uuid.uuid4())
    assert uuid_path("cases:household_detail", text) == reverse(
        "cases:household_detail", args=[text]
    )


def test_the_tag_renders_as_url_and_assigns():
    household, resident = uuid.uuid4(), uuid.uuid4()
    template = Template(
        "{% load cases_extras %}{% uuid_path 'cases:resident_edit' h r %}|"
        "{% uuid_path 'cases:household_detail' h as link %}{{ link }}"
    )
    rendered = template.render(Context({"h": household, "r": resident}))
    assert rendered == "{}|{}".format(
        reverse("cases:resident_edit", args=[household, resident]),
        reverse("cases:household_detail", args=[household]),
    )
