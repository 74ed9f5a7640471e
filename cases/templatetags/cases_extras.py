import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def days_left(day: datetime.date | None) -> int | None:
    """Days from today until `day` (negative when it has passed)."""
    if day is None:
        return None
    return (day - timezone.localdate()).days


@register.filter
def negate(value: int) -> int:
    return -value
