from django import template

register = template.Library()


@register.filter
def absolute(value):
    """`{{ days|absolute }}`: -3 -> 3 (days overdue)."""
    try:
        return abs(value)
    except TypeError:
        return value
